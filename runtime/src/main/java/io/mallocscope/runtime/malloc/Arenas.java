package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.vm.AddressSpace;
import io.mallocscope.runtime.vm.Kernel;
import io.mallocscope.runtime.vm.Layout;

import static io.mallocscope.runtime.malloc.MallocState.*;

/**
 * ptmalloc2's non-main arenas (malloc/arena.c): each lives at the start of a 64 MiB-aligned heap
 * mapped for it, right after that heap's {@code heap_info}; further heaps of the same arena chain
 * back through {@code heap_info->prev}. Everything is data in simulated memory, as in glibc: the
 * arena list runs through {@code main_arena.next}, the free list through {@code next_free}, each
 * thread's arena pointer ({@code thread_arena}) sits in its TLS, and {@code free_list},
 * {@code narenas}, {@code narenas_limit}, {@code next_to_use} and {@code aligned_heap_area} in libc's
 * data. A chunk's arena is found only through the A bit and {@code heap_for_ptr(p)->ar_ptr}, so a
 * forged {@code heap_info} (House of Mind) is followed exactly as glibc follows it.
 *
 * <p>Where the globals live (after {@code tcache_key}, see {@link MallocState}):
 * <pre>
 *   LIBC_DATA + 0x1620  free_list           mstate
 *   LIBC_DATA + 0x1628  narenas             size_t (1 once malloc is initialised)
 *   LIBC_DATA + 0x1630  narenas_limit       size_t (arena_get2's static)
 *   LIBC_DATA + 0x1638  next_to_use         mstate (reused_arena's static)
 *   LIBC_DATA + 0x1640  aligned_heap_area   char *
 * </pre>
 */
final class Arenas {
    // where they are in this process (another kernel layout moves libc's data)
    private final long FREE_LIST;
    private final long NARENAS;
    private final long NARENAS_LIMIT;
    private final long NEXT_TO_USE;
    private final long ALIGNED_HEAP_AREA;
    private final long MAIN_ARENA;

    static final long HEAP_MIN_SIZE = 32 * 1024;

    // struct heap_info
    static final int H_AR_PTR = 0x0;
    static final int H_PREV = 0x8;
    static final int H_SIZE = 0x10;
    static final int H_MPROTECT_SIZE = 0x18;
    /** heap_info.pagesize, 2.35 and later. */
    static final int H_PAGESIZE = 0x20;

    private static final int RW = AddressSpace.PROT_READ | AddressSpace.PROT_WRITE;
    private static final int HEAP_MAP_FLAGS = Kernel.MAP_PRIVATE | Kernel.MAP_ANONYMOUS | Kernel.MAP_NORESERVE;

    private final Malloc m;
    private final AddressSpace mem;
    private final Kernel kernel;
    private final ArenaLayout arena;
    /** sizeof (heap_info): 0x20 up to 2.34, 0x30 once it gained {@code pagesize}. */
    final long heapInfoSize;
    /** The simulated machine's CPUs (__get_nprocs_sched), for NARENAS_FROM_NCORES. */
    int cpus = 1;

    Arenas(Malloc m, long libcDataShift) {
        this.m = m;
        FREE_LIST = Layout.LIBC_DATA + 0x1620 + libcDataShift;
        NARENAS = Layout.LIBC_DATA + 0x1628 + libcDataShift;
        NARENAS_LIMIT = Layout.LIBC_DATA + 0x1630 + libcDataShift;
        NEXT_TO_USE = Layout.LIBC_DATA + 0x1638 + libcDataShift;
        ALIGNED_HEAP_AREA = Layout.LIBC_DATA + 0x1640 + libcDataShift;
        MAIN_ARENA = m.MAIN_ARENA;
        this.mem = m.mem;
        this.kernel = m.kernel;
        this.arena = m.arena;
        this.heapInfoSize = minor(m.profile.version) >= 35 ? 0x30 : 0x20;
    }

    private static int minor(String version) {
        return Integer.parseInt(version.substring(version.indexOf('.') + 1));
    }

    /** heap_for_ptr: the heap a non-main chunk lies in. */
    static long heapForPtr(long p) {
        return p & ~(HEAP_MAX_SIZE - 1);
    }

    /** ptmalloc_init's part: {@code narenas = 1}. */
    void init() {
        mem.write64(NARENAS, 1);
    }

    /** Where {@code free_list} is. */
    long freeListAddress() {
        return FREE_LIST;
    }

