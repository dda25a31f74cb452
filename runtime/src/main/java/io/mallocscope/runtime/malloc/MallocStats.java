package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.vm.Kernel;

import java.io.PrintStream;

import static io.mallocscope.runtime.malloc.MallocState.*;

/** The statistics: mallinfo2 (int_mallinfo), malloc_stats and malloc_info's XML, as in malloc.c. */
final class MallocStats {
    private final Malloc malloc;
    private final GlibcProfile profile;

    MallocStats(Malloc malloc) {
        this.malloc = malloc;
        this.profile = malloc.profile;
    }

    /** {@code mallinfo2()}. */
    /** __libc_mallinfo2: int_mallinfo summed over every arena; hblks, hblkhd and keepcost from mp_ and main_arena. */
    Mallinfo2 mallinfo2() {
        malloc.ptmallocInit();
        long[] sum = new long[7]; // arena, ordblks, smblks, fsmblks, uordblks, fordblks; keepcost
        forEachArena(a -> {
            intMallinfo(sum);
            if (a == malloc.MAIN_ARENA) {
                sum[6] = malloc.chunksize(malloc.top()); // main_arena's top, whichever arena the caller has
            }
        });
        return new Mallinfo2(sum[0], sum[1], sum[2], malloc.mpInt(MP_N_MMAPS), malloc.mp(MP_MMAPPED_MEM), 0, sum[3],
                sum[4], sum[5], sum[6]);
    }

    /**
     * Runs {@code body} on each arena in the order of {@code main_arena.next} with {@code av} set to it (glibc's
     * {@code ar_ptr}); {@code av} is given back after, also when a check in {@code body} aborts.
     */
    private void forEachArena(java.util.function.LongConsumer body) {
        long saved = malloc.av;
        try {
            long a = malloc.MAIN_ARENA;
            do {
                malloc.useArena(a);
                body.accept(a);
                a = malloc.r64(a + malloc.arena.next);
            } while (a != malloc.MAIN_ARENA);
        } finally {
            malloc.useArena(saved);
        }
    }

    /** int_mallinfo(av, m): adds the current arena's counts to {@code sum}. */
    private void intMallinfo(long[] sum) {
        long avail = malloc.chunksize(malloc.top());
        long nblocks = 1;
        long nfastblocks = 0;
        long fastavail = 0;
        for (int i = 0; profile.hasFastbins && i < NFASTBINS; i++) {
            int guard = 0;
            for (long p = malloc.fastbinHead(i); p != 0; p = malloc.revealPtr(p + 16)) {
                if (profile.alignmentChecks && (p & MALLOC_ALIGN_MASK) != 0) {
                    throw malloc.printerr("int_mallinfo(): unaligned fastbin chunk detected");
                }
                ++nfastblocks;
                fastavail += malloc.chunksize(p);
                if (++guard > LOOP_GUARD) {
                    throw new IllegalStateException("fastbin list does not end");
                }
            }
        }
        avail += fastavail;
        for (int i = 1; i < NBINS; i++) {
            long b = malloc.binAt(i);
            int guard = 0;
            for (long p = malloc.bk(b); p != b; p = malloc.bk(p)) {
                ++nblocks;
                avail += malloc.chunksize(p);
                if (++guard > LOOP_GUARD) {
                    throw new IllegalStateException("bin list does not end");
                }
            }
        }
        long sys = malloc.systemMem();
        sum[0] += sys;
        sum[1] += nblocks;
        sum[2] += nfastblocks;
        sum[3] += fastavail;
        sum[4] += sys - avail;
        sum[5] += avail;
    }

