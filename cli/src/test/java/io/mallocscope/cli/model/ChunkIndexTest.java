package io.mallocscope.cli.model;

import io.mallocscope.runtime.malloc.HeapView;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ChunkIndexTest {
    static Chunk chunk(long a, long size, HeapView.State st) {
        return new Chunk(a, 0, size | 1, st, 0, 0, 0, 0, 0);
    }

    static HeapSnapshot state(List<Chunk> heap, List<Chunk> mmapped) {
        return new HeapSnapshot(1, 0x555555559000L, 0, 0, 0, heap, mmapped, List.of(), List.of(), Map.of(),
                a -> 0, false);
    }

    @Test
    void findsEveryChunkOfABigHeapByAddressInListingOrder() {
        List<Chunk> heap = new ArrayList<>();
        long a = 0x555555559000L;
        for (int i = 0; i < 50_000; i++, a += 0x20) {
            heap.add(chunk(a, 0x20, i % 3 == 0 ? HeapView.State.TCACHE : HeapView.State.IN_USE));
        }
        Chunk top = chunk(a, 0x20000, HeapView.State.TOP);
        heap.add(top);
        Chunk mm = chunk(0x7ffff7d9f000L, 0x31000, HeapView.State.IN_USE);
        ChunkIndex index = new ChunkIndex(state(heap, List.of(mm)));
        assertThat(index.get(0x555555559000L + 0x20 * 12345)).isSameAs(heap.get(12345));
        assertThat(index.get(0x7ffff7d9f000L)).isSameAs(mm);
        assertThat(index.contains(0x555555559010L)).as("inside a chunk, not a chunk").isFalse();
        assertThat(index.top()).isSameAs(top);
        assertThat(index.chunks()).hasSize(50_002).startsWith(heap.get(0), heap.get(1)).endsWith(top, mm);
    }

    @Test
    void anAddressListedTwiceKeepsItsFirstPlaceAndItsLastChunk() {
        Chunk first = chunk(0x1000, 0x20, HeapView.State.IN_USE);
        Chunk again = chunk(0x1000, 0x40, HeapView.State.IN_USE);
        Chunk other = chunk(0x2000, 0x20, HeapView.State.IN_USE);
        ChunkIndex index = new ChunkIndex(state(List.of(first, other), List.of(again)));
        assertThat(index.chunks()).containsExactly(again, other);
        assertThat(index.top()).isNull();
    }
}