    long narenas() {
        return mem.read64(NARENAS);
    }

    private long r64(long a) {
        return mem.read64(a);
    }

    private void w64(long a, long v) {
        mem.write64(a, v);
    }

    // ================================================================ heaps

    /** new_heap (alloc_new_heap): a heap of {@code size + topPad} (bounded), aligned to HEAP_MAX_SIZE; 0 on failure. */
    long newHeap(long size, long topPad) {
        long max = HEAP_MAX_SIZE;
        if (Long.compareUnsigned(size + topPad, HEAP_MIN_SIZE) < 0) {
            size = HEAP_MIN_SIZE;
        } else if (Long.compareUnsigned(size + topPad, max) <= 0) {
            size += topPad;
        } else if (Long.compareUnsigned(size, max) > 0) {
            return 0;
        } else {
            size = max;
        }
        size = alignUp(size, PAGESIZE);
        long p2 = Kernel.MAP_FAILED;
        long hint = r64(ALIGNED_HEAP_AREA);
        if (hint != 0) {
            p2 = kernel.mmap(hint, max, AddressSpace.PROT_NONE, HEAP_MAP_FLAGS, -1, 0);
            w64(ALIGNED_HEAP_AREA, 0);
            if (p2 != Kernel.MAP_FAILED && (p2 & (max - 1)) != 0) {
                kernel.munmap(p2, max);
                p2 = Kernel.MAP_FAILED;
            }
        }
        if (p2 == Kernel.MAP_FAILED) {
            long p1 = kernel.mmap(0, max << 1, AddressSpace.PROT_NONE, HEAP_MAP_FLAGS, -1, 0);
            if (p1 != Kernel.MAP_FAILED) {
                p2 = (p1 + (max - 1)) & ~(max - 1);
                long ul = p2 - p1;
                if (ul != 0) {
                    kernel.munmap(p1, ul);
                } else {
                    w64(ALIGNED_HEAP_AREA, p2 + max);
                }
                kernel.munmap(p2 + max, max - ul);
            } else {
                p2 = kernel.mmap(0, max, AddressSpace.PROT_NONE, HEAP_MAP_FLAGS, -1, 0);
                if (p2 == Kernel.MAP_FAILED) {
                    return 0;
                }
                if ((p2 & (max - 1)) != 0) {
                    kernel.munmap(p2, max);
                    return 0;
                }
            }
        }
        if (kernel.mprotect(p2, size, RW) != 0) {
            kernel.munmap(p2, max);
            return 0;
        }
        w64(p2 + H_SIZE, size);
        w64(p2 + H_MPROTECT_SIZE, size);
        if (heapInfoSize == 0x30) {
            w64(p2 + H_PAGESIZE, PAGESIZE);
        }
        return p2;
    }

    /** grow_heap: 0, or -1 past HEAP_MAX_SIZE, -2 when mprotect fails. */
    int growHeap(long h, long diff) {
        diff = alignUp(diff, PAGESIZE);
        long newSize = r64(h + H_SIZE) + diff;
        if (Long.compareUnsigned(newSize, HEAP_MAX_SIZE) > 0) {
            return -1;
        }
        long mprotectSize = r64(h + H_MPROTECT_SIZE);
        if (Long.compareUnsigned(newSize, mprotectSize) > 0) {
            if (kernel.mprotect(h + mprotectSize, newSize - mprotectSize, RW) != 0) {
                return -2;
            }
            w64(h + H_MPROTECT_SIZE, newSize);
        }
        w64(h + H_SIZE, newSize);
        return 0;
    }

    /**
     * shrink_heap. check_may_shrink_heap is false under Linux's default overcommit (0, heuristic; it is
     * true only for 2, strict), so glibc does not remap the tail PROT_NONE (mprotect_size stays) but
     * madvises it MADV_DONTNEED: the tail stays mapped read-write and its pages are dropped, so they
     * read zeros when the heap grows over them again. Modelled by mapping the tail afresh like the
     * mapping it is part of (the pages go, the mapping merges back: /proc/self/maps does not change).
     */
    int shrinkHeap(long h, long diff) {
        long newSize = r64(h + H_SIZE) - diff;
        if (newSize < heapInfoSize) {
            return -1;
        }
        long from = h + newSize;
        mem.mapLike(mem.regionAt(from), from, from + diff);
        w64(h + H_SIZE, newSize);
        return 0;
    }

