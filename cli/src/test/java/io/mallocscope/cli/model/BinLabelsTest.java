package io.mallocscope.cli.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Large-bin labels come from the runtime's geometry (glibc's largebin_index_64, as the facts table of
 * glibc 2.36 lists the ranges); the last bin, 126, holds every size from 0x80000 up, as far as a
 * size word goes.
 */
class BinLabelsTest {
    @Test
    void largeBinsAreLabelledByTheirRanges() {
        assertThat(BinLabels.name(BinType.LARGEBIN, 64, 0x400)).isEqualTo("largebins[0x400-0x430]");
        assertThat(BinLabels.name(BinType.LARGEBIN, 97, 0xc40)).isEqualTo("largebins[0xc40-0xdf0]");
        assertThat(BinLabels.name(BinType.LARGEBIN, 112, 0x2a00)).isEqualTo("largebins[0x2a00-0x2ff0]");
        assertThat(BinLabels.name(BinType.LARGEBIN, 120, 0xa000)).isEqualTo("largebins[0xa000-0xfff0]");
        assertThat(BinLabels.name(BinType.LARGEBIN, 125, 0x40000)).isEqualTo("largebins[0x40000-0x7fff0]");
        assertThat(BinLabels.name(BinType.LARGEBIN, 126, 0x80000)).isEqualTo("largebins[0x80000-0xfffffffffffffff0]");
        assertThat(BinLabels.name(BinType.LARGEBIN, 127, 0)).isEqualTo("largebins[#127]");
    }

    @Test
    void aTransitionsTcacheOrFastbinIsNamedByItsIndexNotItsChunksSizeWord() {
        // tcache-stashing-unlink-attack: calloc stashes a fake stack chunk whose size word is 0 into tcache index 8
        assertThat(BinLabels.ofEvent(BinType.TCACHE, 8, 0)).isEqualTo("tcachebins[0xa0]");
        assertThat(BinLabels.ofEvent(BinType.TCACHE, 0, 0x21)).isEqualTo("tcachebins[0x20]");
        assertThat(BinLabels.ofEvent(BinType.FASTBIN, 1, 0x7f)).isEqualTo("fastbins[0x30]");
        assertThat(BinLabels.ofEvent(BinType.SMALLBIN, 10, 0xa0)).isEqualTo("smallbins[0xa0]");
        assertThat(BinLabels.ofEvent(BinType.LARGEBIN, 64, 0x400)).isEqualTo("largebins[0x400-0x430]");
    }
}
