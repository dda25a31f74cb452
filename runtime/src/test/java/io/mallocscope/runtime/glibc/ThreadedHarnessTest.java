package io.mallocscope.runtime.glibc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The threaded harness ({@code replay.c -DTHREADS}: real threads taking turns by a semaphore baton)
 * on the real libraries: the golden files under {@code golden-threads/} are what each prints, the
 * runs are deterministic, and the facts of the versions sheet (§11) hold. Skipped per version where
 * gcc or the library cannot be had.
 */
class ThreadedHarnessTest {

    private static final Path TRACES = Path.of("src/test/resources/traces-threads");
    private static final Path GOLDEN = Path.of("src/test/resources/golden-threads");

    private static NativeHarness harness(String version) {
        var h = NativeHarness.forVersion(version, true);
        Assumptions.assumeTrue(h.isPresent(), NativeHarness.skipReason(version, true));
        return h.get();
    }

    private static List<Path> traces() throws IOException {
        List<Path> traces = new ArrayList<>();
        try (Stream<Path> s = Files.list(TRACES)) {
            s.filter(p -> p.toString().endsWith(".rep")).sorted().forEach(traces::add);
        }
        return traces;
    }

    private static String name(Path trace) {
        return trace.getFileName().toString().replaceFirst("\\.rep$", "");
    }

    @Test
    void everyVersionHasOneGoldenFilePerThreadedTraceAndEveryTraceNamesArenaMax() throws IOException {
        List<Path> traces = traces();
        assertThat(traces).hasSizeGreaterThanOrEqualTo(15);
        for (Path t : traces) {
            assertThat(NativeHarness.threadTunablesOfText(Files.readString(t, StandardCharsets.UTF_8)))
                    .as("%s: # GLIBC_TUNABLES= line", t).hasValueSatisfying(v -> assertThat(v).contains("glibc.malloc.arena_max="));
        }
        List<String> expected = traces.stream().map(t -> name(t) + ".out").toList();
        for (String version : NativeHarness.VERSIONS) {
            Path dir = GOLDEN.resolve(version);
            try (Stream<Path> s = Files.list(dir)) {
                assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".out")).sorted().toList())
                        .as("golden-threads/%s (run scripts/record-golden.sh --threads %s)", version, version)
                        .containsExactlyElementsOf(expected);
            }
            assertThat(Files.readString(dir.resolve("LIBRARY"), StandardCharsets.UTF_8)).startsWith("libc6 " + version + "-");
        }
    }

    @TestFactory
    Stream<DynamicNode> goldenFilesAreWhatTheRealLibraryPrints() throws IOException {
        List<Path> traces = traces();
        return NativeHarness.VERSIONS.stream().map(version -> DynamicContainer.dynamicContainer("glibc " + version,
                traces.stream().map(trace -> DynamicTest.dynamicTest(name(trace), () -> {
                    NativeHarness h = harness(version);
                    String recordedWith = Files.readString(GOLDEN.resolve(version).resolve("LIBRARY"), StandardCharsets.UTF_8).strip();
                    Assumptions.assumeTrue(h.library().equals(recordedWith),
                            () -> "golden-threads/" + version + " was recorded with " + recordedWith + ", this machine has " + h.library());
                    assertThat(h.run(trace)).isEqualTo(Files.readString(GOLDEN.resolve(version).resolve(name(trace) + ".out"),
                            StandardCharsets.UTF_8));
                }))));
    }

    /** Versions sheet §11: where a thread's first chunk lands in its arena's first heap. */
    @TestFactory
    Stream<DynamicTest> firstChunkOfAThreadSitsWhereTheSheetSays() {
        return Stream.of("2.31 A1+0xb60", "2.36 A1+0xb70", "2.41 A1+0xb70", "2.43 A1+0x880").map(fact -> {
            String version = fact.split(" ")[0];
            String where = fact.split(" ")[1];
            return DynamicTest.dynamicTest(version, () -> {
                String out = harness(version).runText("a 0 24\nT 1\na 1 24\n", "glibc.malloc.arena_max=8");
                assertThat(out.lines().toList()).contains("1: a 1 " + where + " 0x25").last().isEqualTo("arenas 1");
            });
        });
    }

    @Test
    void withoutATLineTheOutputIsTheSingleThreadedOne() {
        NativeHarness threaded = harness("2.36");
        var plain = NativeHarness.forVersion("2.36");
        Assumptions.assumeTrue(plain.isPresent(), NativeHarness.skipReason("2.36"));
        String trace = "a 0 24\na 1 200000\nf 0\nr 1 5000\nt 0\n";
        assertThat(threaded.runText(trace, null)).isEqualTo(plain.get().runText(trace, null)).startsWith("a 0 H+0x2a0 0x21\n");
    }

    @Test
    void aCrossThreadFreeGoesToTheFreeingThreadsTcacheAndKeepsItsArenaBit() {
        String out = harness("2.36").runText("T 1\na 1 24\nT 0\nf 1\na 2 24\n", "glibc.malloc.arena_max=8");
        assertThat(out.lines().limit(2).toList()).containsExactly("1: a 1 A1+0xb70 0x25", "0: a 2 A1+0xb70 0x25");
    }

    /**
     * Thread 1 frees a chunk of the main heap into its tcache, main gives that heap back with sbrk, and
     * thread 1's exit (tcache_thread_shutdown) reads the chunk: real glibc's harness dies of SIGSEGV on
     * the X line after printing the lines before it, and the threaded replay prints the same lines and
     * throws the same signal (replay --format offsets then exits 128 + 11 as the harness does).
     */
    @Test
    void aThreadsExitThatFaultsEndsTheHarnessAndTheReplayAtTheSameLine() {
        String trace = "# GLIBC_TUNABLES=glibc.malloc.arena_max=8\na 1 24\nT 1\nf 1\nT 0\ns -135168\nT 1\nX 1\na 2 24\n";
        NativeHarness.Ended real = harness("2.36").runTextToItsEnd(trace, "glibc.malloc.arena_max=8");
        assertThat(real.status()).isEqualTo(128 + 11);
        assertThat(real.out()).isEqualTo("0: a 1 H+0x2a0 0x21\n0: s H+0x21000\n");
        StringBuilder ours = new StringBuilder();
        assertThatThrownBy(() -> io.mallocscope.runtime.trace.ThreadedReplay.run("segv", trace,
                io.mallocscope.runtime.ProcessOptions.defaults().withGlibc("2.36"), ours))
                .isInstanceOfSatisfying(io.mallocscope.runtime.signal.Segfault.class,
                        s -> assertThat(128 + s.signalNumber()).isEqualTo(real.status()));
        assertThat(ours).hasToString(real.out());
    }

    @Test
    void badThreadLinesFailWithFileAndLine() {
        NativeHarness h = harness("2.36");
        assertThatThrownBy(() -> h.runText("a 0 24\nX 1\n", "glibc.malloc.arena_max=8"))
                .hasMessageContaining("status 2").hasMessageContaining(":2: X of a thread that is not running");
        assertThatThrownBy(() -> h.runText("T 256\n", "glibc.malloc.arena_max=8"))
                .hasMessageContaining(":1: bad thread number (0..255) '256'");
        assertThatThrownBy(() -> h.runText("T 1\nX 0\n", "glibc.malloc.arena_max=8"))
                .hasMessageContaining(":2: bad thread number (1..255) '0'");
    }
}
