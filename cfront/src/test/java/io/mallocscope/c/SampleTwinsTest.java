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
