package io.mallocscope.cli.source;

import io.mallocscope.cli.model.Bin;
import io.mallocscope.cli.model.BinType;
import io.mallocscope.cli.model.Chunk;
import io.mallocscope.cli.model.ChunkState;
import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.model.LargeBins;
import io.mallocscope.cli.model.Memory;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.malloc.BinKind;
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

    public static HeapSnapshot snapshot(int step, CProcess p) {
        HeapView v = p.malloc().view();
        List<Chunk> chunks = new ArrayList<>();
        for (HeapView.Chunk c : v.chunks()) {
            chunks.add(chunk(c));
        }
        List<Chunk> mmapped = new ArrayList<>();
        for (HeapView.Chunk c : v.mmappedChunks()) {
            mmapped.add(chunk(c));
        }
        List<Bin> bins = new ArrayList<>();
        for (HeapView.Bin b : v.bins()) {
            bins.add(bin(b));
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
                ProcessModels.maps(p.memory()), params, memory(p.memory(), v.heapStart(), brk), v.corrupt());
    }

    static Chunk chunk(HeapView.Chunk c) {
        ChunkState st = ChunkState.valueOf(c.state().name());
        long decoded = st == ChunkState.TCACHE || st == ChunkState.FASTBIN ? ((c.address() + 16) >>> 12) ^ c.fd() : c.fd();
        return new Chunk(c.address(), c.prevSize(), c.sizeField(), st, c.fd(), decoded, c.bk(), c.fdNextsize(),
                c.bkNextsize());
    }

    static Bin bin(HeapView.Bin b) {
        BinType type = switch (b.kind()) {
            case BinKind.TCACHE -> BinType.TCACHE;
            case BinKind.FASTBIN -> BinType.FASTBIN;
            case BinKind.UNSORTED -> BinType.UNSORTED;
            case BinKind.SMALLBIN -> BinType.SMALLBIN;
            default -> BinType.LARGEBIN;
        };
        long max = type == BinType.LARGEBIN ? LargeBins.maxSize(b.index()) : b.chunkSize();
        int count = type == BinType.TCACHE ? (int) b.count() : -1;
        return new Bin(type, b.index(), b.chunkSize(), max, b.chunks(), count, b.corrupt());
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
