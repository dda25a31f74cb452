package io.mallocscope.junit;

import io.mallocscope.runtime.LibC;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/coursework.md's claim: where the first malloc(24) lands, per glibc version (heap.offset). */
class FirstMallocOffsetTest {
    @Test
    @SimulatedProcess(glibc = "2.23")
    void glibc223HasNoTcache(LibC c, Heap heap) {
        assertThat(heap.offset(c.malloc(24))).isEqualTo(0x10);
    }

    @Test
    @SimulatedProcess(glibc = "2.27")
    void glibc227HasASmallerTcacheStruct(LibC c, Heap heap) {
        assertThat(heap.offset(c.malloc(24))).isEqualTo(0x260);
    }

    @Test
    @SimulatedProcess(glibc = "2.31")
    void glibc231(LibC c, Heap heap) {
        assertThat(heap.offset(c.malloc(24))).isEqualTo(0x2a0);
    }

    @Test
    @SimulatedProcess(glibc = "2.36")
    void glibc236(LibC c, Heap heap) {
        assertThat(heap.offset(c.malloc(24))).isEqualTo(0x2a0);
    }

    @Test
    @SimulatedProcess(glibc = "2.41")
    void glibc241(LibC c, Heap heap) {
        assertThat(heap.offset(c.malloc(24))).isEqualTo(0x2a0);
    }

    @Test
    @SimulatedProcess(glibc = "2.43")
    void glibc243PutsTheTcacheStructElsewhere(LibC c, Heap heap) {
        assertThat(heap.offset(c.malloc(24))).isEqualTo(0x10);
    }
}
