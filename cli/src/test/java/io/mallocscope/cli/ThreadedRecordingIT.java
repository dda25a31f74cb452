package io.mallocscope.cli;

import io.mallocscope.cli.model.Op;
import io.mallocscope.cli.source.Sources;
import io.mallocscope.cli.source.StateSource;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.mallocscope.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mallocscope run replay t.rep} of a trace with thread lines: the agent records each op as a call
 * of its own thread, named by its trace line, and the recorded timeline's views show what real glibc 2.36
 * did with the same trace (golden-threads/2.36): every block's place and size word rebuilt from the
 * recorded process at its step, in the harness's offsets format, and the break at the end.
 */
class ThreadedRecordingIT {
    static final Path DIR = Path.of("target/it/threaded-recording");

    private static List<Path> traces() throws IOException {
        try (Stream<Path> s = Files.list(RuntimeTraces.threadedTraces())) {
            return s.filter(p -> p.toString().endsWith(".rep")).sorted().toList();
        }
    }

    private static String name(Path t) {
        return t.getFileName().toString().replaceFirst("\\.rep$", "");
    }

    /** Records {@code trace} through the agent with the tunables its {@code # GLIBC_TUNABLES=} line asks for. */
    static Path record(Path trace, String text) throws IOException {
        Files.createDirectories(DIR);
        Path timeline = DIR.resolve(name(trace) + ".timeline");
        List<String> args = new ArrayList<>(List.of("run", "--view", "none", "--out", timeline.toString()));
        String tunables = ThreadedTrace.parse(name(trace), text).tunables();
        if (tunables != null) {
            args.addAll(List.of("--tunables", tunables));
        }
        args.addAll(List.of("replay", trace.toString()));
        CliRun.Result r = run(args.toArray(String[]::new));
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.err()).doesNotContain("note:").contains("replay: ");
        return timeline;
    }

    /**
     * The number a recording gives the thread that runs each line of {@code tt}: threads are numbered in
     * the order pthread_create made them (main 0), so a trace's {@code T K} that creates K names the
     * next number, and a K created again after {@code X K} gets a new one.
     */
    static int[] threadNumbers(ThreadedTrace tt) {
        int[] out = new int[tt.size()];
        Map<Integer, Integer> number = new HashMap<>();
        number.put(0, 0);
        int created = 0;
        for (int i = 0; i < tt.size(); i++) {
            int k = tt.thread(i);
            if (tt.kind(i) == ThreadedTrace.Kind.SWITCH && !number.containsKey(k)) {
                number.put(k, ++created);
            } else if (tt.kind(i) == ThreadedTrace.Kind.EXIT) {
                number.remove(k);
            }
            if (tt.kind(i) == ThreadedTrace.Kind.OP) {
                out[i] = number.get(tt.opThread(tt.op(i)));
            }
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> theRecordedTimelineShowsWhatRealGlibcDid() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path t : traces()) {
            tests.add(DynamicTest.dynamicTest(name(t), () -> {
                String text = Files.readString(t, StandardCharsets.UTF_8);
                ThreadedTrace tt = ThreadedTrace.parse(name(t), text);
                Path timeline = record(t, text);
                StateSource s = Sources.open(timeline, new Sources.ReplaySettings(null, null));
                Map<Integer, Integer> itemOfLine = new HashMap<>();
                for (int i = 0; i < tt.size(); i++) {
                    itemOfLine.put(tt.line(i), i);
                }
                int[] numbers = threadNumbers(tt);
                long base = (s.at(s.steps()).heapStart() + 15) & ~15L;
                List<Long> arenas = new ArrayList<>();
                List<String> got = new ArrayList<>();
                Trace o = tt.ops();
                int next = 0; // the next op of the trace: the recording holds them in the trace's order
                List<Op> ops = s.ops();
                for (int n = 1; n <= ops.size(); n++) {
                    Op op = ops.get(n - 1);
                    String site = op.site();
                    if (op.function().equals("pthread_exit") && site == null) {
                        continue; // glibc's thread exit after the start function returned: no line of the trace's
                    }
                    assertThat(site).as("#%d %s names its trace line", n, op.call()).startsWith(name(t) + ".rep:");
                    int item = itemOfLine.get(Integer.parseInt(site.substring(site.indexOf(':') + 1)));
                    if (tt.kind(item) != ThreadedTrace.Kind.OP) {
                        assertThat(op.function()).as("#%d on a thread line", n).isIn("pthread_create", "pthread_join",
                                "pthread_exit");
                        continue;
                    }
                    int k = tt.op(item);
                    assertThat(k).as("#%d is the trace's next op", n).isEqualTo(next++);
                    assertThat(op.who()).as("#%d %s", n, op.call()).isEqualTo("t" + numbers[item]);
                    TraceOp letter = o.op(k);
                    String head = tt.opThread(k) + ": " + letter.letter();
                    switch (letter.returns()) {
                        case BLOCK -> got.add(head + " " + o.id(k) + " " + ThreadedOffsets.place(s, n, op.mem(), base, arenas));
                        case INT -> got.add(head + " " + op.result());
                        case BREAK -> got.add(head + " " + ThreadedOffsets.offset(Long.decode(op.result()) - base));
                        case NOTHING -> {
                        }
                    }
                }
                assertThat(next).as("every op recorded").isEqualTo(o.size());
                got.add("brk " + ThreadedOffsets.offset(s.at(s.steps()).brk() - base));
                List<String> golden = Files.readAllLines(RuntimeTraces.goldenThreads("2.36").resolve(name(t) + ".out"));
                assertThat(got).isEqualTo(golden.subList(0, golden.size() - 2));
                assertThat("arenas " + arenas.size()).isEqualTo(golden.get(golden.size() - 1));
            }));
        }
        return tests.stream();
    }

    /** The views of the recording name each call's thread, as they do for the trace replayed in-process. */
    @Test
    void theViewsOfTheRecordingShowTheThreads() throws IOException {
        Path t = RuntimeTraces.threadedTraces().resolve("cross-free.rep");
        Path timeline = record(t, Files.readString(t, StandardCharsets.UTF_8));
        CliRun.Result text = run("timeline", timeline.toString(), "--color=never", "--from", "2", "--to", "3");
        assertThat(text.status()).as(text.err()).isZero();
        assertThat(text.out()).startsWith("#2 [t0] pthread_create(0x7fffffffc380, 0x800000, 0x1000) = 0   cross-free.rep:5\n")
                .contains("\n#3 [t1] malloc(0x18) = 0x7ffff0000b70   cross-free.rep:6\n");
        CliRun.Result bins = run("bins", timeline.toString(), "--thread", "1", "--arena", "1");
        assertThat(bins.status()).as(bins.err()).isZero();
        // as the trace replayed in-process shows it: thread 1 keeps one chunk in its own tcache
        assertThat(bins.out()).startsWith("tcachebins\n0x20 [  1]: 0x7ffff0000c70 ◂— 0\n");
        CliRun.Result chunk = run("chunk", timeline.toString(), "0x7ffff0000c50", "--color=never");
        assertThat(chunk.out()).contains("#32 [t0] free(0x7ffff0000c50)   cross-free.rep:36\n");
    }
}
