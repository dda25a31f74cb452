package io.mallocscope.junit;

/**
 * Entry point of the fluent heap assertions:
 * <pre>{@code
 * import static io.mallocscope.junit.HeapAssertions.assertThat;
 * import static io.mallocscope.runtime.malloc.BinKind.TCACHE;
 *
 * assertThat(heap).bin(TCACHE, 0x20).containsExactly(p2, p1);
 * assertThat(heap).chunkAt(p).isFree().hasSize(0x30);
 * assertThat(heap).hasNoLeaks();
 * }</pre>
 * Pointers are the ones malloc returned; messages show addresses as heap offsets.
 */
public final class HeapAssertions {
    private HeapAssertions() {
    }

    public static HeapAssert assertThat(Heap heap) {
        return new HeapAssert(heap);
    }
}
