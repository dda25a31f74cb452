package io.mallocscope.runtime;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code _exit} loses what stdout's buffer holds, {@code exit} writes it: {@code src/test/c/stdio/exit_flush.c}
 * on a pipe (fully buffered) and the same calls on the simulator give the same stdout, stderr and status.
 */
class ExitFlushMatchesGlibcTest {
    static Path binary;
    static String gccProblem;

    @BeforeAll
    static void compile() throws Exception {
        Path dir = Path.of("target/native/stdio");
        Files.createDirectories(dir);
        Path bin = dir.resolve("exit_flush");
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-O0", "-w", "-o", bin.toString(), "src/test/c/stdio/exit_flush.c")
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            gccProblem = "gcc is not installed: " + e.getMessage();
            return;
        }
        String diagnostics = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).as(diagnostics).isZero();
        binary = bin;
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
            c.exit(3);
            return 0;
        }, new String[0]);
        return new Run(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), status.code());
    }

    @ParameterizedTest(name = "{0} after {1} x")
    @CsvSource({"exit, 0", "_exit, 0", "exit, 5000", "_exit, 5000", "_exit, 8192"})
    void onAPipeTheSimulatorLosesExactlyWhatGlibcLoses(String how, int xs) throws Exception {
        Assumptions.assumeTrue(binary != null, gccProblem);
        Process p = new ProcessBuilder(binary.toString(), how, Integer.toString(xs)).start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> errF = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(errF.get(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Run sim = simulated(how, xs, false);
        assertThat(sim.out()).as("stdout").isEqualTo(out);
        assertThat(sim.err()).as("stderr").isEqualTo(err);
        assertThat(sim.status()).isEqualTo(p.exitValue()).isEqualTo(3);
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
