package io.mallocscope.cli.model;

import java.util.List;

/**
 * Every arena of one process at a step, as pwndbg's {@code arenas} and {@code heap -v} show them:
 * main_arena first, then the order of {@code main_arena.next} (the newest arena first), as malloc_stats
 * numbers them.
 *
 * @param pid      the process
 * @param arenas   the arenas
 * @param freeList arena.c's {@code free_list}: arenas no thread is attached to, the next to be reused first
 */
public record ArenaTable(int step, int pid, List<Arena> arenas, List<Long> freeList) {
    public ArenaTable {
        arenas = List.copyOf(arenas);
        freeList = List.copyOf(freeList);
    }

    /**
     * One arena: its number, address, top chunk, {@code system_mem}, {@code next}, {@code next_free},
     * {@code attached_threads}, the threads whose {@code thread_arena} it is (by number), and a non-main
     * arena's heaps oldest first.
     */
    public record Arena(int number, long address, boolean main, long top, long topSize, long systemMem,
                        long maxSystemMem, long next, long nextFree, long attachedThreads, List<Integer> threads,
                        List<Heap> heaps) {
        public Arena {
            threads = List.copyOf(threads);
            heaps = List.copyOf(heaps);
        }
    }

    /** One heap of a non-main arena: its {@code heap_info} fields. */
    public record Heap(long address, long arPtr, long prev, long size, long mprotectSize) {
    }
}
