package io.mallocscope.runtime.malloc;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HeapViewTest {
    @Test
    void chunkWalkAndBinsNameEveryState() {
        CheckedHeap h = new CheckedHeap();
        long[] t = new long[7];
        for (int i = 0; i < 7; i++) {
            t[i] = h.malloc(24);
        }
        long fast = h.malloc(24);
        long small = h.malloc(0x100);
        h.malloc(24);
        long large = h.malloc(0x500);
        h.malloc(24);
        long uns = h.malloc(0x600);
        h.malloc(24);
        for (long p : t) {
            h.free(p);
        }
        long[] s = new long[7];
        for (int i = 0; i < 7; i++) {
            s[i] = h.malloc(0x100);
        }
        for (long p : s) {
            h.free(p);
        }
        h.free(small);
        h.free(large);
        h.malloc(0x700); // sorts small and large into their bins (and would consolidate fastbins)
        h.free(uns);
        h.free(fast);
        HeapView v = h.view();
        assertThat(stateAt(v, h.base + fast - 16)).isEqualTo(HeapView.State.FASTBIN);
        assertThat(stateAt(v, h.base + t[0] - 16)).isEqualTo(HeapView.State.TCACHE);
        assertThat(stateAt(v, h.base + small - 16)).isEqualTo(HeapView.State.SMALLBIN);
        assertThat(stateAt(v, h.base + large - 16)).isEqualTo(HeapView.State.LARGEBIN);
        assertThat(stateAt(v, h.base + uns - 16)).isEqualTo(HeapView.State.UNSORTED);
        assertThat(v.chunks().get(v.chunks().size() - 1).state()).isEqualTo(HeapView.State.TOP);
        HeapView.Bin tc = v.bins().get(0);
        assertThat(tc.kind()).isEqualTo(BinKind.TCACHE);
        assertThat(tc.chunks()).hasSize(7).startsWith(h.base + t[6] - 16);
        assertThat(v.bins()).anySatisfy(b -> {
            assertThat(b.kind()).isEqualTo(BinKind.LARGEBIN);
            assertThat(b.index()).isEqualTo(68);
            assertThat(b.chunkSize()).isEqualTo(0x500);
        });
        assertThat(v.mallinfo2()).isEqualTo(h.c.mallinfo2());
        assertThat(v.corrupt()).isFalse();
    }

    static HeapView.State stateAt(HeapView v, long chunk) {
        for (HeapView.Chunk c : v.chunks()) {
            if (c.address() == chunk) {
                return c.state();
            }
        }
        return null;
    }

    @Test
    void survivesCyclesAndGarbage() {
        CheckedHeap h = new CheckedHeap("glibc.malloc.tcache_count=0");
        long a = h.c.malloc(24);
        long b = h.c.malloc(24);
        long big = h.c.malloc(0x500);
        h.c.malloc(24);
        h.c.free(a);
        h.c.free(b);
        h.c.free(big);
        h.c.putLong(a, (a >>> 12) ^ (b - 16)); // fastbin cycle a -> b -> a
        h.c.putLong(big, big - 16);             // unsorted chunk's fd points to itself
        h.c.putLong(b + 24, 0x7);               // garbage size in the middle of the walk
        HeapView v = HeapView.of(h.m);
        assertThat(v.bins()).isNotEmpty();
        assertThat(v.chunks()).isNotEmpty();
        assertThat(v.corrupt()).isTrue();
        List<String> problems = HeapChecker.check(h.m);
        assertThat(problems).isNotEmpty();
    }

    @Test
    void checkerSeesBrokenBoundaryTags() {
        CheckedHeap h = new CheckedHeap();
        long a = h.c.malloc(0x500);
        long g = h.c.malloc(24);
        h.c.free(a);
        h.c.putLong(g - 16, 0x400); // wrong footer
        assertThat(HeapChecker.check(h.m)).anySatisfy(s -> assertThat(s).contains("footer"));
    }
}
