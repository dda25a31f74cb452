package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.vm.Layout;

/**
 * Constants of ptmalloc2 on x86_64 and the fixed places of the allocator's globals in simulated
 * memory.
 *
 * <p>Where the globals live (libc's writable data, {@link Layout#LIBC_DATA}, is 0x2000 bytes):
 * <pre>
 *   LIBC_DATA + 0x0340  mp_            struct malloc_par, 0x88 bytes (before main_arena, as in Debian 12's
 *                                      libc.so.6: programs reach it from a main_arena leak, e.g. -0x918)
 *   LIBC_DATA + 0x0c60  main_arena     struct malloc_state, at most 0x898 bytes (ends by +0x14f8;
 *                                      its layout is the release's {@link ArenaLayout})
 *   LIBC_DATA + 0x1600  global_max_fast  size_t
 *   LIBC_DATA + 0x1608  perturb_byte     int
 *   LIBC_DATA + 0x160c  __malloc_initialized  int
 *   LIBC_DATA + 0x1610  tcache_key       uintptr_t
 * </pre>
 * The thread-local {@code tcache} pointer and {@code tcache_shutting_down} sit in the initial
 * thread's static TLS, just below the thread pointer, in the anonymous mapping under libc:
 * {@code fs_base = LIBC_ANON_START + 0x2740}; {@code tcache} at fs_base-0x50 and
 * {@code tcache_shutting_down} at fs_base-0x48. For 2.43, whose {@code tcache} points at a dummy
 * until the struct is made lazily, a null pointer stands for the dummy and a non-zero
 * {@code tcache_shutting_down} for "disabled, never to be made" (tcache_count 0 or a failed attempt).
 */
final class MallocState {
    private MallocState() {
    }

    // ---- where, in the classic kernel layout: a process's own addresses are Malloc's fields of the
    // same names without CLASSIC_ (KernelLayout moves libc), so these are not used directly
    static final long CLASSIC_MAIN_ARENA = Layout.LIBC_DATA + 0x0c60;
    static final long CLASSIC_MP = Layout.LIBC_DATA + 0x0340;
    static final long CLASSIC_GLOBAL_MAX_FAST = Layout.LIBC_DATA + 0x1600;
    static final long CLASSIC_PERTURB_BYTE = Layout.LIBC_DATA + 0x1608;
    static final long CLASSIC_MALLOC_INITIALIZED = Layout.LIBC_DATA + 0x160c;
    static final long CLASSIC_TCACHE_KEY = Layout.LIBC_DATA + 0x1610;
    static final long FS_BASE = Layout.LIBC_ANON_START + 0x2740;
    static final long CLASSIC_TCACHE_PTR = FS_BASE - 0x50;
    static final long CLASSIC_TCACHE_SHUTTING_DOWN = FS_BASE - 0x48;
    /** Each thread's TLS, relative to its thread pointer: {@code tcache}, {@code tcache_shutting_down}, {@code thread_arena}. */
    static final long TCACHE_OFF = -0x50;
    static final long TCACHE_SHUTTING_DOWN_OFF = -0x48;
    static final long THREAD_ARENA_OFF = -0x58;

    /**
     * The process-wide tcache_key. glibc draws it from getrandom at start-up; a simulation wants
     * repeatable runs, so it is a fixed random-looking value.
     */
    static final long TCACHE_KEY_VALUE = 0x5e3f1ab2c47d9061L;

    // ---- struct malloc_state offsets: they differ between releases, see ArenaLayout (GlibcProfile.arena)

    // ---- struct malloc_par offsets
    static final int MP_TRIM_THRESHOLD = 0x0;
    static final int MP_TOP_PAD = 0x8;
    static final int MP_MMAP_THRESHOLD = 0x10;
    static final int MP_ARENA_TEST = 0x18;
    static final int MP_ARENA_MAX = 0x20;
    static final int MP_THP_PAGESIZE = 0x28;
    static final int MP_HP_PAGESIZE = 0x30;
    static final int MP_HP_FLAGS = 0x38;
    static final int MP_N_MMAPS = 0x3c;
    static final int MP_N_MMAPS_MAX = 0x40;
    static final int MP_MAX_N_MMAPS = 0x44;
    static final int MP_NO_DYN_THRESHOLD = 0x48;
    static final int MP_MMAPPED_MEM = 0x50;
    static final int MP_MAX_MMAPPED_MEM = 0x58;
    static final int MP_SBRK_BASE = 0x60;
    static final int MP_TCACHE_BINS = 0x68;
    static final int MP_TCACHE_MAX_BYTES = 0x70;
    static final int MP_TCACHE_COUNT = 0x78;
    static final int MP_TCACHE_UNSORTED_LIMIT = 0x80;

