package io.mallocscope.cli.model;

import java.util.List;
import java.util.Map;

/**
 * The state of one simulated process after a given step: the chunk walk of the main heap, every
 * non-empty bin, the memory map, the program break, and read access to memory. Everything the
 * heap, bins, vis, maps and diff views show comes from here.
 *
 * @param step       how many top-level calls had run (0 = before the first)
 * @param heapStart  the first chunk of the main heap (0 when malloc has not run yet)
 * @param top        the top chunk's address (0 when none)
 * @param mainArena  the address of {@code main_arena}, for naming the bin heads ({@code 0}: unknown)
 * @param mmapped    chunks outside the heap, obtained with mmap
 * @param params     arena and {@code mp_} parameters by glibc name, for diff
 * @param corrupt    the chunk walk stopped early: the heap looks corrupted after the last chunk listed
 */
public record HeapSnapshot(int step, long heapStart, long top, long brk, long mainArena, List<Chunk> chunks,
                           List<Chunk> mmapped, List<Bin> bins, List<MapRegion> maps, Map<String, Long> params,
                           Memory memory, boolean corrupt) {
    public HeapSnapshot {
        chunks = List.copyOf(chunks);
        mmapped = List.copyOf(mmapped);
        bins = List.copyOf(bins);
        maps = List.copyOf(maps);
        params = Map.copyOf(params);
    }

    /** The bins of one kind, in index order. */
    public List<Bin> bins(BinType type) {
        return bins.stream().filter(b -> b.type() == type).toList();
    }
}