    private void deleteHeap(long heap) {
        if (heap + HEAP_MAX_SIZE == r64(ALIGNED_HEAP_AREA)) {
            w64(ALIGNED_HEAP_AREA, 0);
        }
        kernel.munmap(heap, HEAP_MAX_SIZE);
    }

    /** heap_trim: delete heaps whose whole space is free top, then shrink the top heap; 1 if shrunk. */
    int heapTrim(long heap, long pad) {
        long ar = r64(heap + H_AR_PTR);
        long topChunk = r64(ar + arena.top);
        while (topChunk == heap + heapInfoSize) {
            long prevHeap = r64(heap + H_PREV);
            long prevSize = r64(prevHeap + H_SIZE) - (MINSIZE - 2 * SIZE_SZ);
            long p = prevHeap + prevSize;
            long misalign = p & MALLOC_ALIGN_MASK;
            p = prevHeap + prevSize - misalign;
            if (m.chunksizeNomask(p) != PREV_INUSE) {
                throw m.assertFail("heap_trim", "chunksize_nomask (p) == (0 | PREV_INUSE)", -1);
            }
            p = p - m.prevSize(p);
            long newSize = m.chunksize(p) + (MINSIZE - 2 * SIZE_SZ) + misalign;
            if (!m.prevInuse(p)) {
                newSize += m.prevSize(p);
            }
            if (newSize + (HEAP_MAX_SIZE - r64(prevHeap + H_SIZE)) < pad + MINSIZE + PAGESIZE) {
                break;
            }
            w64(ar + arena.systemMem, r64(ar + arena.systemMem) - r64(heap + H_SIZE));
            deleteHeap(heap);
            heap = prevHeap;
            if (!m.prevInuse(p)) {
                p = p - m.prevSize(p);
                m.unlinkChunk(p);
            }
            topChunk = p;
            w64(ar + arena.top, p);
            m.setHead(p, newSize | PREV_INUSE);
        }
        long topSize = m.chunksize(topChunk);
        if (Long.compareUnsigned(topSize, m.mp(MP_TRIM_THRESHOLD)) < 0) {
            return 0;
        }
        long topArea = topSize - MINSIZE - 1;
        if (topArea < 0 || Long.compareUnsigned(topArea, pad) <= 0) {
            return 0;
        }
        long extra = (topArea - pad) & ~(PAGESIZE - 1);
        if (extra == 0) {
            return 0;
        }
        if (shrinkHeap(heap, extra) != 0) {
            return 0;
        }
        w64(ar + arena.systemMem, r64(ar + arena.systemMem) - extra);
        m.setHead(topChunk, (topSize - extra) | PREV_INUSE);
        Transitions.topShrink(topChunk, topSize, topSize - extra);
        return 1;
    }

    // ================================================================ arenas

    /** _int_new_arena: a heap with the arena at its start, linked after main_arena; attached to the caller. */
    long intNewArena(long size) {
        long topPad = m.mp(MP_TOP_PAD);
        long h = newHeap(size + (heapInfoSize + arena.size + MALLOC_ALIGNMENT), topPad);
        if (h == 0) {
            h = newHeap(heapInfoSize + arena.size + MALLOC_ALIGNMENT, topPad);
            if (h == 0) {
                return 0;
            }
        }
        long a = h + heapInfoSize;
        w64(h + H_AR_PTR, a);
        m.mallocInitState(a);
        w64(a + arena.attachedThreads, 1);
        long hsize = r64(h + H_SIZE);
        w64(a + arena.systemMem, hsize);
        w64(a + arena.maxSystemMem, hsize);
        long ptr = a + arena.size;
        long misalign = (ptr + CHUNK_HDR_SZ) & MALLOC_ALIGN_MASK;
        if (misalign > 0) {
            ptr += MALLOC_ALIGNMENT - misalign;
        }
        w64(a + arena.top, ptr);
        m.setHead(ptr, (h + hsize - ptr) | PREV_INUSE);
        Transitions.topExtend(0, 0, ptr, h + hsize - ptr); // the new arena's first top, made here, not by sysmalloc
        long replaced = m.threadArena();
        m.setThreadArena(a);
        w64(a + arena.next, r64(MAIN_ARENA + arena.next));
        w64(MAIN_ARENA + arena.next, a);
        detachArena(replaced);
        return a;
    }

    private void detachArena(long replaced) {
        if (replaced != 0) {
            w64(replaced + arena.attachedThreads, r64(replaced + arena.attachedThreads) - 1);
        }
    }

