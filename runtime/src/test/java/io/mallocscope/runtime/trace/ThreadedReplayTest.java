package io.mallocscope.runtime.trace;

import io.mallocscope.runtime.ProcessOptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Threaded traces replayed in the simulator print what real glibc printed (golden-threads/VERSION). */
class ThreadedReplayTest {
    private static final Path TRACES = Path.of("src/test/resources/traces-threads");
    private static final Path GOLDEN = Path.of("src/test/resources/golden-threads");

    static String replay(String name, String text, String version) {
        StringBuilder sb = new StringBuilder();
        ThreadedReplay.run(name, text, ProcessOptions.defaults().withGlibc(version), sb);
        return sb.toString();
    }

    @TestFactory
    Stream<DynamicNode> everyThreadedTraceMatchesRealGlibc() throws IOException {
        List<Path> traces;
        try (Stream<Path> s = Files.list(TRACES)) {
            traces = s.filter(p -> p.toString().endsWith(".rep")).sorted().toList();
        }
        return Stream.of("2.36", "2.31", "2.41", "2.43").map(v -> DynamicContainer.dynamicContainer("glibc " + v,
                traces.stream().map(t -> DynamicTest.dynamicTest(t.getFileName().toString(), () -> {
                    String name = t.getFileName().toString().replaceFirst("\\.rep$", "");
                    String expected = Files.readString(GOLDEN.resolve(v).resolve(name + ".out"), StandardCharsets.UTF_8);
                    assertThat(replay(name, Files.readString(t, StandardCharsets.UTF_8), v)).isEqualTo(expected);
                }))));
    }

    @Test
    void aThreadsFirstMallocMakesItsArenaAndTcache() {
        String out = replay("t", "# GLIBC_TUNABLES=glibc.malloc.arena_max=8\na 0 24\nT 1\na 1 24\nT 0\nf 1\na 2 24\n", "2.36");
        assertThat(out).startsWith("0: a 0 H+0x2a0 0x21\n1: a 1 A1+0xb70 0x25\n0: a 2 A1+0xb70 0x25\n")
                .endsWith("arenas 1\n");
    }

    @Test
    void threadLinesAreChecked() {
        assertThatThrownBy(() -> replay("bad.rep", "T 256\n", "2.36")).isInstanceOf(TraceFormatException.class)
                .hasMessage("bad.rep:1: bad thread number (0..255) '256'");
        assertThatThrownBy(() -> replay("bad.rep", "a 0 1\nT 1\nX 0\n", "2.36"))
                .hasMessage("bad.rep:3: bad thread number (1..255) '0'");
        assertThatThrownBy(() -> replay("bad.rep", "T 0\nX 2\n", "2.36"))
                .hasMessage("bad.rep:2: X of a thread that is not running");
        assertThat(ThreadedReplay.isThreaded("a 0 1\n  T 3\n")).isTrue();
        assertThat(ThreadedReplay.isThreaded("a 0 1\n# T 3\n")).isFalse();
    }
}
