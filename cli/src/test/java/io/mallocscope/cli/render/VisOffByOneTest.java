package io.mallocscope.cli.render;

import io.mallocscope.cli.source.HeapViews;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue #17: after an off-by-one {@code malloc(strlen(s))}, vis shows the size word the NUL zeroed. */
class VisOffByOneTest {
    @Test
    void theZeroedSizeWordIsShownWhereTheWalkStops() {
        CProcess p = CProcess.create();
        LibC c = p.libc();
        String s = "twenty-four characters!!"; // strlen 24: malloc(24) is a 0x20 chunk, 24 usable bytes
        long copy = c.malloc(s.length()); // the mistake: no room for the NUL
        c.malloc(24);
        c.strcpy(copy, s); // the NUL lands on the low byte of the next chunk's size: 0x21 becomes 0x00
        StringWriter sw = new StringWriter();
        new VisRenderer(0).render(HeapViews.snapshot(3, p), new PrintWriter(sw, true), Style.PLAIN);
        String[] rows = sw.toString().split("\n");
        assertThat(rows[rows.length - 2]).isEqualTo(
                "0x5555555592a0\t0x662d79746e657774\t0x726168632072756f\ttwenty-four char");
        assertThat(rows[rows.length - 1]).isEqualTo("0x5555555592b0\t0x2121737265746361\t0x0000000000000000"
                + "\tacters!!........\t <-- size 0x0 cannot be a chunk's: the heap walk stops here");
    }
}