    /**
     * {@code malloc_stats()}: glibc's summary on the process's stderr: each arena in the order of
     * {@code main_arena.next} ("Arena 0" is main_arena, then the newest arena first), its own
     * int_mallinfo's system and in-use bytes as unsigned ints, then the totals with the mmapped chunks.
     */
    void mallocStats() {
        malloc.ptmallocInit();
        long mmapped = malloc.mp(MP_MMAPPED_MEM) & 0xffffffffL;
        long[] totals = {mmapped, mmapped}; // system, in use: unsigned ints, as glibc sums them
        StringBuilder sb = new StringBuilder();
        int[] i = {0};
        forEachArena(a -> {
            long[] mi = new long[6];
            intMallinfo(mi);
            sb.append("Arena ").append(i[0]++).append(":\n");
            sb.append(String.format("system bytes     = %10d\n", mi[0] & 0xffffffffL));
            sb.append(String.format("in use bytes     = %10d\n", mi[4] & 0xffffffffL));
            totals[0] = (totals[0] + mi[0]) & 0xffffffffL;
            totals[1] = (totals[1] + mi[4]) & 0xffffffffL;
        });
        sb.append("Total (incl. mmap):\n");
        sb.append(String.format("system bytes     = %10d\n", totals[0]));
        sb.append(String.format("in use bytes     = %10d\n", totals[1]));
        sb.append(String.format("max mmap regions = %10d\n", malloc.mpInt(MP_MAX_N_MMAPS) & 0xffffffffL));
        sb.append(String.format("max mmap bytes   = %10s\n", Long.toUnsignedString(malloc.mp(MP_MAX_MMAPPED_MEM))));
        malloc.stderr.print(sb);
        malloc.stderr.flush();
    }

    /**
     * {@code malloc_info(options, stream)}: glibc's XML, one {@code <heap>} per arena in the order of
     * {@code main_arena.next} (a non-main arena's address space is the sum of its heaps' sizes, with its
     * heap count as "subheaps"), then the totals; options must be 0 (else EINVAL is returned). Releases
     * without fastbins (2.43) print no "fast" totals.
     */
    int mallocInfo(int options, PrintStream out) {
        if (options != 0) {
            return Kernel.EINVAL;
        }
        malloc.ptmallocInit();
        StringBuilder sb = new StringBuilder();
        sb.append("<malloc version=\"1\">\n");
        long[] totals = new long[8]; // nblocks, nfastblocks, avail, fastavail, system, max system, aspace, mprotect
        int[] n = {0};
        forEachArena(a -> {
            sb.append("<heap nr=\"").append(n[0]++).append("\">\n<sizes>\n");
            heapInfo(a, sb, totals);
            sb.append("</heap>\n");
        });
        if (profile.hasFastbins) {
            sb.append("<total type=\"fast\" count=\"").append(u(totals[1])).append("\" size=\"").append(u(totals[3]))
                    .append("\"/>\n");
        }
        sb.append("<total type=\"rest\" count=\"").append(u(totals[0])).append("\" size=\"").append(u(totals[2]))
                .append("\"/>\n<total type=\"mmap\" count=\"").append(malloc.mpInt(MP_N_MMAPS)).append("\" size=\"")
                .append(u(malloc.mp(MP_MMAPPED_MEM))).append("\"/>\n<system type=\"current\" size=\"").append(u(totals[4]))
                .append("\"/>\n<system type=\"max\" size=\"").append(u(totals[5]))
                .append("\"/>\n<aspace type=\"total\" size=\"").append(u(totals[6]))
                .append("\"/>\n<aspace type=\"mprotect\" size=\"").append(u(totals[7])).append("\"/>\n</malloc>\n");
        out.print(sb);
        out.flush();
        return 0;
    }

    private static String u(long v) {
        return Long.toUnsignedString(v);
    }

