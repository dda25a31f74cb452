package io.mallocscope.runtime.glibc;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The C programs tests compile here and run on the real library and kernel: gcc into
 * {@code target/native/DIR}, the test skipped with a clear message where gcc is missing; a run's
 * stdout, stderr and status, each stream read in full.
 */
public final class CPrograms {
    private CPrograms() {
    }

    /** What a run printed and how it ended. */
    public record Run(String out, String err, int status) {
    }

    /**
     * Compiles {@code source} (relative to the module) into {@code target/native/DIR/NAME} with
     * {@code -O0 -w} and {@code flags}; aborts the calling test when gcc cannot be started, fails it when
     * gcc rejects the program.
     */
    public static Path compile(String source, String dir, String name, String... flags) {
        try {
            Path out = Path.of("target/native", dir);
            Files.createDirectories(out);
            Path bin = out.resolve(name);
            List<String> cmd = new ArrayList<>(List.of("gcc", "-O0", "-w"));
            cmd.addAll(List.of(flags));
            cmd.addAll(List.of("-o", bin.toString(), source));
            Process gcc;
            try {
                gcc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            } catch (IOException e) {
                Assumptions.abort("gcc is not installed: " + e.getMessage());
                return null;
            }
            String diagnostics = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(gcc.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(gcc.exitValue()).as(diagnostics).isZero();
            return bin;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code command} with no input and an empty environment; its stdout, stderr and status. */
    public static Run run(List<String> command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().clear();
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
                try {
                    return p.getErrorStream().readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String errText = new String(err.join(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s ends", command).isTrue();
            return new Run(out, errText, p.exitValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@link #run(List)} of a program and its arguments. */
    public static Run run(Path program, String... args) {
        List<String> cmd = new ArrayList<>(List.of(program.toString()));
        cmd.addAll(List.of(args));
        return run(cmd);
    }
}
