package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.vm.Kernel;

import static io.mallocscope.runtime.malloc.MallocState.*;

/**
 * The memalign family's core (_mid_memalign, the tcache scan, _int_memalign), as in malloc.c; how
 * leftovers go back is {@link GlibcProfile.MemalignMode}. The public entry points stay on {@link Malloc}.
 */
final class Memalign {
    private final Malloc malloc;
    private final GlibcProfile profile;

    Memalign(Malloc malloc) {
        this.malloc = malloc;
        this.profile = malloc.profile;
    }

    static boolean powerOf2(long x) {
        return (x & (x - 1)) == 0;
    }

    long midMemalign(long alignment, long bytes) {
        if (Long.compareUnsigned(alignment, MALLOC_ALIGNMENT) <= 0) {
            return malloc.malloc(bytes);
        }
        if (Long.compareUnsigned(alignment, MINSIZE) < 0) {
            alignment = MINSIZE;
        }
        if (Long.compareUnsigned(alignment, Long.MIN_VALUE) > 0) { // SIZE_MAX/2 + 1
            malloc.kernel.setErrno(Kernel.EINVAL);
            return 0;
        }
        if (!powerOf2(alignment)) {
            long a = MALLOC_ALIGNMENT * 2;
            while (Long.compareUnsigned(a, alignment) < 0) {
                a <<= 1;
            }
            alignment = a;
        }
        switch (profile.memalign) {
            case TCACHE_SCAN -> {
                if (bytes < 0) {
                    malloc.kernel.setErrno(Kernel.ENOMEM);
                    return 0;
                }
                long v = tcacheGetAligned(request2size(bytes), alignment, false);
                if (v != 0) {
                    return v;
                }
            }
            case SIZE_AWARE_TCACHE_SCAN -> {
                long v = bytes >= 0 ? tcacheGetAligned(request2size(bytes), alignment, true) : 0;
                if (v != 0) {
                    return v;
                }
            }
            case FREE_LEFTOVERS -> {
            }
        }
        if (malloc.entryArena(bytes + alignment + MINSIZE) == 0) {
            return 0;
        }
        return intMemalign(alignment, bytes);
    }

    /**
     * The memalign tcache scan: walk nb's bin from the head and take the first aligned entry
     * (2.41); 2.43 also skips smaller entries of a large bin and takes only an exact size.
     */
    long tcacheGetAligned(long nb, long alignment, boolean sizeAware) {
        long tc = malloc.tcache();
        if (tc == 0) {
            return 0;
        }
        long idx;
        if (sizeAware) {
            if (Long.compareUnsigned(nb, malloc.mp(MP_TCACHE_MAX_BYTES)) >= 0) {
                return 0;
            }
            idx = csize2tidx(nb);
            if (idx >= TCACHE_MAX_BINS) {
                idx = Tcache.largeCsize2tidx(nb);
            }
        } else {
            idx = csize2tidx(nb);
            if (Long.compareUnsigned(idx, malloc.mp(MP_TCACHE_BINS)) >= 0 || !malloc.tcacheFns.tcacheNonEmpty(tc, idx)) {
                return 0;
            }
        }
        long head = malloc.tcacheFns.tcacheEntryAddr(tc, idx);
        long pos = head;
        long te = malloc.r64(head);
        int guard = 0;
        while (te != 0) {
            if (sizeAware) {
                long csize = malloc.chunksize(te - CHUNK_HDR_SZ);
                if (Long.compareUnsigned(csize, nb) >= 0 && (csize != nb || Long.remainderUnsigned(te, alignment) == 0)) {
                    break;
                }
            } else if (Long.remainderUnsigned(te, alignment) == 0) {
                break;
            }
            pos = te;
            te = malloc.revealPtr(te);
            if (++guard > LOOP_GUARD) {
                throw new IllegalStateException("tcache list does not end");
            }
        }
        if (te == 0 || (sizeAware && (malloc.chunksize(te - CHUNK_HDR_SZ) != nb || Long.remainderUnsigned(te, alignment) != 0))) {
            return 0;
        }
        return malloc.tcacheFns.tcacheGetAt(tc, idx, pos, pos == head);
    }