    /** One arena's {@code <sizes>} … {@code </heap>} body of malloc_info; adds to {@code totals}. */
    private void heapInfo(long a, StringBuilder sb, long[] totals) {
        int nfast = profile.hasFastbins ? NFASTBINS : 0;
        long[] from = new long[nfast + NBINS - 1];
        long[] to = new long[from.length];
        long[] total = new long[from.length];
        long[] count = new long[from.length];
        long nblocks = 1; // top always exists
        long nfastblocks = 0;
        long avail = malloc.chunksize(malloc.top());
        long fastavail = 0;
        for (int i = 0; i < nfast; i++) {
            long p = malloc.fastbinHead(i);
            if (p != 0) {
                long n = 0;
                long thissize = malloc.chunksize(p);
                while (p != 0) {
                    if (profile.alignmentChecks && (p & MALLOC_ALIGN_MASK) != 0) {
                        throw malloc.printerr("__malloc_info(): unaligned fastbin chunk detected");
                    }
                    ++n;
                    p = malloc.revealPtr(p + 16);
                    if (n > LOOP_GUARD) {
                        throw new IllegalStateException("fastbin list does not end");
                    }
                }
                fastavail += n * thissize;
                nfastblocks += n;
                from[i] = thissize - (MALLOC_ALIGNMENT - 1);
                to[i] = thissize;
                count[i] = n;
            }
            total[i] = count[i] * to[i];
        }
        for (int i = 1; i < NBINS; i++) {
            int k = nfast - 1 + i;
            long bin = malloc.binAt(i);
            long r = malloc.fd(bin);
            from[k] = -1;
            if (r != 0) {
                int guard = 0;
                while (r != bin) {
                    long rs = malloc.chunksizeNomask(r);
                    ++count[k];
                    total[k] += rs;
                    if (Long.compareUnsigned(rs, from[k]) < 0) {
                        from[k] = rs;
                    }
                    if (Long.compareUnsigned(rs, to[k]) > 0) {
                        to[k] = rs;
                    }
                    r = malloc.fd(r);
                    if (++guard > LOOP_GUARD) {
                        throw new IllegalStateException("bin list does not end");
                    }
                }
            }
            if (count[k] == 0) {
                from[k] = 0;
            }
            nblocks += count[k];
            avail += total[k];
        }
        long heapSize = 0;
        long heapMprotectSize = 0;
        long heapCount = 0;
        boolean main = a == malloc.MAIN_ARENA;
        if (!main) {
            // the arena's heaps from back to front
            long h = Arenas.heapForPtr(malloc.top());
            int guard = 0;
            do {
                heapSize += malloc.r64(h + Arenas.H_SIZE);
                heapMprotectSize += malloc.r64(h + Arenas.H_MPROTECT_SIZE);
                h = malloc.r64(h + Arenas.H_PREV);
                ++heapCount;
                if (++guard > LOOP_GUARD) {
                    throw new IllegalStateException("heap list does not end");
                }
            } while (h != 0);
        }
        for (int i = 0; i < from.length; i++) {
            if (count[i] != 0 && i != nfast) {
                sb.append("  <size from=\"").append(u(from[i])).append("\" to=\"").append(u(to[i]))
                        .append("\" total=\"").append(u(total[i])).append("\" count=\"").append(count[i])
                        .append("\"/>\n");
            }
        }
        if (count[nfast] != 0) {
            sb.append("  <unsorted from=\"").append(u(from[nfast])).append("\" to=\"").append(u(to[nfast]))
                    .append("\" total=\"").append(u(total[nfast])).append("\" count=\"").append(count[nfast])
                    .append("\"/>\n");
        }
        long sys = malloc.systemMem();
        long maxSys = malloc.r64(a + malloc.arena.maxSystemMem);
        sb.append("</sizes>\n");
        if (profile.hasFastbins) {
            sb.append("<total type=\"fast\" count=\"").append(nfastblocks).append("\" size=\"").append(u(fastavail))
                    .append("\"/>\n");
        }
        sb.append("<total type=\"rest\" count=\"").append(nblocks).append("\" size=\"").append(u(avail))
                .append("\"/>\n<system type=\"current\" size=\"").append(u(sys))
                .append("\"/>\n<system type=\"max\" size=\"").append(u(maxSys)).append("\"/>\n");
        if (main) {
            heapSize = sys;
            heapMprotectSize = sys;
        }
        sb.append("<aspace type=\"total\" size=\"").append(u(heapSize)).append("\"/>\n<aspace type=\"mprotect\" size=\"")
                .append(u(heapMprotectSize)).append("\"/>\n");
        if (!main) {
            sb.append("<aspace type=\"subheaps\" size=\"").append(heapCount).append("\"/>\n");
        }
        totals[0] += nblocks;
        totals[1] += nfastblocks;
        totals[2] += avail;
        totals[3] += fastavail;
        totals[4] += sys;
        totals[5] += maxSys;
        totals[6] += heapSize;
        totals[7] += heapMprotectSize;
    }
}
