package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.vm.AddressSpace;

import static io.mallocscope.runtime.malloc.MallocState.*;

/**
 * The allocator's parameters: mallopt and the do_set_* functions it shares with the GLIBC_TUNABLES
 * callbacks (ptmalloc_init's reading of the tunables), as in malloc.c and arena.c.
 */
final class Mallopt {
    private final Malloc malloc;
    private final AddressSpace mem;
    private final GlibcProfile profile;

    Mallopt(Malloc malloc) {
        this.malloc = malloc;
        this.mem = malloc.mem;
        this.profile = malloc.profile;
    }

    void applyTunables() {
        malloc.tunables.values.forEach((name, v) -> {
            switch (name) {
                case "top_pad" -> doSetTopPad(v);
                case "perturb" -> {
                    if (v >= 0 && v <= 0xff) {
                        doSetPerturbByte((int) (long) v);
                    }
                }
                case "mmap_threshold" -> doSetMmapThreshold(v);
                case "trim_threshold" -> doSetTrimThreshold(v);
                case "mmap_max" -> {
                    if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                        doSetMmapsMax((int) (long) v);
                    }
                }
                case "arena_max" -> {
                    if (v != 0) {
                        malloc.setMp(MP_ARENA_MAX, v);
                    }
                }
                case "arena_test" -> {
                    if (v != 0) {
                        malloc.setMp(MP_ARENA_TEST, v);
                    }
                }
                case "tcache_max" -> doSetTcacheMax(v);
                case "tcache_count" -> doSetTcacheCount(v);
                case "tcache_unsorted_limit" -> doSetTcacheUnsortedLimit(v);
                case "mxfast" -> doSetMxfast(v);
                default -> {
                    // check: needs libc_malloc_debug.so; hugetlb: 0 is the default, the rest is not modelled
                }
            }
        });
    }

    void setMaxFast(long s) {
        boolean smallest = profile.maxFastZeroOnly ? s == 0 : Long.compareUnsigned(s, SIZE_SZ) < 0;
        malloc.w64(malloc.GLOBAL_MAX_FAST, smallest ? MIN_CHUNK_SIZE / 2 : ((s + SIZE_SZ) & ~MALLOC_ALIGN_MASK));
    }

    int doSetTrimThreshold(long v) {
        long old = malloc.mp(MP_TRIM_THRESHOLD);
        malloc.setMp(MP_TRIM_THRESHOLD, v);
        malloc.setMpInt(MP_NO_DYN_THRESHOLD, 1);
        Transitions.threshold(Transitions.THRESHOLD_TRIM, old, v);
        return 1;
    }

    int doSetTopPad(long v) {
        malloc.setMp(MP_TOP_PAD, v);
        malloc.setMpInt(MP_NO_DYN_THRESHOLD, 1);
        return 1;
    }

    int doSetMmapThreshold(long v) {
        if (profile.mmapThresholdCapped && Long.compareUnsigned(v, DEFAULT_MMAP_THRESHOLD_MAX) > 0) {
            return 0;
        }
        long old = malloc.mp(MP_MMAP_THRESHOLD);
        malloc.setMp(MP_MMAP_THRESHOLD, v);
        malloc.setMpInt(MP_NO_DYN_THRESHOLD, 1);
        Transitions.threshold(Transitions.THRESHOLD_MMAP, old, v);
        return 1;
    }

    int doSetMmapsMax(int v) {
        malloc.setMpInt(MP_N_MMAPS_MAX, v);
        malloc.setMpInt(MP_NO_DYN_THRESHOLD, 1);
        return 1;
    }

    int doSetPerturbByte(int v) {
        mem.write32(malloc.PERTURB_BYTE, v);
        return 1;
    }

    int doSetTcacheMax(long v) {
        if (profile.tcacheLargeBins) {
            // 2.42+: small bins up to the index of nb, large bins by bit length; nb + 1 is the bound
            if (v < 0) {
                return 0;
            }
            long nb = request2size(v);
            long idx = csize2tidx(nb);
            if (Long.compareUnsigned(idx, TCACHE_MAX_BINS) >= 0) {
                idx = Tcache.largeCsize2tidx(nb);
            }
            if (idx < profile.tcacheMaxBins) {
                if (idx < TCACHE_MAX_BINS) {
                    malloc.setMp(MP_TCACHE_BINS, idx + 1);
                }
                malloc.setMp(MP_TCACHE_MAX_BYTES, nb + 1);
                return 1;
            }
            return 0;
        }
        if (Long.compareUnsigned(v, MAX_TCACHE_SIZE) <= 0) {
            malloc.setMp(MP_TCACHE_MAX_BYTES, v);
            malloc.setMp(MP_TCACHE_BINS, csize2tidx(request2size(v)) + 1);
        }
        return 1;
    }

    int doSetTcacheCount(long v) {
        // 2.27 (tag) does not range-check: the signed char counters wrap instead
        if (profile.tcacheByteCounts || Long.compareUnsigned(v, MAX_TCACHE_COUNT) <= 0) {
            malloc.setMp(MP_TCACHE_COUNT, v);
        }
        return 1;
    }

    int doSetTcacheUnsortedLimit(long v) {
        malloc.setMp(MP_TCACHE_UNSORTED_LIMIT, v);
        return 1;
    }

    int doSetMxfast(long v) {
        if (profile.mxfastIgnored) {
            return 1; // 2.43: no fastbins; accepted and ignored
        }
        if (Long.compareUnsigned(v, MAX_FAST_SIZE) <= 0) {
            setMaxFast(v);
            return 1;
        }
        return 0;
    }

    /** {@code mallopt(param, value)}: 1 on success, 0 on failure; every call consolidates the fastbins. */
    int mallopt(int param, int value) {
        malloc.ptmallocInit();
        if (profile.trimAndMalloptConsolidate) {
            malloc.mallocConsolidate();
        }
        long v = value; // int → size_t: sign-extended
        return switch (param) {
            case M_MXFAST -> doSetMxfast(v);
            case M_TRIM_THRESHOLD -> doSetTrimThreshold(v);
            case M_TOP_PAD -> doSetTopPad(v);
            case M_MMAP_THRESHOLD -> doSetMmapThreshold(v);
            case M_MMAP_MAX -> doSetMmapsMax(value);
            case M_CHECK_ACTION -> 1;
            case M_PERTURB -> doSetPerturbByte(value);
            case M_ARENA_TEST -> {
                if (value > 0) {
                    malloc.setMp(MP_ARENA_TEST, v);
                }
                yield 1;
            }
            case M_ARENA_MAX -> {
                if (value > 0) {
                    malloc.setMp(MP_ARENA_MAX, v);
                }
                yield 1;
            }
            default -> 1;
        };
    }

    static final int M_MXFAST = 1;

    static final int M_TRIM_THRESHOLD = -1;

    static final int M_TOP_PAD = -2;

    static final int M_MMAP_THRESHOLD = -3;

    static final int M_MMAP_MAX = -4;

    static final int M_CHECK_ACTION = -5;

    static final int M_PERTURB = -6;

    static final int M_ARENA_TEST = -7;

    static final int M_ARENA_MAX = -8;
}
