package io.mallocscope.cli.source;

import io.mallocscope.cli.model.ArenaTable;
import io.mallocscope.cli.model.Op;
import io.mallocscope.cli.testing.RuntimeTraces;
import io.mallocscope.cli.testing.ThreadedOffsets;
import io.mallocscope.runtime.trace.ThreadedTrace;
import io.mallocscope.runtime.trace.Trace;
import io.mallocscope.runtime.trace.TraceOp;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.mallocscope.cli.source.StepNavigationTest.all;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A trace with thread lines opened as a view's source: what its views show is what real glibc did
 * (the threaded harness's output, golden-threads/VERSION), and the state at a step is that of a fresh
 * replay of the trace's lines up to it.
 */
class ThreadedRepSourceTest {
    private static List<Path> traces() throws IOException {
        try (Stream<Path> s = Files.list(RuntimeTraces.threadedTraces())) {
            return s.filter(p -> p.toString().endsWith(".rep")).sorted().toList();
        }
    }

    private static String name(Path t) {
        return t.getFileName().toString().replaceFirst("\\.rep$", "");
    }

    /**
     * Every op's place and size word, read off the views at its step (the main arena's chunks, the
     * mmapped chunks, the {@code arenas} table's heaps and the arena's chunks), and the break at the
     * end, printed as the offsets format prints them: the lines real glibc printed.
     */
    @TestFactory
    Stream<DynamicTest> theViewsShowWhatRealGlibcDid() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String v : List.of("2.36", "2.31", "2.43")) {
            for (Path t : traces()) {
                tests.add(DynamicTest.dynamicTest(v + " " + name(t), () -> {
                    ThreadedTrace tt = ThreadedTrace.parse(name(t), Files.readString(t, StandardCharsets.UTF_8));
                    StateSource s = Sources.open(t, new Sources.ReplaySettings(v, null));
                    assertThat(s.steps()).isEqualTo(tt.size());
                    List<Op> ops = s.ops();
                    assertThat(ops).hasSize(tt.size());
                    long base = (s.at(s.steps()).heapStart() + 15) & ~15L;
                    List<Long> arenas = new ArrayList<>();
                    List<String> got = new ArrayList<>();
                    Trace o = tt.ops();
                    for (int i = 0; i < tt.size(); i++) {
                        Op op = ops.get(i);
                        if (tt.kind(i) != ThreadedTrace.Kind.OP) {
                            assertThat(op.function()).isIn("pthread_create", "sched_switch_to", "pthread_exit");
                            continue;
                        }
                        int k = tt.op(i);
                        assertThat(op.who()).isEqualTo("t" + tt.opThread(k));
                        TraceOp letter = o.op(k);
                        String head = tt.opThread(k) + ": " + letter.letter();
                        switch (letter.returns()) {
                            case BLOCK -> got.add(head + " " + o.id(k) + " " + ThreadedOffsets.place(s, i + 1, op.mem(), base, arenas));
                            case INT -> got.add(head + " " + op.result());
                            case BREAK -> got.add(head + " " + ThreadedOffsets.offset(Long.decode(op.result()) - base));
                            case NOTHING -> {
                            }
                        }
                    }
                    got.add("brk " + ThreadedOffsets.offset(s.at(s.steps()).brk() - base));
                    List<String> golden = Files.readAllLines(RuntimeTraces.goldenThreads(v).resolve(name(t) + ".out"));
                    List<String> expected = new ArrayList<>(golden.subList(0, golden.size() - 2));
                    assertThat(got).isEqualTo(expected);
                    assertThat("arenas " + arenas.size()).isEqualTo(golden.get(golden.size() - 1));
                }));
            }
        }
        return tests.stream();
    }

    /**
     * At every step of a trace, every view of every thread and arena shows what it shows on a fresh
     * source of the trace's lines up to that step; walking back shows it too.
     */
    @TestFactory
    Stream<DynamicTest> aStepIsAFreshReplayOfTheLinesUpToIt(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String trace : List.of("arena-reuse", "stack-cache", "heap-grow-shrink")) {
            Path t = RuntimeTraces.threadedTraces().resolve(trace + ".rep");
            tests.add(DynamicTest.dynamicTest(trace, () -> {
                String text = Files.readString(t, StandardCharsets.UTF_8);
                String[] lines = text.split("\n", -1);
                ThreadedTrace tt = ThreadedTrace.parse(trace, text);
                Sources.ReplaySettings settings = new Sources.ReplaySettings("2.36", null);
                StateSource walked = Sources.open(t, settings);
                walked.at(tt.size()); // to the end first: every step below is reached walking back
                for (int n = tt.size(); n >= 0; n -= Math.max(1, tt.size() / 9)) {
                    StringBuilder head = new StringBuilder();
                    for (int k = 0; k < (n == 0 ? 0 : tt.line(n - 1)); k++) {
                        head.append(lines[k]).append('\n');
                    }
                    for (String l : lines) {
                        if (l.startsWith("# GLIBC_TUNABLES=")) {
                            head.append(l).append('\n');
                        }
                    }
                    head.append("T 0\n"); // a thread line, so that a part without one is read the same way
                    Path part = dir.resolve(trace + "-" + n + ".rep");
                    Files.writeString(part, head);
                    StateSource fresh = Sources.open(part, settings);
                    int end = fresh.steps();
                    assertThat(end).isEqualTo(n + 1);
                    assertThat(all(walked.at(n))).as("%s step %d", trace, n).isEqualTo(all(fresh.at(end)));
                    ArenaTable table = walked.arenasAt(n, Focus.DEFAULT);
                    assertThat(table.arenas()).isEqualTo(fresh.arenasAt(end, Focus.DEFAULT).arenas());
                    for (ArenaTable.Arena a : table.arenas()) {
                        for (int thread : a.threads()) {
                            Focus f = new Focus(null, Integer.toString(a.number()), thread);
                            assertThat(all(walked.at(n, f))).as("%s step %d arena %d thread %d", trace, n, a.number(), thread)
                                    .isEqualTo(all(fresh.at(end, f)));
                        }
                    }
                }
            }));
        }
        return tests.stream();
    }

    @Test
    void eachCallNamesItsThreadAndThreadLinesAreCallsOfTheirOwn() {
        StateSource s = Sources.open(RuntimeTraces.threadedTraces().resolve("arena-reuse.rep"), new Sources.ReplaySettings("2.36", null));
        List<String> calls = s.ops().subList(0, 6).stream().map(o -> "[" + o.who() + "] " + o.call()
                + (o.result() != null ? " = " + o.result() : "")).toList();
        assertThat(calls).hasSize(6);
        assertThat(calls.get(0)).isEqualTo("[t0] malloc(0x18) = 0x5555555592a0");
        assertThat(calls.get(1)).matches("\\[t0\\] pthread_create\\(0x7fff[0-9a-f]+, 0x800000, 0x1000\\) = 0");
        assertThat(calls.get(2)).isEqualTo("[t1] malloc(0x18) = 0x7ffff0000b70");
        assertThat(calls.get(5)).isEqualTo("[t1] free(0x7ffff0000b90)");
    }
}
