package io.mallocscope.runtime;

import io.mallocscope.runtime.glibc.CPrograms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code _exit} loses what stdout's buffer holds, {@code exit} writes it: {@code src/test/c/stdio/exit_flush.c}
 * on a pipe (fully buffered) and the same calls on the simulator give the same stdout, stderr and status;
 * abort and a SIGSEGV lose it too (glibc's abort flushes no stream since 2.27).
 */
class ExitFlushMatchesGlibcTest {
    static Path binary() {
        return CPrograms.compile("src/test/c/stdio/exit_flush.c", "stdio", "exit_flush");
    }

    record Run(String out, String err, int status) {
    }

    static Run simulated(String how, int xs, boolean terminal) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CProcess p = CProcess.create(ProcessOptions.defaults().withStdout(out).withStderr(err)
                .withStdoutTerminal(terminal));
        ExitStatus status = p.run((c, argv) -> {
            for (int i = 0; i < xs; i++) {
                c.putchar('x');
            }
            c.printf("a line\n");
            c.printf("an unfinished line");
            c.fprintf(LibC.STDERR, "stderr is unbuffered\n");
            if (how.equals("_exit")) {
                c._exit(3);
            }
            if (how.equals("abort")) {
                c.abort();
            }
            if (how.equals("segv")) {
                c.memset(0, 0, 1);
            }
            c.exit(3);
            return 0;
        }, new String[0]);
        return new Run(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), status.code());
    }

    @ParameterizedTest(name = "{0} after {1} x")
    @CsvSource({"exit, 0", "_exit, 0", "exit, 5000", "_exit, 5000", "_exit, 8192"})
    void onAPipeTheSimulatorLosesExactlyWhatGlibcLoses(String how, int xs) {
        CPrograms.Run real = CPrograms.run(binary(), how, Integer.toString(xs));
        String out = real.out();
        String err = real.err();
        Run sim = simulated(how, xs, false);
        assertThat(sim.out()).as("stdout").isEqualTo(out);
        assertThat(sim.err()).as("stderr").isEqualTo(err);
        assertThat(sim.status()).isEqualTo(real.status()).isEqualTo(3);
    }

    @ParameterizedTest(name = "{0} after {1} x")
    @CsvSource({"abort, 0, 134", "abort, 5000, 134", "segv, 0, 139", "segv, 5000, 139"})
    void aSignalLosesWhatTheBufferHoldsAsOnGlibc(String how, int xs, int code) {
        CPrograms.Run real = CPrograms.run(binary(), how, Integer.toString(xs));
        Run sim = simulated(how, xs, false);
        assertThat(sim.out()).as("stdout").isEqualTo(real.out());
        assertThat(sim.out()).isEqualTo("x".repeat(xs >= 4096 ? 4096 : 0));
        assertThat(sim.status()).isEqualTo(real.status()).isEqualTo(code);
    }

    @Test
    void whatEachEndLeavesOnAPipeAndOnATerminal() {
        assertThat(simulated("exit", 0, false).out()).isEqualTo("a line\nan unfinished line");
        assertThat(simulated("_exit", 0, false).out()).isEmpty();
        assertThat(simulated("_exit", 5000, false).out()).isEqualTo("x".repeat(4096));
        // line buffered: the finished line went out at its newline, the unfinished one is lost
        assertThat(simulated("_exit", 0, true).out()).isEqualTo("a line\n");
        assertThat(simulated("exit", 0, true).out()).isEqualTo("a line\nan unfinished line");
    }
}
