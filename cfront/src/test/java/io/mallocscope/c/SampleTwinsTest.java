package io.mallocscope.c;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The samples' C twins (run --c NAME) run natively and simulated alike, and the launcher finds them by name. */
class SampleTwinsTest {
    static final Path TWINS = Path.of("src/main/resources/io/mallocscope/c/samples");

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> twins() throws IOException {
        return CorpusTest.differential(TWINS, dir);
    }

    /** The twins sample-programs checks against glibc, which the front end runs too (run --c NAME): every one. */
    static final Path SAMPLE_TWINS = Path.of("../sample-programs/src/test/c");
    @TestFactory
    Stream<DynamicTest> samplesTwinsRunAsNatively() throws IOException {
        String why = NativeRun.unavailable();
        if (why != null) {
            return CorpusTest.skipped(why);
        }
        java.util.List<Path> files;
        try (Stream<Path> s = java.nio.file.Files.list(SAMPLE_TWINS)) {
            files = s.filter(p -> p.toString().endsWith(".c")).sorted().toList();
        }
        return files.stream().map(f -> {
            String name = f.getFileName().toString().replace(".c", "");
            return DynamicTest.dynamicTest(name, () -> {
                Path own = TWINS.resolve(name + ".c"); // the front end's commented twin comes first
                assertThat(CLauncher.sampleSource(name)).as("run --c finds it")
                        .isEqualTo(java.nio.file.Files.readString(java.nio.file.Files.exists(own) ? own : f));
                Differential.check(f, dir);
            });
        });
    }

    @TestFactory
    Stream<DynamicTest> launcherFindsEachTwin() {
        return Stream.of("first-fit", "fastbin-dup", "tcache-poisoning", "double-free-tcache", "unsafe-unlink").map(n -> DynamicTest.dynamicTest(n,
                () -> assertThat(CLauncher.sampleSource(n)).contains("the twin of the Java sample")));
    }

    @TestFactory
    Stream<DynamicTest> unknownNamesAreNotFound() {
        return Stream.of("no-such", "../first-fit", "First-Fit").map(n -> DynamicTest.dynamicTest(n,
                () -> assertThat(CLauncher.sampleSource(n)).isNull()));
    }
}
