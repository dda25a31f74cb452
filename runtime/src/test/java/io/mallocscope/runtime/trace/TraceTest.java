package io.mallocscope.runtime.trace;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.signal.Abort;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TraceTest {
    static final String BRIEF = "a 0 24\na 1 24\nf 0\na 2 24\na 3 200000\nf 3\na 4 200000\nr 1 5000\nf 2\n";

    static String replay(String text) {
        StringBuilder out = new StringBuilder();
        OffsetsReplay.run(Trace.parse("t.rep", text), ProcessOptions.defaults(), out);
        return out.toString();
    }

    @Test
    void briefExampleMatchesRealGlibc() {
        assertThat(replay(BRIEF)).isEqualTo("""
                a 0 H+0x2a0 0x21
                a 1 H+0x2c0 0x21
                a 2 H+0x2a0 0x21
                a 3 M+0x10 0x31002
                a 4 H+0x2e0 0x30d51
                r 1 H+0x31030 0x1391
                brk H+0x52000
                mallinfo arena=335872 ordblks=1 smblks=0 hblks=0 hblkhd=0 fsmblks=0 uordblks=205744 fordblks=130128 keepcost=130128
                """);
    }

    @Test
    void headerCommentsBlankLinesAndTunables() {
        Trace t = Trace.parse("x.rep", "20000\n5\n12\n1\n\n# a comment\n# tunables: glibc.malloc.tcache_count=0\na 0 24\nf 0\n");
        assertThat(t.size()).isEqualTo(2);
        assertThat(t.tunables()).isEqualTo("glibc.malloc.tcache_count=0");
        assertThat(t.op(0)).isEqualTo(TraceOp.MALLOC);
        assertThat(t.arg1(0)).isEqualTo(24);
        assertThat(t.maxId()).isZero();
    }

    @Test
    void extensionsPrintTheirResults() {
        String out = replay("a 0 24\nm 1 64 100\no 1 0\nt 0\ns 4096\ns -1000000000000\nr 0 0\nr 5 0\nf 99\nc 2 10\n");
        // real glibc 2.36 prints exactly this (the trim leaves one page; a huge negative sbrk is refused
        // by the kernel, which glibc's sbrk wrapper reports as success with the break unchanged)
        assertThat(out).isEqualTo("""
                a 0 H+0x2a0 0x21
                m 1 H+0x2c0 0x71
                o 1
                t 1
                s H+0x1000
                s H+0x2000
                r 0 NULL
                r 5 H+0x2a0 0x21
                c 2 H+0x3a0 0x21
                brk H+0x2000
                mallinfo arena=4096 ordblks=1 smblks=0 hblks=0 hblkhd=0 fsmblks=0 uordblks=944 fordblks=3152 keepcost=3152
                """);
    }

    @Test
    void malformedLinesNameFileAndLine() {
        assertThatThrownBy(() -> Trace.parse("bad.rep", "a 0 24\nx 1\n")).isInstanceOf(TraceFormatException.class)
                .hasMessageStartingWith("bad.rep:2: unknown op 'x'");
        assertThatThrownBy(() -> Trace.parse("bad.rep", "a 0\n")).hasMessageStartingWith("bad.rep:1: too few arguments");
        assertThatThrownBy(() -> Trace.parse("bad.rep", "a 0 24 5\n")).hasMessageStartingWith("bad.rep:1: too many arguments");
        assertThatThrownBy(() -> Trace.parse("bad.rep", "a zz 24\n")).hasMessageStartingWith("bad.rep:1: expected an ID");
        assertThatThrownBy(() -> Trace.parse("bad.rep", "a 0 -4\n")).hasMessageStartingWith("bad.rep:1: expected an unsigned number");
        assertThatThrownBy(() -> Trace.parse("bad.rep", "a 0 24\n7\n")).hasMessageStartingWith("bad.rep:2: number-only line");
        assertThatThrownBy(() -> Trace.parse("bad.rep", "1\n2\n3\n4\n5\n")).hasMessageStartingWith("bad.rep:5: more than four header lines");
        assertThatThrownBy(() -> Trace.parse("bad.rep", "o 1 99999999999\n")).hasMessageStartingWith("bad.rep:1: number out of int range");
        assertThatThrownBy(() -> Trace.parse("bad.rep", "f 4194304\n")).hasMessageStartingWith("bad.rep:1: ID too large");
    }

    @Test
    void abortPropagatesAfterPrintingWhatCameBefore() {
        StringBuilder out = new StringBuilder();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CProcess p = CProcess.create(ProcessOptions.defaults().withStderr(err));
        long m = p.libc().malloc(24);
        p.libc().putLong(m + 24, -1L); // the top chunk's size
        assertThatThrownBy(() -> OffsetsReplay.run(Trace.parse("top.rep", "o 1 64\na 0 24\n"), p, out))
                .isInstanceOf(Abort.class);
        assertThat(out.toString()).isEqualTo("o 1\n");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("malloc(): corrupted top size\n");
    }

    @Test
    void aMillionOperationsReplay() {
        StringBuilder sb = new StringBuilder();
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < 500_000; i++) {
            int id = r.nextInt(2000);
            sb.append("a ").append(id).append(' ').append(r.nextInt(3000)).append('\n');
            sb.append("f ").append(r.nextInt(2000)).append('\n');
        }
        Trace t = Trace.parse("big.rep", sb.toString());
        StringBuilder out = new StringBuilder();
        OffsetsReplay.run(t, ProcessOptions.defaults(), out);
        // one line per malloc, none per free, then the break and mallinfo (speed: see the README's benchmarks)
        assertThat(out.toString().lines().count()).isEqualTo(500_000 + 2);
        assertThat(out.toString()).startsWith("a ").contains("\nbrk H+0x").contains("\nmallinfo arena=");
    }

    @Test
    void opLinesAreTheLinesOfTheOperations() {
        String text = "\uFEFF20\n3\n# a comment\n\na 0 24\r\n  f 0\rr 1 8\n\t\nt 0";
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(Trace.opLines(bytes)).containsExactly(5, 6, 7, 9);
        assertThat(Trace.parseBytes("t.rep", bytes).size()).isEqualTo(4);
        assertThat(Trace.opLines(new byte[0])).isEmpty();
        Trace t = Trace.parseBytes("t.rep", bytes);
        TraceRunner r = TraceRunner.throughLibC(t, io.mallocscope.runtime.CProcess.create(
                io.mallocscope.runtime.ProcessOptions.defaults()).libc());
        assertThatThrownBy(() -> r.namingSites("t.rep", new int[] {5})).hasMessage("1 lines for 4 operations");
        assertThat(r.namingSites("t.rep", Trace.opLines(bytes)).call(0)).isEqualTo(0x5555555592a0L);
    }
}