    /** get_free_list: the most recently freed arena, attached to the caller; 0 when the list is empty. */
    long getFreeList() {
        long replaced = m.threadArena();
        long result = r64(FREE_LIST);
        if (result != 0) {
            w64(FREE_LIST, r64(result + arena.nextFree));
            w64(result + arena.attachedThreads, 1);
            detachArena(replaced);
            m.setThreadArena(result);
        }
        return result;
    }

    private void removeFromFreeList(long a) {
        long previous = FREE_LIST;
        for (long p = r64(FREE_LIST); p != 0; p = r64(p + arena.nextFree)) {
            if (p == a) {
                w64(previous, r64(p + arena.nextFree));
                break;
            }
            previous = p + arena.nextFree;
        }
    }

    /**
     * reused_arena: the first arena from {@code next_to_use} whose lock is free. One simulated thread
     * runs at a time and none holds an arena lock between calls, so that is {@code next_to_use} itself.
     */
    long reusedArena(long avoid) {
        long result = r64(NEXT_TO_USE);
        if (result == 0) {
            result = MAIN_ARENA;
        }
        long replaced = m.threadArena();
        detachArena(replaced);
        removeFromFreeList(result);
        w64(result + arena.attachedThreads, r64(result + arena.attachedThreads) + 1);
        m.setThreadArena(result);
        w64(NEXT_TO_USE, r64(result + arena.next));
        return result;
    }

    /** arena_get2: a free arena, a new one below the limit, or a reused one. */
    long arenaGet2(long size, long avoid) {
        long a = getFreeList();
        if (a == 0) {
            long limit = r64(NARENAS_LIMIT);
            if (limit == 0) {
                long arenaMax = m.mp(MP_ARENA_MAX);
                if (arenaMax != 0) {
                    limit = arenaMax;
                } else if (Long.compareUnsigned(narenas(), m.mp(MP_ARENA_TEST)) > 0) {
                    limit = 8L * Math.max(cpus, 1); // NARENAS_FROM_NCORES on 64-bit
                }
                w64(NARENAS_LIMIT, limit);
            }
            long n = narenas();
            if (Long.compareUnsigned(n, limit - 1) <= 0) {
                w64(NARENAS, n + 1);
                a = intNewArena(size);
                if (a == 0) {
                    w64(NARENAS, narenas() - 1);
                }
            } else {
                a = reusedArena(avoid);
            }
        }
        return a;
    }

    /** arena_get: the caller's arena, or arena_get2 for a thread that has none yet. */
    long arenaGet(long size) {
        long a = m.threadArena();
        return a != 0 ? a : arenaGet2(size, 0);
    }

    /** arena_get_retry: main_arena after a non-main arena failed, else another arena. */
    long arenaGetRetry(long arPtr, long bytes) {
        if (arPtr != MAIN_ARENA) {
            return MAIN_ARENA;
        }
        return arenaGet2(bytes, arPtr);
    }

    /** __malloc_arena_thread_freeres: the tcache first, then the arena goes on the free list if unused. */
    void threadFreeres() {
        m.tcacheFns.tcacheThreadShutdown();
        long a = m.threadArena();
        m.setThreadArena(0);
        if (a != 0) {
            long attached = r64(a + arena.attachedThreads) - 1;
            w64(a + arena.attachedThreads, attached);
            if (attached == 0) {
                w64(a + arena.nextFree, r64(FREE_LIST));
                w64(FREE_LIST, a);
            }
        }
    }

    /**
     * __malloc_fork_unlock_child: the child has one thread, so every arena but the forking thread's
     * goes on a rebuilt free list (in the order of main_arena.next, so the last one on the ring is taken
     * first) with no thread attached, and the forking thread's arena has exactly one.
     */
    void forkUnlockChild() {
        long mine = m.threadArena();
        if (mine != 0) {
            w64(mine + arena.attachedThreads, 1);
        }
        long freeList = 0;
        long a = MAIN_ARENA;
        do {
            if (a != mine) {
                w64(a + arena.attachedThreads, 0);
                w64(a + arena.nextFree, freeList);
                freeList = a;
            }
            a = r64(a + arena.next);
        } while (a != MAIN_ARENA);
        w64(FREE_LIST, freeList);
    }

    private static long alignUp(long v, long a) {
        return (v + a - 1) & -a;
    }
}