    /**
     * _int_memalign: asks _int_malloc for nb + alignment + MINSIZE, gives back the leader in front of
     * the first aligned address that leaves it room for a header, then the tail beyond nb. An mmapped
     * chunk only moves its start (its prev_size keeps the distance to the mapping). How the leftovers
     * are given back is the profile's {@link GlibcProfile.MemalignMode}.
     */
    long intMemalign(long alignment, long bytes) {
        GlibcProfile.MemalignMode mode = profile.memalign;
        boolean sizeAware = mode == GlibcProfile.MemalignMode.SIZE_AWARE_TCACHE_SCAN;
        if (malloc.requestOutOfRange(bytes)) {
            malloc.kernel.setErrno(Kernel.ENOMEM);
            return 0;
        }
        long nb = request2size(bytes);
        long m = malloc.intMalloc(nb + alignment + MINSIZE);
        if (m == 0) {
            return 0;
        }
        long p = m - CHUNK_HDR_SZ;
        boolean misaligned = Long.remainderUnsigned(m, alignment) != 0;
        boolean mmapped = (malloc.chunksizeNomask(p) & IS_MMAPPED) != 0;
        if (mmapped && (misaligned || sizeAware)) {
            // up to 2.41 the leader must hold a header here too; 2.42+ takes the first aligned address
            long newp = alignUp(sizeAware ? m : m + MINSIZE, alignment) - CHUNK_HDR_SZ;
            long leadsize = newp - p;
            long prevSize = malloc.prevSize(p);
            long newsize = malloc.chunksize(p) - leadsize;
            malloc.w64(newp, prevSize + leadsize);
            malloc.setHead(newp, newsize | IS_MMAPPED);
            malloc.mmappedChunks.remove(p);
            malloc.mmappedChunks.add(newp);
            return newp + CHUNK_HDR_SZ;
        }
        if (misaligned) {
            long newp = alignUp(m + MINSIZE, alignment) - CHUNK_HDR_SZ;
            long leadsize = newp - p;
            long newsize = malloc.chunksize(p) - leadsize;
            malloc.setHead(newp, newsize | PREV_INUSE | malloc.aBit);
            malloc.setInuseBitAtOffset(newp, newsize);
            malloc.setHeadSize(p, leadsize | malloc.aBit);
            Transitions.split(p, leadsize, newp, newsize);
            if (mode == GlibcProfile.MemalignMode.FREE_LEFTOVERS) {
                malloc.intFree(p, true, Transitions.MEMALIGN);
            } else {
                malloc.intFreeMergeChunk(p, leadsize, Transitions.MEMALIGN);
            }
            p = newp;
        }
        if (!mmapped) {
            long size = malloc.chunksize(p);
            long remainderSize = size - nb;
            long remainder = p + nb;
            switch (mode) {
                case FREE_LEFTOVERS -> {
                    if (Long.compareUnsigned(size, nb + MINSIZE) > 0) {
                        malloc.setHead(remainder, remainderSize | PREV_INUSE | malloc.aBit);
                        malloc.setHeadSize(p, nb);
                        Transitions.split(p, nb, remainder, remainderSize);
                        malloc.intFree(remainder, true, Transitions.MEMALIGN);
                    }
                }
                case TCACHE_SCAN -> {
                    long nextchunk = p + size;
                    long nextsize = malloc.chunksize(nextchunk);
                    // a tail too small to be a chunk still goes when it can merge with its neighbour
                    if (Long.compareUnsigned(size, nb) > 0 && (Long.compareUnsigned(remainderSize, MINSIZE) >= 0
                            || nextchunk == malloc.top() || !malloc.inuseBitAtOffset(nextchunk, nextsize))) {
                        giveBackTail(p, nb, remainder, remainderSize, nextchunk, nextsize);
                    }
                }
                case SIZE_AWARE_TCACHE_SCAN -> {
                    if (Long.compareUnsigned(remainderSize, MINSIZE) >= 0) {
                        long nextchunk = p + size;
                        giveBackTail(p, nb, remainder, remainderSize, nextchunk, malloc.chunksize(nextchunk));
                    }
                }
            }
        }
        return p + CHUNK_HDR_SZ;
    }

    /** _int_memalign's tail (2.39+): split it off and free it through the coalescing path. */
    void giveBackTail(long p, long nb, long remainder, long remainderSize, long nextchunk, long nextsize) {
        malloc.setHeadSize(p, nb);
        Transitions.split(p, nb, remainder, remainderSize);
        long merged = malloc.intFreeCreateChunk(remainder, remainderSize, nextchunk, nextsize, Transitions.MEMALIGN);
        malloc.intFreeMaybeConsolidate(merged);
    }
}
