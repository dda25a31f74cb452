package io.mallocscope.cli.source;

import io.mallocscope.cli.model.Op;
import io.mallocscope.runtime.event.EventKind;
import io.mallocscope.runtime.timeline.Event;
import io.mallocscope.runtime.timeline.Functions;
import io.mallocscope.runtime.timeline.Timeline;
import io.mallocscope.runtime.timeline.TimelineHeader;
import io.mallocscope.runtime.timeline.TimelineWriter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The memory-mapping segment's events in JSON Lines and in the timeline view's words, under the call they follow. */
class FileEventsTextTest {
    static final long MAP = 0x7ffff7fc3000L;

    private static char[] export(Timeline t) throws IOException {
        java.io.StringWriter out = new java.io.StringWriter();
        io.mallocscope.cli.render.JsonlExporter.export(t, out);
        return out.toString().toCharArray();
    }

    @Test
    void fileEventsAreNarratedUnderTheirStep() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TimelineWriter w = new TimelineWriter(bytes, "mem", TimelineHeader.of(Map.of(TimelineHeader.GLIBC, "2.36")),
                1000, e -> { });
        w.call(Functions.MMAP, 0, 0, 8192, 3, 1, 3, 0);
        w.fileEvent(EventKind.FILE_MAP, MAP, 8192, Long.MIN_VALUE, "/data/notes.txt");
        w.ret(Functions.MMAP, MAP);
        w.fileEvent(EventKind.WRITE_BACK, MAP, 1, Event.WRITE_BACK_CAUSES.indexOf("msync"), "/data/notes.txt");
        w.fileEvent(EventKind.PAGE_PRIVATE, MAP + 0x1000, 0x1000, 0, "/tmp/cow.txt");
        w.fileEvent(EventKind.WRITE_BACK, MAP, 2, Event.WRITE_BACK_CAUSES.indexOf("exit"), "/data/notes.txt");
        w.fileEvent(EventKind.CLOSE, 0, 3, 0, "/data/notes.txt");
        w.fileEvent(EventKind.SIGBUS, MAP + 0x2000, 0, 0, "offset 0x2000 of /data/notes.txt is beyond the end of the file (size 0x12)");
        w.close();
        Timeline t = Timeline.parse(bytes.toByteArray(), "mem");

        String jsonl = new String(export(t));
        assertThat(jsonl.lines()).contains(
                "{\"seq\":1,\"kind\":\"file_map\",\"depth\":1,\"addr\":\"0x7ffff7fc3000\",\"len\":8192,\"offset\":0,"
                        + "\"shared\":true,\"path\":\"/data/notes.txt\"}",
                "{\"seq\":3,\"kind\":\"write_back\",\"depth\":0,\"addr\":\"0x7ffff7fc3000\",\"pages\":1,"
                        + "\"cause\":\"msync\",\"path\":\"/data/notes.txt\"}",
                "{\"seq\":6,\"kind\":\"close\",\"depth\":0,\"fd\":3,\"path\":\"/data/notes.txt\"}");

        Op op = TimelineSource.TimelineOps.op(t, 1);
        assertThat(op.events()).extracting(io.mallocscope.cli.model.EventText::of).containsExactly(
                "mapped /data/notes.txt from offset 0x0 at 0x7ffff7fc3000 (0x2000 bytes, MAP_SHARED)",
                "page 0x7ffff7fc3000 of /data/notes.txt written back (msync)",
                "page 0x7ffff7fc4000 of /tmp/cow.txt made private (copy-on-write at its first store)",
                "2 pages of /data/notes.txt from 0x7ffff7fc3000 written back (exit)",
                "close fd 3 (/data/notes.txt)",
                "SIGBUS at 0x7ffff7fc5000 (offset 0x2000 of /data/notes.txt is beyond the end of the file (size 0x12))");
    }

    @Test
    void aCallLeftOpenIsWordedNotDumped() throws IOException {
        // malloc never returned and free started inside it: the recording of a program cut short
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TimelineWriter w = new TimelineWriter(bytes, "mem", TimelineHeader.of(Map.of(TimelineHeader.GLIBC, "2.36")),
                1000, e -> { });
        w.call(Functions.MALLOC, 0, 24, 0, 0, 0, 0, 0);
        w.call(Functions.FREE, 0, 0x5555555592a0L, 0, 0, 0, 0, 0);
        w.close();
        Timeline t = Timeline.parse(bytes.toByteArray(), "mem");
        Op op = TimelineSource.TimelineOps.op(t, 1);
        assertThat(op.events()).extracting(e -> e.kind().wireName() + ": " + io.mallocscope.cli.model.EventText.of(e))
                .containsExactly("call: free(0x5555555592a0) called before this call returned");
        assertThat(new io.mallocscope.cli.model.Story().tell(op))
                .anySatisfy(line -> assertThat(line).isEqualTo("free(0x5555555592a0) called before this call returned"))
                .noneSatisfy(line -> assertThat(line).contains("Transition["));
    }
}
