package io.mallocscope.c;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The users' benchmark: how2heap's glibc_2.36 programs, run unmodified, against their native runs.
 * They are not part of this repository: point {@code -Dmallocscope.how2heap=DIR} (or the
 * environment variable MALLOCSCOPE_HOW2HEAP) at a checkout's glibc_2.36 folder; without it this
 * test is skipped.
 */
class How2heapTest {
    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> how2heap() throws IOException {
        String where = System.getProperty("mallocscope.how2heap", System.getenv("MALLOCSCOPE_HOW2HEAP"));
        Assumptions.assumeTrue(where != null && !where.isEmpty(),
                "skipped: set -Dmallocscope.how2heap=DIR to a how2heap checkout's glibc_2.36 folder");
        Path folder = Path.of(where);
        Assumptions.assumeTrue(Files.isDirectory(folder), () -> "skipped: " + folder + " is not a directory");
        return CorpusTest.differential(folder, dir);
    }
}
