package io.mallocscope.cli.render;

import io.mallocscope.cli.testing.Approved;
import io.mallocscope.cli.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class DiffRendererTest {
    @Test
    void firstFitToTcachePair() {
        StringWriter sw = new StringWriter();
        new DiffRenderer().render(Fixtures.firstFitAfterFree(), Fixtures.tcachePair(), new PrintWriter(sw, true),
                Style.PLAIN);
        String out = sw.toString();
        assertThat(out).startsWith("step 3 → step 5\n");
        assertThat(out).contains("~ 0x555555559290 shrank 0x520 → 0x20, in tcachebins");
        assertThat(out).contains("unsortedbin: -0x555555559290  (1 → 0)");
        assertThat(out).contains("tcachebins[0x20]: +0x5555555592b0 +0x555555559290  (0 → 2)");
        Approved.verify("diff-first-fit-to-tcache-pair", out);
    }

    @Test
    void sameStateIsNoChange() {
        StringWriter sw = new StringWriter();
        new DiffRenderer().render(Fixtures.tcachePair(), Fixtures.tcachePair(), new PrintWriter(sw, true), Style.PLAIN);
        assertThat(sw.toString()).isEqualTo("step 5 → step 5\nno change\n");
    }
}
