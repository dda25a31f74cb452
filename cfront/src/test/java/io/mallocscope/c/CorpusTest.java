package io.mallocscope.c;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.vm.KernelLayout;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every program of src/test/c/corpus, compiled by gcc -O0 and run natively with ASLR off, against
 * the same source run by the C front end: exit status, stdout and stderr byte for byte, addresses
 * included. The simulated process uses the kernel layout of the machine the test runs on.
 */
class CorpusTest {
    static final Path CORPUS = Path.of("src/test/c/corpus");

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> corpus() throws IOException {
        String why = NativeRun.unavailable();
        Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
        List<Path> files;
        try (Stream<Path> s = Files.list(CORPUS)) {
            files = s.filter(p -> p.toString().endsWith(".c")).sorted().toList();
        }
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(f)));
    }

    private void check(Path file) throws Exception {
        String name = file.getFileName().toString().replace(".c", "");
        String source = Files.readString(file, StandardCharsets.UTF_8);
        NativeRun.Result nat = NativeRun.compileAndRun(dir, name, source);
        CProcess.Captured sim = simulate(name, source);
        String simErr = sim.stderr();
        if (sim.status().signal() != null) {
            // the shell's "Aborted" line is the simulator's report, not the program's output
            simErr = simErr.substring(0, simErr.lastIndexOf(sim.status().signal().shellDescription()));
        }
        assertThat(sim.stdout()).as(name + ": stdout (simulated stderr: " + sim.stderr() + ")").isEqualTo(nat.stdout());
        assertThat(simErr).as(name + ": stderr").isEqualTo(nat.stderr());
        assertThat(sim.status().code()).as(name + ": exit status").isEqualTo(nat.status());
    }

    static CProcess.Captured simulate(String name, String source) {
        CFront.Compiled c = CFront.compile(new SourceFile(name + ".c", source, CORPUS.toAbsolutePath()));
        return c.runCaptured(ProcessOptions.defaults().withKernelLayout(KernelLayout.detect()));
    }
}
