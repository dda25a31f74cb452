package io.mallocscope.agent;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.timeline.Timeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The hooks called directly, in this JVM (the forked-JVM tests are AgentIT). */
class RecorderTest {

    @Test
    void aFailingHookIsCountedAndReportedAtExitAndTheFileIsComplete(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("t.timeline");
        AgentState.options = AgentOptions.parse("out=" + out);
        AgentState.enabled = true;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        CProcess p;
        try {
            p = CProcess.create();
            Recorder.processCreated(p);
            assertThat(Recorder.callEnter(p.libc(), 0, 24, 0, 0, 0, 0, 0)).isTrue();
            long r = p.libc().malloc(24);
            Recorder.callExit(0, r, null);
            Recorder.rangeEnter();
            Recorder.rangeExit(p.libc(), Recorder.W_STRING, 0x10, 0, null); // its strlen(0x10) faults inside the hook
            Recorder.finish();
        } finally {
            System.setErr(saved);
        }
        assertThat(err.toString(StandardCharsets.UTF_8).lines().toList()).containsExactly(
                "mallocscope: timeline written to " + out + " (2 events, " + java.nio.file.Files.size(out) + " bytes)",
                "mallocscope: 1 error inside the recording advice was suppressed (first: io.mallocscope.runtime.signal.Segfault: "
                        + "SIGSEGV: invalid read of 1 byte at 0x10 (address not mapped (null pointer dereference?))); "
                        + "the timeline may miss events");
        Timeline t = Timeline.read(out);
        assertThat(t.problem()).isEmpty();
        assertThat(t.steps()).isEqualTo(1);
        assertThat(t.event(1).ret()).isEqualTo(p.libc().malloc(24) - 0x20);
    }
}
