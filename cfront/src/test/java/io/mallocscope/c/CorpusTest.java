package io.mallocscope.c;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every program of src/test/c/corpus (written for this project), compiled by gcc -O0 and run
 * natively with ASLR off, against the same source run by the C front end: exit status, stdout and
 * stderr byte for byte, addresses included. The simulated process uses the kernel layout of the
 * machine the test runs on.
 */
class CorpusTest {
    static final Path CORPUS = Path.of("src/test/c/corpus");

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> corpus() throws IOException {
        return differential(CORPUS, dir);
    }

    static Stream<DynamicTest> differential(Path folder, Path work) throws IOException {
        String why = NativeRun.unavailable();
        if (why != null) {
            return skipped(why);
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(folder)) {
            files = s.filter(p -> p.toString().endsWith(".c")).sorted().toList();
        }
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(),
                () -> Differential.check(f, work)));
    }

    /**
     * One test that skips with {@code why}: an assumption failing in the factory itself would leave the report with
     * "Tests run: 0" and no reason.
     */
    static Stream<DynamicTest> skipped(String why) {
        return Stream.of(DynamicTest.dynamicTest("skipped", () -> Assumptions.abort("skipped: " + why)));
    }
}
