package io.mallocscope.cli.source;

import io.mallocscope.cli.Addresses;
import io.mallocscope.cli.UserError;
import io.mallocscope.cli.model.ArenaTable;
import io.mallocscope.cli.model.Bin;
import io.mallocscope.cli.model.BinType;
import io.mallocscope.cli.model.Chunk;
import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.model.Memory;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.malloc.HeapView;
import io.mallocscope.runtime.text.Hex;
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

    /**
     * As {@link #light(int, CProcess)}, of arena {@code arena} (its address) with the tcache of the thread
     * whose thread pointer is {@code threadPointer} (0: no tcache bins).
     */
    static HeapSnapshot light(int step, CProcess p, long arena, long threadPointer) {
        HeapView main = p.malloc().view();
        if (arena == main.mainArena() && threadPointer == threadPointer(p, null, step)) {
            return snapshot(step, p, false, main);
        }
        return snapshot(step, p, false, HeapView.of(p.malloc(), arena, threadPointer));
    }

    /**
     * The state of the process, arena and thread {@code f} names in the run of {@code root} (the
     * program's process); the default focus is {@link #snapshot(int, CProcess)}.
     *
     * @throws io.mallocscope.cli.UserError (usage) for a pid, arena or thread the run does not have at this step
     */
    public static HeapSnapshot snapshot(int step, CProcess root, Focus f) {
        return snapshot(step, root, f, Detail.ALL);
    }

    /** As {@link #snapshot(int, CProcess, Focus)} with no more than {@code d} in it. */
    public static HeapSnapshot snapshot(int step, CProcess root, Focus f, Detail d) {
        if (f.isDefault()) {
            return snapshot(step, root, d != Detail.NO_BYTES, root.malloc().view(), d);
        }
        CProcess p = process(root, f.pid(), step);
        long tp = threadPointer(p, f.thread(), step);
        HeapView main = p.malloc().view();
        long arena = arena(main, f.arena(), step);
        if (arena == main.mainArena() && tp == threadPointer(p, null, step)) {
            return snapshot(step, p, d != Detail.NO_BYTES, main, d);
        }
        return snapshot(step, p, arena == main.mainArena() && d != Detail.NO_BYTES, HeapView.of(p.malloc(), arena, tp), d);
    }

    /** Every arena of the process {@code f} names, with its heaps and threads. */
    public static ArenaTable arenas(int step, CProcess root, Focus f) {
        CProcess p = process(root, f.pid(), step);
        HeapView v = p.malloc().view();
        long[] tps = p.libc().threadPointers();
        List<ArenaTable.Arena> out = new ArrayList<>();
        List<HeapView.ThreadInfo> threads = v.threads();
        for (HeapView.Arena a : v.arenas()) {
            List<Integer> attached = new ArrayList<>();
            for (HeapView.ThreadInfo t : threads) {
                int k = number(tps, t.threadPointer());
                if (t.arena() == a.address() && k >= 0) {
                    attached.add(k);
                }
            }
            java.util.Collections.sort(attached);
            List<ArenaTable.Heap> heaps = new ArrayList<>();
            for (HeapView.HeapInfo h : a.heaps()) {
                heaps.add(new ArenaTable.Heap(h.address(), h.arPtr(), h.prev(), h.size(), h.mprotectSize()));
            }
            out.add(new ArenaTable.Arena(a.number(), a.address(), a.main(), a.top(), a.topSize(), a.systemMem(),
                    a.maxSystemMem(), a.next(), a.nextFree(), a.attachedThreads(), attached, heaps));
        }
        return new ArenaTable(step, p.pid(), out, v.freeList());
    }

    private static int number(long[] tps, long tp) {
        for (int k = 0; k < tps.length; k++) {
            if (tps[k] == tp) {
                return k;
            }
        }
        return -1;
    }

    /** The process {@code pid} of the run (null: the program). */
    static CProcess process(CProcess root, Integer pid, int step) {
        if (pid == null) {
            return root;
        }
        List<CProcess> all = root.processes();
        for (CProcess p : all) {
            if (p.pid() == pid) {
                return p;
            }
        }
        throw UserError.usage("--pid " + pid + ": no such process at step " + step + " (processes: "
                + all.stream().map(p -> Integer.toString(p.pid())).collect(java.util.stream.Collectors.joining(", "))
                + "; " + root.pid() + " is the program)");
    }

    private static long threadPointer(CProcess p, Integer thread, int step) {
        long[] tps = p.libc().threadPointers();
        int k = thread == null ? 0 : thread;
        if (k < 0 || k >= tps.length || tps[k] == 0) {
            List<String> live = new ArrayList<>();
            for (int i = 0; i < tps.length; i++) {
                if (tps[i] != 0) {
                    live.add(Integer.toString(i));
                }
            }
            throw UserError.usage("--thread " + k + ": process " + p.pid() + " has no such thread at step " + step
                    + " (threads: " + String.join(", ", live) + "; 0 is the main thread)");
        }
        return tps[k];
    }

    /** An arena by its number in {@code arenas}' list (0: main_arena) or its address. */
    private static long arena(HeapView v, String which, int step) {
        if (which == null) {
            return v.mainArena();
        }
        List<HeapView.Arena> all = v.arenas();
        String s = which.strip();
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) {
                long a = Addresses.parse(s).orElseThrow(NumberFormatException::new);
                if (a == v.mainArena() || all.stream().anyMatch(x -> x.address() == a)) {
                    return a;
                }
            } else {
                int n = Integer.parseInt(s);
                if (n == 0) {
                    return v.mainArena();
                }
                if (n > 0 && n < all.size()) {
                    return all.get(n).address();
                }
            }
        } catch (NumberFormatException e) {
            throw UserError.usage("--arena " + which + ": not an arena number or a 0x address");
        }
        throw UserError.usage("--arena " + which + ": no such arena at step " + step + " (arenas: "
                + (all.isEmpty() ? "0" : all.stream().map(a -> a.number() + (a.main() ? " main_arena" : " " + Hex.of(a.address())))
                .collect(java.util.stream.Collectors.joining(", "))) + ")");
    }

    private static HeapSnapshot snapshot(int step, CProcess p, boolean copyHeap) {
        return snapshot(step, p, copyHeap, p.malloc().view());
    }

    private static HeapSnapshot snapshot(int step, CProcess p, boolean copyHeap, HeapView v) {
        return snapshot(step, p, copyHeap, v, Detail.ALL);
    }

    private static HeapSnapshot snapshot(int step, CProcess p, boolean copyHeap, HeapView v, Detail d) {
        if (d == Detail.MAPS) {
            // what maps shows: the mappings, the break, and the mmapped chunks that fill anonymous mappings
            List<Chunk> mmapped = new ArrayList<>();
            for (HeapView.Chunk c : v.mmappedChunks()) {
                mmapped.add(chunk(v, c));
            }
            return new HeapSnapshot(step, v.heapStart(), v.top(), p.kernel().currentBrk(), v.mainArena(), List.of(),
                    mmapped, List.of(), ProcessModels.maps(p), Map.of(), p.memory()::read64, false);
        }
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
                ProcessModels.maps(p), params,
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
        return new Memory() {
            @Override
            public long read64(long a) {
                if (a >= heapStart && a + 8 <= brk) {
                    int o = (int) (a - heapStart);
                    long v = 0;
                    for (int i = 7; i >= 0; i--) {
                        v = (v << 8) | (copy[o + i] & 0xff);
                    }
                    return v;
                }
                return as.read64(a);
            }

            @Override
            public int read(long address, long[] into, int count) {
                long o = address - heapStart;
                if (address >= heapStart && o + 8L * count <= len) {
                    // in bulk, not a word at a time (the hexdump reads every word of the heap)
                    java.nio.ByteBuffer.wrap(copy, (int) o, 8 * count).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                            .asLongBuffer().get(into, 0, count);
                    return count;
                }
                return Memory.super.read(address, into, count);
            }
        };
    }
}
