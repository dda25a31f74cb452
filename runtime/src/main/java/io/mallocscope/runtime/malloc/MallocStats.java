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
        long[] sum = new long[6]; // arena, ordblks, smblks, fsmblks, uordblks, fordblks
        long a = malloc.MAIN_ARENA;
        do {
            malloc.useArena(a);
            intMallinfo(sum);
            a = malloc.r64(a + malloc.arena.next);
        } while (a != malloc.MAIN_ARENA);
        malloc.useArena(malloc.MAIN_ARENA);
        return new Mallinfo2(sum[0], sum[1], sum[2], malloc.mpInt(MP_N_MMAPS), malloc.mp(MP_MMAPPED_MEM), 0, sum[3],
                sum[4], sum[5], malloc.chunksize(malloc.top()));
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

    /** {@code malloc_stats()}: glibc's summary on the process's stderr. */
    void mallocStats() {
        malloc.ptmallocInit();
        Mallinfo2 mi = mallinfo2();
        long inUse = malloc.mp(MP_MMAPPED_MEM) & 0xffffffffL;
        long system = inUse;
        StringBuilder sb = new StringBuilder();
        sb.append("Arena 0:\n");
        sb.append(String.format("system bytes     = %10d\n", mi.arena() & 0xffffffffL));
        sb.append(String.format("in use bytes     = %10d\n", mi.uordblks() & 0xffffffffL));
        system = (system + mi.arena()) & 0xffffffffL;
        inUse = (inUse + mi.uordblks()) & 0xffffffffL;
        sb.append("Total (incl. mmap):\n");
        sb.append(String.format("system bytes     = %10d\n", system));
        sb.append(String.format("in use bytes     = %10d\n", inUse));
        sb.append(String.format("max mmap regions = %10d\n", malloc.mpInt(MP_MAX_N_MMAPS) & 0xffffffffL));
        sb.append(String.format("max mmap bytes   = %10s\n", Long.toUnsignedString(malloc.mp(MP_MAX_MMAPPED_MEM))));
        malloc.stderr.print(sb);
        malloc.stderr.flush();
    }

    /** {@code malloc_info(options, stream)}: glibc's XML; options must be 0 (else EINVAL is returned). */
    int mallocInfo(int options, PrintStream out) {
        if (options != 0) {
            return Kernel.EINVAL;
        }
        malloc.ptmallocInit();
        long[] from = new long[NFASTBINS + NBINS - 1];
        long[] to = new long[from.length];
        long[] total = new long[from.length];
        long[] count = new long[from.length];
        long nblocks = 1; // top always exists
        long nfastblocks = 0;
        long avail = malloc.chunksize(malloc.top());
        long fastavail = 0;
        for (int i = 0; profile.hasFastbins && i < NFASTBINS; i++) {
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
            int k = NFASTBINS - 1 + i;
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
        StringBuilder sb = new StringBuilder();
        sb.append("<malloc version=\"1\">\n");
        sb.append("<heap nr=\"0\">\n<sizes>\n");
        for (int i = 0; i < from.length; i++) {
            if (count[i] != 0 && i != NFASTBINS) {
                sb.append("  <size from=\"").append(Long.toUnsignedString(from[i])).append("\" to=\"")
                        .append(Long.toUnsignedString(to[i])).append("\" total=\"")
                        .append(Long.toUnsignedString(total[i])).append("\" count=\"").append(count[i])
                        .append("\"/>\n");
            }
        }
        if (count[NFASTBINS] != 0) {
            sb.append("  <unsorted from=\"").append(Long.toUnsignedString(from[NFASTBINS])).append("\" to=\"")
                    .append(Long.toUnsignedString(to[NFASTBINS])).append("\" total=\"")
                    .append(Long.toUnsignedString(total[NFASTBINS])).append("\" count=\"")
                    .append(count[NFASTBINS]).append("\"/>\n");
        }
        long sys = malloc.systemMem();
        long maxSys = malloc.r64(malloc.MAIN_ARENA + malloc.arena.maxSystemMem);
        sb.append("</sizes>\n<total type=\"fast\" count=\"").append(nfastblocks).append("\" size=\"").append(fastavail)
                .append("\"/>\n<total type=\"rest\" count=\"").append(nblocks).append("\" size=\"").append(avail)
                .append("\"/>\n<system type=\"current\" size=\"").append(sys)
                .append("\"/>\n<system type=\"max\" size=\"").append(maxSys).append("\"/>\n");
        sb.append("<aspace type=\"total\" size=\"").append(sys).append("\"/>\n<aspace type=\"mprotect\" size=\"")
                .append(sys).append("\"/>\n");
        sb.append("</heap>\n");
        sb.append("<total type=\"fast\" count=\"").append(nfastblocks).append("\" size=\"").append(fastavail)
                .append("\"/>\n<total type=\"rest\" count=\"").append(nblocks).append("\" size=\"").append(avail)
                .append("\"/>\n<total type=\"mmap\" count=\"").append(malloc.mpInt(MP_N_MMAPS)).append("\" size=\"")
                .append(malloc.mp(MP_MMAPPED_MEM)).append("\"/>\n<system type=\"current\" size=\"").append(sys)
                .append("\"/>\n<system type=\"max\" size=\"").append(maxSys)
                .append("\"/>\n<aspace type=\"total\" size=\"").append(sys)
                .append("\"/>\n<aspace type=\"mprotect\" size=\"").append(sys).append("\"/>\n</malloc>\n");
        out.print(sb);
        out.flush();
        return 0;
    }
}
