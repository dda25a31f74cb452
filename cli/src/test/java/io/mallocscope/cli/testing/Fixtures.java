package io.mallocscope.cli.testing;

import io.mallocscope.runtime.malloc.HeapView;
import io.mallocscope.cli.model.Bin;
import io.mallocscope.cli.model.BinType;
import io.mallocscope.cli.model.Chunk;
import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.source.ProcessModels;
import io.mallocscope.runtime.vm.AddressSpace;
import io.mallocscope.runtime.vm.Kernel;

import java.util.List;
import java.util.Map;

/**
 * Hand-built heap states for the renderer tests, written out from glibc 2.36's layout (not produced
 * by the allocator): the memory map and the heap region come from the real simulated kernel; the
 * chunk headers and links are stored into that memory the way glibc stores them.
 */
public final class Fixtures {
    public static final long HEAP = 0x555555559000L;
    /** Where this fixture puts main_arena (fixture choice; the allocator decides the real one). */
    public static final long MAIN_ARENA = 0x7ffff7faac80L;
    public static final long UNSORTED_HEAD = MAIN_ARENA + 96;

    private Fixtures() {
    }

    /**
     * how2heap's first_fit after {@code a = malloc(0x512); b = malloc(0x256); free(a)}: the tcache
     * struct (0x290), a's 0x520 chunk in the unsorted bin, b's 0x260 chunk (PREV_INUSE clear, prev_size
     * 0x520), top at +0xa10 of a 0x21000-byte heap.
     */
    public static HeapSnapshot firstFitAfterFree() {
        Kernel k = new Kernel(new AddressSpace(), "first-fit");
        k.sbrk(0x21000);
        AddressSpace m = k.addressSpace();
        long a = HEAP + 0x290;
        long b = HEAP + 0x7b0;
        long top = HEAP + 0xa10;
        m.write64(HEAP + 8, 0x291);
        m.write64(a + 8, 0x521);
        m.write64(a + 16, UNSORTED_HEAD);
        m.write64(a + 24, UNSORTED_HEAD);
        m.write64(b, 0x520);
        m.write64(b + 8, 0x260);
        byte[] s = "this is B".getBytes();
        m.writeBytes(b + 16, s, 0, s.length);
        m.write64(top + 8, 0x205f1);
        List<Chunk> chunks = List.of(
                Chunk.inUse(HEAP, 0x291),
                new Chunk(a, 0, 0x521, HeapView.State.UNSORTED, UNSORTED_HEAD, UNSORTED_HEAD, UNSORTED_HEAD, 0, 0),
                new Chunk(b, 0x520, 0x260, HeapView.State.IN_USE, 0, 0, 0, 0, 0),
                new Chunk(top, 0, 0x205f1, HeapView.State.TOP, 0, 0, 0, 0, 0));
        List<Bin> bins = List.of(Bin.of(BinType.UNSORTED, 1, 0, List.of(a)));
        return new HeapSnapshot(3, HEAP, top, k.currentBrk(), MAIN_ARENA, chunks, List.of(), bins,
                ProcessModels.maps(m), Map.of("system_mem", 0x21000L), m::read64, false);
    }

    /**
     * Two 0x20 chunks freed into the tcache ({@code free(p1); free(p2)}: p2 at the head), their
     * {@code next} safe-linked ({@code (pos >> 12) ^ ptr}), a 0x30 chunk in use with identical zero
     * rows, then top.
     */
    public static HeapSnapshot tcachePair() {
        Kernel k = new Kernel(new AddressSpace(), "tcache-pair");
        k.sbrk(0x21000);
        AddressSpace m = k.addressSpace();
        long p1 = HEAP + 0x290;
        long p2 = HEAP + 0x2b0;
        long c = HEAP + 0x2d0;
        long top = HEAP + 0x330;
        m.write64(HEAP + 8, 0x291);
        m.write16(HEAP + 0x10, 2); // counts[0] = 2
        m.write64(HEAP + 0x90, p2 + 16); // entries[0] = p2's user pointer
        m.write64(p1 + 8, 0x21);
        m.write64(p1 + 16, (p1 + 16) >>> 12); // next = NULL, safe-linked
        m.write64(p1 + 24, HEAP + 0x10); // key = tcache struct
        m.write64(p2 + 8, 0x21);
        m.write64(p2 + 16, ((p2 + 16) >>> 12) ^ (p1 + 16));
        m.write64(p2 + 24, HEAP + 0x10);
        m.write64(c + 8, 0x61);
        m.write64(top + 8, 0x20cd1);
        List<Chunk> chunks = List.of(
                Chunk.inUse(HEAP, 0x291),
                new Chunk(p1, 0, 0x21, HeapView.State.TCACHE, (p1 + 16) >>> 12, 0, HEAP + 0x10, 0, 0),
                new Chunk(p2, 0, 0x21, HeapView.State.TCACHE, ((p2 + 16) >>> 12) ^ (p1 + 16), p1 + 16, HEAP + 0x10, 0, 0),
                Chunk.inUse(c, 0x61),
                new Chunk(top, 0, 0x20cd1, HeapView.State.TOP, 0, 0, 0, 0, 0));
        List<Bin> bins = List.of(Bin.of(BinType.TCACHE, 0, 0x20, List.of(p2, p1)));
        return new HeapSnapshot(5, HEAP, top, k.currentBrk(), MAIN_ARENA, chunks, List.of(), bins,
                ProcessModels.maps(m), Map.of("system_mem", 0x21000L), m::read64, false);
    }
}
