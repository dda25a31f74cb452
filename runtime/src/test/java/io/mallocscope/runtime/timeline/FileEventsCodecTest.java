package io.mallocscope.runtime.timeline;

import io.mallocscope.runtime.event.EventKind;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The file events of format version 3 (open … sigbus): written and read back. */
class FileEventsCodecTest {
    static final long MAP = 0x7ffff7fc3000L;

    static byte[] sample() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<String> errors = new ArrayList<>();
        TimelineWriter w = new TimelineWriter(bytes, "mem", TimelineCodecTest.header(), 1000, errors::add);
        w.fileEvent(EventKind.OPEN, 0, 3, 0102, "/data/notes.txt");
        w.call(Functions.MMAP, 0, 0, 4096, 3, 1, 3, 0x1000);
        w.fileEvent(EventKind.FILE_MAP, MAP, 4096, 0x1000 | Long.MIN_VALUE, "/data/notes.txt");
        w.ret(Functions.MMAP, MAP);
        w.fileEvent(EventKind.PAGE_PRIVATE, MAP + 0x2000, 0x3000, 0, "/data/other.txt");
        w.fileEvent(EventKind.WRITE_BACK, MAP, 1, Event.WRITE_BACK_CAUSES.indexOf("msync"), "/data/notes.txt");
        w.fileEvent(EventKind.CLOSE, 0, 3, 0, "/data/notes.txt");
        w.fileEvent(EventKind.SIGBUS, MAP + 0x1000, 0, 0, "offset 0x2000 of /data/notes.txt is beyond the end of the file");
        w.close();
        assertThat(errors).isEmpty();
        return bytes.toByteArray();
    }

    @Test
    void everyFieldComesBack() throws IOException {
        Timeline t = Timeline.parse(sample(), "mem");
        assertThat(t.problem()).isEmpty();
        assertThat(t.header().version()).isEqualTo(5);
        Event open = t.event(0);
        assertThat(open.kind()).isEqualTo(EventKind.OPEN);
        assertThat(open.path()).isEqualTo("/data/notes.txt");
        assertThat(open.fd()).isEqualTo(3);
        assertThat(open.openFlags()).isEqualTo(0102);
        Event map = t.event(2);
        assertThat(map.kind()).isEqualTo(EventKind.FILE_MAP);
        assertThat(map.depth()).as("inside the mmap call").isEqualTo(1);
        assertThat(map.fileAddress()).isEqualTo(MAP);
        assertThat(map.mapLength()).isEqualTo(4096);
        assertThat(map.fileOffset()).isEqualTo(0x1000);
        assertThat(map.isSharedMap()).isTrue();
        Event priv = t.event(4);
        assertThat(priv.fileAddress()).isEqualTo(MAP + 0x2000);
        assertThat(priv.fileOffset()).isEqualTo(0x3000);
        assertThat(priv.path()).isEqualTo("/data/other.txt");
        Event back = t.event(5);
        assertThat(back.pages()).isEqualTo(1);
        assertThat(back.cause()).isEqualTo("msync");
        assertThat(t.event(6).fd()).isEqualTo(3);
        assertThat(t.event(7).message()).startsWith("offset 0x2000 of /data/notes.txt");
        assertThatThrownBy(() -> t.event(7).path()).isInstanceOf(IllegalStateException.class);
    }
}
