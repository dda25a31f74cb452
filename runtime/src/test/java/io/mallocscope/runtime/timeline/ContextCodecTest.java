package io.mallocscope.runtime.timeline;

import io.mallocscope.runtime.event.EventKind;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The context record of format version 4 and the thread and process functions: written and read back. */
class ContextCodecTest {
    @Test
    void contextsAndThreadCallsComeBack() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<String> errors = new ArrayList<>();
        TimelineWriter w = new TimelineWriter(bytes, "mem", TimelineCodecTest.header(), 1000, errors::add);
        w.call(Functions.PTHREAD_CREATE, 0, 0x5555555592a0L, 0, 4096, 0, 0, 0);
        w.ret(Functions.PTHREAD_CREATE, 0);
        w.context(2, 1);
        w.call(Functions.MALLOC, 0, 0x18, 0, 0, 0, 0, 0);
        w.ret(Functions.MALLOC, 0x7ffff0000b70L);
        w.call(Functions.PTHREAD_EXIT, 0, 7, 0, 0, 0, 0, 0);
        w.ret(Functions.PTHREAD_EXIT, 0);
        w.context(300, 255);
        w.call(Functions.WAITPID, 0, -1, 0x5555555592c0L, 0, 0x300, 0, 0);
        w.ret(Functions.WAITPID, 3);
        w.call(Functions.FORK, 0, 0, 0, 0, 0, 0, 0);
        w.ret(Functions.FORK, 4);
        w.close();
        assertThat(errors).isEmpty();
        Timeline t = Timeline.parse(bytes.toByteArray(), "mem");
        assertThat(t.problem()).isEmpty();
        assertThat(t.header().version()).isEqualTo(5);
        assertThat(t.size()).isEqualTo(12);
        assertThat(t.steps()).as("context records are not calls").isEqualTo(5);
        assertThat(t.event(0).fnName()).isEqualTo("pthread_create");
        assertThat(t.event(0).args()).containsExactly(0x5555555592a0L, 0L, 4096L);
        Event c = t.event(2);
        assertThat(c.kind()).isEqualTo(EventKind.CONTEXT);
        assertThat(c.depth()).isZero();
        assertThat(c.pid()).isEqualTo(2);
        assertThat(c.thread()).isEqualTo(1);
        assertThat(t.event(5).args()).containsExactly(7L);
        assertThat(t.event(6).hasRet()).isFalse();
        assertThat(t.event(7).pid()).isEqualTo(300);
        assertThat(t.event(7).thread()).isEqualTo(255);
        assertThat(t.event(8).args()).containsExactly(-1L, 0x5555555592c0L, 0L, 0x300L);
        assertThat(t.event(9).ret()).isEqualTo(3);
        assertThat(t.event(11).ret()).isEqualTo(4);
        assertThatThrownBy(c::fn).hasMessage("a context event has no such value");
        // the index: every event's process and thread
        assertThat(t.pidOf(0)).isEqualTo(2);
        assertThat(t.threadOf(1)).isZero();
        assertThat(t.threadOf(2)).isEqualTo(1);
        assertThat(t.threadOf(6)).isEqualTo(1);
        assertThat(t.pidOf(7)).isEqualTo(300);
        assertThat(t.threadOf(11)).isEqualTo(255);
        assertThat(t.pids()).containsExactly(2, 300);
        assertThat(t.hasContexts()).isTrue();
        assertThatThrownBy(() -> t.event(3).pid()).hasMessage("a call event has no such value");
    }

    @Test
    void aSingleThreadedRecordingHasNoContextRecord() throws IOException {
        byte[] b = TimelineCodecTest.sample(new ArrayList<>());
        Timeline t = Timeline.parse(b, "mem");
        assertThat(t.events()).noneMatch(e -> e.kind() == EventKind.CONTEXT);
        assertThat(t.hasContexts()).isFalse();
        assertThat(t.pids()).containsExactly(2);
        assertThat(t.pidOf(t.size() - 1)).isEqualTo(2);
        assertThat(t.threadOf(t.size() - 1)).isZero();
    }
}