    // ---- sizes
    static final long SIZE_SZ = 8;
    static final long CHUNK_HDR_SZ = 16;
    static final long MALLOC_ALIGNMENT = 16;
    static final long MALLOC_ALIGN_MASK = 15;
    static final long MIN_CHUNK_SIZE = 32;
    static final long MINSIZE = 32;
    static final long PREV_INUSE = 1;
    static final long IS_MMAPPED = 2;
    static final long NON_MAIN_ARENA = 4;
    static final long SIZE_BITS = 7;
    static final int NBINS = 128;
    static final int NSMALLBINS = 64;
    static final long MIN_LARGE_SIZE = 0x400;
    static final int NFASTBINS = 10;
    static final long MAX_FAST_SIZE = 160;
    static final long DEFAULT_MXFAST = 128;
    static final long FASTBIN_CONSOLIDATION_THRESHOLD = 0x10000;
    static final int TCACHE_MAX_BINS = 64;
    static final long MAX_TCACHE_SIZE = 1032;
    static final long MAX_TCACHE_COUNT = 65535;
    static final long DEFAULT_MMAP_THRESHOLD = 0x20000;
    static final long DEFAULT_MMAP_THRESHOLD_MAX = 0x2000000;
    static final int DEFAULT_MMAP_MAX = 65536;
    static final long DEFAULT_TRIM_THRESHOLD = 0x20000;
    static final long DEFAULT_TOP_PAD = 0x20000;
    static final long MMAP_AS_MORECORE_SIZE = 0x100000;
    static final int BINMAPSHIFT = 5;
    static final int BINMAPSIZE = 4;
    static final int MAX_ITERS = 10000;
    static final long PAGESIZE = 4096;
    static final long HEAP_MAX_SIZE = 64L << 20;
    static final int NONCONTIGUOUS_BIT = 2;
    /** Bounds every walk of a list a program may have corrupted into a cycle. */
    static final int LOOP_GUARD = 1 << 22;

    static long request2size(long req) {
        return Long.compareUnsigned(req + SIZE_SZ + MALLOC_ALIGN_MASK, MINSIZE) < 0 ? MINSIZE
                : (req + SIZE_SZ + MALLOC_ALIGN_MASK) & ~MALLOC_ALIGN_MASK;
    }

    static long csize2tidx(long size) {
        return Long.divideUnsigned(size - MINSIZE + MALLOC_ALIGNMENT - 1, MALLOC_ALIGNMENT);
    }

    static long tidx2usize(long idx) {
        return idx * MALLOC_ALIGNMENT + MINSIZE - SIZE_SZ;
    }

    static int fastbinIndex(long size) {
        return (int) ((size >>> 4) - 2);
    }

    /**
     * fastbin_index of an arbitrary (maybe corrupted) size as glibc's checks compute it: the macro casts
     * the size to {@code unsigned int}, so only its low 32 bits count (0x100000021 passes for a 0x20
     * fastbin chunk), and the result is an unsigned 32-bit value (a size below 0x20 wraps far above any
     * real index).
     */
    static long fastbinIndexOf(long size) {
        return (((size & 0xffffffffL) >>> 4) - 2) & 0xffffffffL;
    }

    static boolean inSmallbinRange(long size) {
        return Long.compareUnsigned(size, MIN_LARGE_SIZE) < 0;
    }

    static int smallbinIndex(long size) {
        return (int) (size >>> 4);
    }

    static int largebinIndex(long sz) {
        long s6 = sz >>> 6;
        if (s6 <= 48) {
            return (int) (48 + s6);
        }
        long s9 = sz >>> 9;
        if (s9 <= 20) {
            return (int) (91 + s9);
        }
        long s12 = sz >>> 12;
        if (s12 <= 10) {
            return (int) (110 + s12);
        }
        long s15 = sz >>> 15;
        if (s15 <= 4) {
            return (int) (119 + s15);
        }
        long s18 = sz >>> 18;
        if (s18 <= 2) {
            return (int) (124 + s18);
        }
        return 126;
    }

    static int binIndex(long size) {
        return inSmallbinRange(size) ? smallbinIndex(size) : largebinIndex(size);
    }

    static long alignUp(long v, long a) {
        return (v + a - 1) & -a;
    }
}
