package io.mallocscope.runtime.trace;

import io.mallocscope.runtime.ProcessOptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The threaded replay run a line at a time (what the views read) against the proven output: stepped to
 * the end it prints what real glibc printed (golden-threads/VERSION), and stopped after N lines it is the
 * state of a fresh replay of the trace's first N lines.
 */
class ThreadedReplaySteppingTest {
    private static final Path TRACES = Path.of("src/test/resources/traces-threads");
    private static final Path GOLDEN = Path.of("src/test/resources/golden-threads");

    private static List<Path> traces() throws IOException {
        try (Stream<Path> s = Files.list(TRACES)) {
            return s.filter(p -> p.toString().endsWith(".rep")).sorted().toList();
        }
    }

    private static String name(Path t) {
        return t.getFileName().toString().replaceFirst("\\.rep$", "");
    }

    @TestFactory
    Stream<DynamicTest> steppedToTheEndItPrintsWhatRealGlibcPrinted() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String v : List.of("2.31", "2.36", "2.41", "2.43")) {
            for (Path t : traces()) {
                tests.add(DynamicTest.dynamicTest(v + " " + name(t), () -> {
                    ThreadedTrace tt = ThreadedTrace.parse(name(t), Files.readString(t, StandardCharsets.UTF_8));
                    StringBuilder got = new StringBuilder();
                    try (ThreadedReplay r = ThreadedReplay.stepping(tt, ProcessOptions.defaults().withGlibc(v), false)) {
                        while (r.done() < tt.size()) {
                            got.append(r.offsets(r.next()));
                        }
                        got.append(r.summary());
                    }
                    assertThat(got.toString()).isEqualTo(Files.readString(GOLDEN.resolve(v).resolve(name(t) + ".out")));
                }));
            }
        }
        return tests.stream();
    }

    /** After N lines, one walk forward gives what a fresh replay of the first N lines prints at its end. */
    @TestFactory
    Stream<DynamicTest> stoppedAfterNLinesItIsAFreshReplayOfThem() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path t : traces()) {
            tests.add(DynamicTest.dynamicTest(name(t), () -> {
                String text = Files.readString(t, StandardCharsets.UTF_8);
                String[] fileLines = text.split("\n", -1);
                ThreadedTrace tt = ThreadedTrace.parse(name(t), text);
                TreeSet<Integer> stops = new TreeSet<>(List.of(0, 1, tt.size() / 3, tt.size() / 2, tt.size() - 1, tt.size()));
                for (int i = 0; i < tt.size() && stops.size() < 24; i++) {
                    if (tt.kind(i) != ThreadedTrace.Kind.OP) {
                        stops.add(i); // just before a thread line
                        stops.add(i + 1); // and just after it
                    }
                }
                ProcessOptions o = ProcessOptions.defaults().withGlibc("2.36");
                StringBuilder lines = new StringBuilder();
                try (ThreadedReplay r = ThreadedReplay.stepping(tt, o, false)) {
                    for (int n : stops) {
                        while (r.done() < n) {
                            ThreadedReplay.Line l = r.next();
                            assertThat(l.thread()).as("line %d's thread", l.line()).isEqualTo(tt.who(l.line()));
                            lines.append(r.offsets(l));
                        }
                        int upTo = n == 0 ? 0 : tt.line(n - 1);
                        StringBuilder head = new StringBuilder();
                        for (int k = 0; k < upTo; k++) {
                            head.append(fileLines[k]).append('\n');
                        }
                        for (int k = upTo; k < fileLines.length; k++) {
                            if (fileLines[k].startsWith("# GLIBC_TUNABLES=")) {
                                head.append(fileLines[k]).append('\n'); // the tunables apply to a part too
                            }
                        }
                        StringBuilder fresh = new StringBuilder();
                        ThreadedReplay.run(name(t), head.toString(), o, fresh);
                        assertThat(lines + r.summary()).as("%s after %d of %d lines", name(t), n, tt.size())
                                .isEqualTo(fresh.toString());
                    }
                }
            }));
        }
        return tests.stream();
    }

    @Test
    void eachLineSaysWhichThreadMadeWhichCall() {
        ThreadedTrace tt = ThreadedTrace.parse("t", "# GLIBC_TUNABLES=glibc.malloc.arena_max=8\na 0 24\nT 1\na 1 24\nT 0\nf 1\nT 1\nX 1\n");
        try (ThreadedReplay r = ThreadedReplay.stepping(tt, ProcessOptions.defaults().withGlibc("2.36"), false)) {
            List<String> calls = new ArrayList<>();
            while (r.done() < tt.size()) {
                ThreadedReplay.Line l = r.next();
                calls.add((l.thread() + " " + l.function() + " " + r.offsets(l)).strip());
            }
            assertThat(calls).containsExactly("0 malloc 0: a 0 H+0x2a0 0x21", "0 pthread_create", "1 malloc 1: a 1 A1+0xb70 0x25",
                    "1 sched_switch_to", "0 free", "0 sched_switch_to", "1 pthread_exit");
            assertThat(r.summary()).endsWith("arenas 1\n");
        }
    }

    /**
     * A signal raised by a thread line, not an op: thread 1 ends with a tcache entry in the heap the
     * program gave back with sbrk, and glibc's tcache_thread_shutdown reads it. The line says so, the
     * lines before it stand, the process stays as the signal left it, and no line runs after it; a
     * run prints the lines before it and throws the signal, as replay.c's process dies there.
     */
    @Test
    void aSignalInAThreadLineEndsTheReplayAtThatLine() {
        String text = "a 1 24\nT 1\nf 1\nT 0\ns -135168\nT 1\nX 1\na 2 24\n";
        ThreadedTrace tt = ThreadedTrace.parse("segv", text);
        ProcessOptions o = ProcessOptions.defaults().withGlibc("2.36");
        int before = Thread.activeCount();
        try (ThreadedReplay r = ThreadedReplay.stepping(tt, o, false)) {
            List<String> calls = new ArrayList<>();
            for (int k = 0; k < 6; k++) {
                ThreadedReplay.Line l = r.next();
                assertThat(l.signal()).as("line %d", k).isNull();
                calls.add((l.thread() + " " + l.function() + " " + r.offsets(l)).strip());
            }
            assertThat(calls).containsExactly("0 malloc 0: a 1 H+0x2a0 0x21", "0 pthread_create", "1 free",
                    "1 sched_switch_to", "0 sbrk 0: s H+0x21000", "0 sched_switch_to");
            ThreadedReplay.Line x = r.next();
            assertThat(x.line()).isEqualTo(6);
            assertThat(x.thread()).isEqualTo(1);
            assertThat(x.function()).isEqualTo("pthread_exit");
            assertThat(x.step()).isNull();
            assertThat(x.signal()).isInstanceOf(io.mallocscope.runtime.signal.Segfault.class);
            assertThat(x.signal().getMessage()).contains("invalid read of 8 bytes at 0x5555555592a0");
            assertThat(r.offsets(x)).isEmpty();
            assertThat(r.done()).isEqualTo(7);
            assertThat(r.process().kernel().currentBrk()).as("the heap given back by line 5").isEqualTo(0x555555559000L);
            assertThatThrownBy(r::next).isInstanceOf(IllegalStateException.class)
                    .hasMessage("the process ended with a signal at line 7");
            assertThat(r.done()).isEqualTo(7);
        }
        StringBuilder out = new StringBuilder();
        assertThatThrownBy(() -> ThreadedReplay.run("segv", text, o, out))
                .isInstanceOf(io.mallocscope.runtime.signal.Segfault.class)
                .hasMessageContaining("invalid read of 8 bytes at 0x5555555592a0");
        assertThat(out).hasToString("0: a 1 H+0x2a0 0x21\n0: s H+0x21000\n");
        assertThat(Thread.activeCount()).as("the closed replay's threads ended").isLessThanOrEqualTo(before + 2);
    }

    @Test
    void aReplayClosedMidwayEndsItsThreads() {
        ThreadedTrace tt = ThreadedTrace.parse("t", "a 0 24\nT 1\na 1 24\nT 2\na 2 24\nT 0\n");
        int before = Thread.activeCount();
        for (int k = 0; k < 20; k++) {
            ThreadedReplay r = ThreadedReplay.stepping(tt, ProcessOptions.defaults(), false);
            r.next();
            r.next();
            r.next();
            r.next(); // thread 2 waits to run 'a 2 24'
            r.close();
        }
        assertThat(Thread.activeCount()).isLessThanOrEqualTo(before + 2);
    }
}
