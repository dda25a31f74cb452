package io.mallocscope.runtime.vm;

import io.mallocscope.runtime.Segfault;
import org.junit.jupiter.api.Test;

import static io.mallocscope.runtime.vm.AddressSpace.PROT_READ;
import static io.mallocscope.runtime.vm.AddressSpace.PROT_WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddressSpaceTest {
    private final AddressSpace as = new AddressSpace();

    @Test
    void untouchedPagesReadAsZeroAndCostNothing() {
        as.map(0x10000000L, 0x10000000L + (1L << 40), PROT_READ | PROT_WRITE, "");
        assertThat(as.read64(0x10000000L + (1L << 39))).isZero();
        as.write8(0x10000000L + (1L << 39) + 5, 0x41);
        assertThat(as.residentPages()).isEqualTo(1);
        assertThat(as.read64(0x10000000L + (1L << 39))).isEqualTo(0x41L << 40);
    }

    @Test
    void littleEndianAcrossPageBoundary() {
        as.map(0x1000, 0x3000, PROT_READ | PROT_WRITE, "");
        as.write64(0x1ffc, 0x1122334455667788L);
        assertThat(as.read32(0x1ffc)).isEqualTo(0x55667788);
        assertThat(as.read32(0x2000)).isEqualTo(0x11223344);
        assertThat(as.read16(0x1fff)).isEqualTo(0x4455);
        assertThat(as.read8(0x2003)).isEqualTo(0x11);
        assertThat(as.read64(0x1ffc)).isEqualTo(0x1122334455667788L);
    }

    @Test
    void unmappedAccessFaultsWithAddressAndReason() {
        assertThatThrownBy(() -> as.read64(0x4000))
                .isInstanceOf(Segfault.class)
                .hasMessage("SIGSEGV: invalid read of 8 bytes at 0x4000 (address not mapped (null pointer dereference?))");
        assertThatThrownBy(() -> as.write32(0xffff800000001000L, 1))
                .isInstanceOf(Segfault.class)
                .hasMessageContaining("kernel address");
        assertThatThrownBy(() -> as.read8(0x0000900000000000L))
                .isInstanceOf(Segfault.class)
                .hasMessageContaining("non-canonical address");
    }

    @Test
    void writeToReadOnlyPageFaults() {
        as.map(0x7000, 0x8000, PROT_READ, "/bin/x");
        assertThat(as.read64(0x7000)).isZero();
        assertThatThrownBy(() -> as.write8(0x7001, 1))
                .isInstanceOfSatisfying(Segfault.class, s -> {
                    assertThat(s.address()).isEqualTo(0x7001);
                    assertThat(s.isWrite()).isTrue();
                    assertThat(s.reason()).isEqualTo("page not writable: r--p /bin/x");
                });
    }

    @Test
    void faultOnSecondPageOfStraddlingWriteChangesNothing() {
        as.map(0x1000, 0x2000, PROT_READ | PROT_WRITE, "");
        assertThatThrownBy(() -> as.write64(0x1ffc, -1L)).isInstanceOf(Segfault.class)
                .extracting(e -> ((Segfault) e).address()).isEqualTo(0x2000L);
        assertThat(as.read32(0x1ffc)).isZero();
    }

    @Test
    void mapsListsRegionsLikeProc() {
        as.map(0x555555559000L, 0x55555557a000L, PROT_READ | PROT_WRITE, "[heap]");
        assertThat(as.maps()).isEqualTo(
                "555555559000-55555557a000 rw-p 00000000 00:00 0                          [heap]\n");
    }

    @Test
    void adjacentAnonymousMappingsMergeAndUnmapPunchesHoles() {
        as.map(0x10000, 0x12000, PROT_READ | PROT_WRITE, "");
        as.map(0x12000, 0x14000, PROT_READ | PROT_WRITE, "");
        assertThat(as.regions()).hasSize(1);
        as.write8(0x12000, 7);
        as.unmap(0x11000, 0x13000);
        assertThat(as.regions()).extracting(Region::start, Region::end)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0x10000L, 0x11000L),
                        org.assertj.core.groups.Tuple.tuple(0x13000L, 0x14000L));
        as.map(0x11000, 0x13000, PROT_READ | PROT_WRITE, "");
        assertThat(as.read8(0x12000)).as("a remapped page is fresh").isZero();
    }

    @Test
    void findFreeTopDownTakesHighestGap() {
        as.map(0x7000000, 0x8000000, PROT_READ, "x");
        as.map(0x6000000, 0x6ff0000, PROT_READ, "y");
        assertThat(as.findFreeTopDown(0x10000, 0x10000, 0x8000000)).isEqualTo(0x6ff0000L);
        assertThat(as.findFreeTopDown(0x20000, 0x10000, 0x8000000)).isEqualTo(0x5fe0000L);
    }
}
