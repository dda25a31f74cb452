package io.mallocscope.runtime.timeline;

import io.mallocscope.runtime.event.EventKind;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Format version 5: the program's writes carry the site they were made at (#15); writes without one read as before. */
class WriteSiteCodecTest {
    @Test
    void writesAndFillsComeBackWithTheirSites() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<String> errors = new ArrayList<>();
        TimelineWriter w = new TimelineWriter(bytes, "mem", TimelineCodecTest.header(), 1000, errors::add);
        w.defineSite(1, "LargeBinAttack.java:45");
        w.call(Functions.MALLOC, 1, 0x438, 0, 0, 0, 0, 0);
        w.ret(Functions.MALLOC, 0x555555559b30L);
        w.defineSite(2, "LargeBinAttack.java:49");
        w.writeValue(0x5555555592b8L, 0x7fffffffe3a0L, 8, 2);
        w.writeValue(0x5555555592c0L, 0x41, 1, 0); // no site: the version 1 record
        w.defineSite(3, "lba.c:51");
        w.write(0x555555559b30L, new byte[]{1, 2, 3}, 0, 3, 3);
        w.fill(0x555555559b40L, 0xaa, 16, 3);
        w.fill(0x555555559b50L, 0, 8, 0);
        w.write(0x555555559b60L, new byte[]{9}, 0, 1, 0);
        w.close();
        assertThat(errors).isEmpty();
        Timeline t = Timeline.parse(bytes.toByteArray(), "mem");
        assertThat(t.problem()).isEmpty();
        assertThat(t.header().version()).isEqualTo(5);
        assertThat(t.size()).as("site definitions are not events").isEqualTo(8);
        assertThat(t.event(0).site()).isEqualTo("LargeBinAttack.java:45");
        Event forged = t.event(2);
        assertThat(forged.kind()).isEqualTo(EventKind.WRITE);
        assertThat(forged.address()).isEqualTo(0x5555555592b8L);
        assertThat(forged.length()).isEqualTo(8);
        assertThat(forged.bytes()).containsExactly(0xa0, 0xe3, 0xff, 0xff, 0xff, 0x7f, 0, 0);
        assertThat(forged.site()).isEqualTo("LargeBinAttack.java:49");
        assertThat(t.event(3).site()).isEmpty();
        assertThat(t.event(3).bytes()).containsExactly(0x41);
        assertThat(t.event(4).site()).isEqualTo("lba.c:51");
        assertThat(t.event(4).bytes()).containsExactly(1, 2, 3);
        Event fill = t.event(5);
        assertThat(fill.isFill()).isTrue();
        assertThat(fill.fillValue()).isEqualTo(0xaa);
        assertThat(fill.length()).isEqualTo(16);
        assertThat(fill.address()).isEqualTo(0x555555559b40L);
        assertThat(fill.site()).isEqualTo("lba.c:51");
        assertThat(t.event(6).site()).isEmpty();
        assertThat(t.event(6).fillValue()).isZero();
        assertThat(t.event(7).site()).isEmpty();
        assertThat(t.event(7).address()).as("the pointer delta runs on through site'd records").isEqualTo(0x555555559b60L);
    }

    @Test
    void aWriteWithASiteIsOneByteMoreThanWithout() throws IOException {
        assertThat(size(7) - size(0)).isEqualTo(1);
        assertThat(size(300) - size(0)).as("a varint site").isEqualTo(2);
    }

    private static int size(int site) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TimelineWriter w = new TimelineWriter(bytes, "mem", TimelineCodecTest.header(), 1000, e -> { });
        w.writeValue(0x5555555592b8L, 0x7fffffffe3a0L, 8, site);
        w.close();
        return bytes.size();
    }
}
