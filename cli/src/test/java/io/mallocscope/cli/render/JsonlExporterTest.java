package io.mallocscope.cli.render;

import io.mallocscope.runtime.timeline.Event;
import io.mallocscope.runtime.timeline.Timeline;
import io.mallocscope.runtime.timeline.TimelineCodecTest;
import io.mallocscope.runtime.timeline.TimelineHeader;
import io.mallocscope.runtime.timeline.TimelineOutputTest;
import io.mallocscope.runtime.timeline.TimelineWriter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code timeline --format jsonl}'s exporter on timelines of every kind of event (docs/timeline-format.md). */
class JsonlExporterTest {

    @Test
    void headerThenOneObjectPerEvent() throws IOException {
        Timeline t = Timeline.parse(TimelineCodecTest.sample(new ArrayList<>()), "mem");
        StringWriter out = new StringWriter();
        JsonlExporter.export(t, out);
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(1 + t.size());
        assertThat(lines.get(0)).startsWith("{\"kind\":\"header\",\"version\":5,\"glibc\":\"2.36\","
                + "\"tunables\":\"glibc.malloc.tcache_count=0\",\"program\":\"first-fit\",\"argv\":[\"first-fit\",\"-v\"],"
                + "\"heap_start\":\"0x555555559000\"");
        assertThat(lines.get(1)).isEqualTo(
                "{\"seq\":0,\"kind\":\"call\",\"depth\":0,\"fn\":\"malloc\",\"args\":[1298],\"site\":\"FirstFit.java:33\"}");
        assertThat(lines.get(2)).isEqualTo("{\"seq\":1,\"kind\":\"syscall\",\"depth\":1,\"fn\":\"sys_brk\","
                + "\"args\":[\"0x55555557a000\"],\"ret\":\"0x55555557a000\"}");
        assertThat(lines.get(3)).isEqualTo("{\"seq\":2,\"kind\":\"top_extend\",\"depth\":1,\"chunk\":\"0x555555559000\","
                + "\"size\":135168,\"old_chunk\":\"0x555555559000\",\"old_size\":0}");
        assertThat(lines.get(4)).isEqualTo("{\"seq\":3,\"kind\":\"split\",\"depth\":1,\"chunk\":\"0x555555559000\","
                + "\"size\":1312,\"remainder\":\"0x555555559520\",\"remainder_size\":133856}");
        assertThat(lines.get(5)).isEqualTo("{\"seq\":4,\"kind\":\"return\",\"depth\":0,\"fn\":\"malloc\",\"ret\":\"0x555555559010\"}");
        assertThat(lines.get(6)).isEqualTo("{\"seq\":5,\"kind\":\"write\",\"depth\":0,\"addr\":\"0x555555559010\",\"len\":4,"
                + "\"bytes\":\"44434241\"}");
        assertThat(lines.get(8)).isEqualTo("{\"seq\":7,\"kind\":\"write\",\"depth\":0,\"addr\":\"0x555555559040\",\"len\":100,"
                + "\"fill\":170}");
        assertThat(lines.get(10)).isEqualTo("{\"seq\":9,\"kind\":\"tcache_put\",\"depth\":1,\"chunk\":\"0x555555559000\","
                + "\"size\":1312,\"bin\":\"tcache\",\"index\":80,\"count\":1}");
        assertThat(lines.get(11)).isEqualTo("{\"seq\":10,\"kind\":\"bin_insert\",\"depth\":1,\"chunk\":\"0x555555559000\","
                + "\"size\":1312,\"bin\":\"unsorted\",\"index\":1,\"reason\":\"free\"}");
        assertThat(lines.get(12)).isEqualTo("{\"seq\":11,\"kind\":\"return\",\"depth\":0,\"fn\":\"free\"}");
        assertThat(lines.get(13)).isEqualTo("{\"seq\":12,\"kind\":\"call\",\"depth\":0,\"fn\":\"mallopt\",\"args\":[-3,4096]}");
        assertThat(lines.get(14)).isEqualTo("{\"seq\":13,\"kind\":\"threshold\",\"depth\":1,\"threshold\":\"mmap\","
                + "\"old\":131072,\"new\":4096}");
        assertThat(lines.get(17)).isEqualTo("{\"seq\":16,\"kind\":\"abort\",\"depth\":1,"
                + "\"message\":\"free(): double free detected in tcache 2\"}");
        assertThat(lines.get(18)).isEqualTo("{\"seq\":17,\"kind\":\"return\",\"depth\":0,\"fn\":\"free\",\"signal\":\"SIGABRT\"}");
        assertThat(lines.get(19)).isEqualTo("{\"seq\":18,\"kind\":\"segv\",\"depth\":0,\"addr\":\"0xdeadbeef\","
                + "\"access\":\"write\",\"width\":8,\"reason\":\"address not mapped\"}");
    }

    @Test
    void stringsAreEscaped() throws IOException {
        Timeline t = Timeline.parse(written(w -> w.abort("say \"hi\"\n\\")), "mem");
        assertThat(JsonlExporter.toJson(t.event(0)))
                .isEqualTo("{\"seq\":0,\"kind\":\"abort\",\"depth\":0,\"message\":\"say \\\"hi\\\"\\n\\\\\"}\n");
    }

    @Test
    void jsonLinesCarryStreamAndEscapedText() throws IOException {
        Timeline t = Timeline.parse(TimelineOutputTest.printing(), "mem");
        StringWriter out = new StringWriter();
        JsonlExporter.export(t, out);
        List<String> lines = out.toString().lines().toList();
        assertThat(lines.get(0)).startsWith("{\"kind\":\"header\",\"version\":5,");
        assertThat(lines.get(1)).isEqualTo(
                "{\"seq\":0,\"kind\":\"output\",\"depth\":0,\"stream\":\"stderr\",\"text\":\"Allocating 2 buffers.\\n\"}");
        assertThat(lines.get(4)).isEqualTo(
                "{\"seq\":3,\"kind\":\"output\",\"depth\":0,\"stream\":\"stdout\",\"text\":\"a = 0x5555555592a0\\n\"}");
        assertThat(lines.get(8)).isEqualTo("{\"seq\":7,\"kind\":\"output\",\"depth\":0,\"stream\":\"stderr\","
                + "\"text\":\"naïve \\\"quotes\\\"\\ttab ✓ 😀\\n\"}");
        assertThat(lines.get(12)).isEqualTo("{\"seq\":11,\"kind\":\"output\",\"depth\":1,\"stream\":\"stderr\","
                + "\"text\":\"free(): double free detected in tcache 2\\n\"}");
        Event bell = Timeline.parse(written(w -> w.output(1, new byte[] {7, '\r'}, 0, 2)), "mem").event(0);
        assertThat(JsonlExporter.toJson(bell))
                .isEqualTo("{\"seq\":0,\"kind\":\"output\",\"depth\":0,\"stream\":\"stdout\",\"text\":\"\\u0007\\r\"}\n");
    }

    /** A timeline holding what {@code events} writes. */
    static byte[] written(java.util.function.Consumer<TimelineWriter> events) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        TimelineWriter w = new TimelineWriter(bytes, "mem", TimelineHeader.of(java.util.Map.of()), 1000, e -> {
            throw new AssertionError(e);
        });
        events.accept(w);
        w.close();
        return bytes.toByteArray();
    }
}
