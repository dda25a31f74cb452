package io.mallocscope.cli.source;

import io.mallocscope.cli.model.Bin;
import io.mallocscope.cli.model.BinType;
import io.mallocscope.cli.model.Chunk;
import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.model.Memory;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.malloc.HeapView;
import io.mallocscope.runtime.vm.AddressSpace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Takes a {@link HeapSnapshot} of a simulated process through the allocator's {@link HeapView}. */
public final class HeapViews {
    /** Heaps up to this size are copied into the snapshot, so it stays valid when the process moves on. */
    private static final long COPY_LIMIT = 64L << 20;

    private HeapViews() {
    }

    /** The state of {@code p} now, with a copy of its heap bytes, so it stays valid when the process moves on. */
    public static HeapSnapshot snapshot(int step, CProcess p) {
        return snapshot(step, p, true);
    }

    /**
     * The state of {@code p} now without copying the heap bytes: its memory reads the live process, so only
     * chunks, bins, maps and parameters stay valid once the process moves on. Enough for a diff, which
     * never reads memory; taken once per call when a trace's changes are explained.
     */
    static HeapSnapshot light(int step, CProcess p) {
        return snapshot(step, p, false);
    }

    private static HeapSnapshot snapshot(int step, CProcess p, boolean copyHeap) {
        HeapView v = p.malloc().view();
        List<Chunk> chunks = new ArrayList<>();
        for (HeapView.Chunk c : v.chunks()) {
            chunks.add(chunk(v, c));
        }
        List<Chunk> mmapped = new ArrayList<>();
        for (HeapView.Chunk c : v.mmappedChunks()) {
            mmapped.add(chunk(v, c));
        }
        List<Bin> bins = new ArrayList<>();
        for (HeapView.Bin b : v.bins()) {
            bins.add(bin(v, b));
        }
        Map<String, Long> params = new LinkedHashMap<>();
        if (v.initialized()) {
            HeapView.Params mp = v.params();
            params.put("mp_.trim_threshold", mp.trimThreshold());
            params.put("mp_.mmap_threshold", mp.mmapThreshold());
            params.put("mp_.n_mmaps", (long) mp.nMmaps());
            params.put("mp_.mmapped_mem", mp.mmappedMem());
            params.put("main_arena.system_mem", v.systemMem());
            params.put("main_arena.last_remainder", v.lastRemainder());
        }
        long brk = p.kernel().currentBrk();
        return new HeapSnapshot(step, v.heapStart(), v.top(), brk, v.mainArena(), chunks, mmapped, bins,
                ProcessModels.maps(p.memory()), params,
                copyHeap ? memory(p.memory(), v.heapStart(), brk) : p.memory()::read64, !v.chunkWalkComplete());
    }

    static Chunk chunk(HeapView v, HeapView.Chunk c) {
        HeapView.State st = c.state();
        // tcache and fastbin links are safe-linked from 2.32 on; the view knows the profile
        long decoded = st == HeapView.State.TCACHE || st == HeapView.State.FASTBIN ? v.revealPointer(c.address() + 16, c.fd())
                : c.fd();
        return new Chunk(c.address(), c.prevSize(), c.sizeField(), st, c.fd(), decoded, c.bk(), c.fdNextsize(),
                c.bkNextsize());
    }

    static Bin bin(HeapView v, HeapView.Bin b) {
        BinType type = BinType.of(b.kind());
        long max = type == BinType.LARGEBIN ? HeapView.largeBinHighestSize(b.index()) : b.chunkSize();
        int count = type == BinType.TCACHE ? (int) b.count() : -1;
        boolean inArena = type != BinType.TCACHE && type != BinType.FASTBIN && b.index() >= 1 && b.index() < 128;
        return new Bin(type, b.index(), b.chunkSize(), max, b.chunks(), count, b.corrupt(),
                inArena ? v.binAt(b.index()) : 0);
    }

    /** The heap's bytes as they are now; other addresses read from the live process. */
    private static Memory memory(AddressSpace as, long heapStart, long brk) {
        if (heapStart == 0 || brk <= heapStart || brk - heapStart > COPY_LIMIT) {
            return as::read64;
        }
        int len = (int) (brk - heapStart);
        byte[] copy = new byte[len];
        as.readBytes(heapStart, copy, 0, len);
        return a -> {
            if (a >= heapStart && a + 8 <= brk) {
                int o = (int) (a - heapStart);
                long v = 0;
                for (int i = 7; i >= 0; i--) {
                    v = (v << 8) | (copy[o + i] & 0xff);
                }
                return v;
            }
            return as.read64(a);
        };
    }
}
