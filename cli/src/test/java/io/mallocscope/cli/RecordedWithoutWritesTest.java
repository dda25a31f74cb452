package io.mallocscope.cli;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.timeline.Functions;
import io.mallocscope.runtime.timeline.TimelineHeader;
import io.mallocscope.runtime.timeline.TimelineWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.mallocscope.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * #10 item 8: a timeline recorded without {@code writes} cannot rebuild what the program stored, so
 * every view says so on stderr in one line, naming the first event where the rebuilt process departs
 * from the recording (docs/agent.md).
 */
class RecordedWithoutWritesTest {
    @TempDir
    static Path dir;
    static Path poisoned;
    static Path plain;
    static long a;
    static long b;

    /**
     * A tcache poisoning as the agent records it with {@code record=calls+transitions+syscalls}: two
     * 0x20 chunks freed, the program overwrites the second one's fd (a write the file does not hold),
     * and the second malloc after that returns the program's target instead of the first chunk.
     */
    @BeforeAll
    static void record() throws IOException {
        CProcess p = CProcess.create(ProcessOptions.defaults().withStdout(OutputStream.nullOutputStream())
                .withStderr(OutputStream.nullOutputStream()));
        LibC c = p.libc();
        a = c.malloc(0x18);
        b = c.malloc(0x18);
        poisoned = dir.resolve("poisoned.timeline");
        try (TimelineWriter w = open(poisoned)) {
            call(w, Functions.MALLOC, 0x18, a);
            call(w, Functions.MALLOC, 0x18, b);
            call(w, Functions.FREE, a, 0);
            call(w, Functions.FREE, b, 0);
            call(w, Functions.MALLOC, 0x18, b);
            call(w, Functions.MALLOC, 0x18, 0x555555559510L); // the poisoned fd's target, not a
        }
        plain = dir.resolve("plain.timeline");
        try (TimelineWriter w = open(plain)) {
            call(w, Functions.MALLOC, 0x18, a);
            call(w, Functions.FREE, a, 0);
        }
    }

    private static TimelineWriter open(Path file) throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        h.put(TimelineHeader.GLIBC, "2.36");
        h.put(TimelineHeader.PROGRAM, "poison");
        h.put(TimelineHeader.HEAP_START, "0x555555559000");
        h.put(TimelineHeader.RECORD, "calls+transitions+syscalls");
        return TimelineWriter.open(file, TimelineHeader.of(h), 60_000, msg -> {
            throw new AssertionError(msg);
        });
    }

    private static void call(TimelineWriter w, int fn, long arg, long ret) {
        w.call(fn, 0, arg, 0, 0, 0, 0, 0);
        w.ret(fn, ret);
    }

    @Test
    void everyViewNamesTheFirstEventWhereTheRebuiltHeapDeparts() {
        String line = "mallocscope: warning: " + poisoned + " was recorded without writes "
                + "(record=calls+transitions+syscalls), so the bytes the program stored are not rebuilt; "
                + "the rebuilt process departs from the recording at event 10 (step 6): malloc returned 0x"
                + Long.toHexString(a) + ", the recording says 0x555555559510\n";
        for (List<String> view : List.of(List.of("heap"), List.of("heap", "--at", "1"), List.of("bins"),
                List.of("vis"), List.of("maps"), List.of("diff", "--at", "1", "--to", "4"), List.of("timeline"),
                List.of("timeline", "--format", "jsonl"))) {
            String[] args = new String[view.size() + 1];
            args[0] = view.get(0);
            args[1] = poisoned.toString();
            for (int i = 1; i < view.size(); i++) {
                args[i + 1] = view.get(i);
            }
            CliRun.Result r = run(args);
            assertThat(r.err()).as(String.join(" ", view)).isEqualTo(line);
            assertThat(r.status()).as(String.join(" ", view)).isZero();
        }
    }

    @Test
    void aRecordingThatNeverDepartsStillSaysTheBytesAreMissing() {
        CliRun.Result r = run("heap", plain.toString());
        assertThat(r.err()).isEqualTo("mallocscope: warning: " + plain + " was recorded without writes "
                + "(record=calls+transitions+syscalls), so the bytes the program stored are not rebuilt; "
                + "every call's result matches the recording\n");
        assertThat(r.status()).isZero();
    }
}
