package io.mallocscope.c;

import io.mallocscope.runtime.CProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * stdin from a pipe ({@code cat INPUT | ./prog}) rather than a file (CorpusTest): the corpus programs
 * that read stdin, each against gcc, with the first 2000 bytes of their input (one write, handed over
 * whole by the pipe): the same buffer fills, pushback area and FILE fields as glibc's.
 */
class StdinPipeTest {
    @TempDir
    Path dir;

    @Test
    void pushbackOnAPipe() throws Exception {
        check("stdin_pushback");
    }

    @Test
    void scanfAndFgetsOnAPipe() throws Exception {
        check("input");
    }

    @Test
    void readOnAPipe() throws Exception {
        check("stdin_read");
    }

    @Test
    void unbufferedAndAProgramsBufferOnAPipe() throws Exception {
        check("stdin_unbuffered");
    }

    @Test
    void getlineOnAPipe() throws Exception {
        check("getline_stdin");
    }

    /** Only on a pipe: glibc's own seeks of stdin fail there (on a file they succeed, which the front end does not model). */
    @Test
    void glibcsSeeksOfStdinFailOnAPipe() throws Exception {
        check(Path.of("src/test/c/pipe"), "stdin_resync");
    }

    private void check(String name) throws Exception {
        check(CorpusTest.CORPUS, name);
    }

    private void check(Path folder, String name) throws Exception {
        String why = NativeRun.unavailable();
        Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
        Path file = folder.resolve(name + ".c");
        byte[] all = Files.readAllBytes(folder.resolve(name + ".in"));
        byte[] in = Arrays.copyOf(all, Math.min(all.length, 2000));
        Path input = dir.resolve(name + ".piped");
        Files.write(input, in);
        String source = Files.readString(file, StandardCharsets.UTF_8);
        NativeRun.Result nat = NativeRun.compileAndRunPiped(dir, name, source, file.toAbsolutePath().getParent(), input);
        CProcess.Captured sim = Differential.simulate(file, name, source, new java.io.ByteArrayInputStream(in));
        assertThat(sim.stdout()).as(name + " (simulated stderr: " + sim.stderr() + ")").isEqualTo(nat.stdout());
        assertThat(sim.stderr()).isEqualTo(nat.stderr());
        assertThat(sim.status().code()).isEqualTo(nat.status());
    }
}
