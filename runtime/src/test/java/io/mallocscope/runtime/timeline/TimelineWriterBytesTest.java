package io.mallocscope.runtime.timeline;

import io.mallocscope.runtime.event.EventKind;
import io.mallocscope.runtime.malloc.BinKind;
import io.mallocscope.runtime.malloc.Transitions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;

import static io.mallocscope.runtime.timeline.TimelineCodecTest.HEAP;
import static io.mallocscope.runtime.timeline.TimelineCodecTest.header;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The file a recording leaves is the very one the synchronous encoder of commit fcbadf9 made (the
 * encoding moved to the writer thread in session 4 and back in session 5): a fixed run of every kind of event (long strings and writes that move to a page
 * of their own, output cut between UTF-8 characters, pointer deltas both ways) is compared byte for
 * byte, block framing included, with the file the synchronous encoder wrote
 * ({@code timeline/writer-approved.timeline.gz}, written by the encoder of commit fcbadf9). The
 * background flush is 10 s away, so only the events' sizes and close cut blocks: a flush from
 * another thread cuts one wherever it comes, then as now.
 */
class TimelineWriterBytesTest {
    static final String APPROVED = "/timeline/writer-approved.timeline.gz";

    /** Records the fixed run of events; returns the file's bytes. */
    static byte[] record() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<String> errors = new ArrayList<>();
        TimelineWriter w = new TimelineWriter(bytes, "mem", header(), 10_000, errors::add);
        Random r = new Random(16_2);
        byte[] big = new byte[1_300_000]; // more than one 1 MiB write piece
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i % 251 ^ i >>> 17);
        }
        byte[] utf8 = "αβγ€ malloc(): corrupted top size\n".repeat(3000).getBytes(StandardCharsets.UTF_8);
        long p = HEAP + 0x10;
        int site = 0;
        for (int i = 0; i < 40_000; i++) {
            int op = r.nextInt(40);
            long size = r.nextInt(5000);
            switch (op) {
                case 0, 1, 2, 3, 4, 5 -> {
                    w.call(Functions.MALLOC, r.nextInt(4) == 0 ? 0 : site, size, 0, 0, 0, 0, 0);
                    w.tcache(false, p - 0x10, size + 0x10, (int) (size >> 4), r.nextInt(8));
                    w.ret(Functions.MALLOC, p);
                }
                case 6, 7, 8, 9 -> {
                    w.call(Functions.FREE, site, p, 0, 0, 0, 0, 0);
                    w.bin(r.nextBoolean(), BinKind.UNSORTED, r.nextInt(128), p - 0x10, size, Transitions.FREE);
                    w.coalesce(p - 0x10, size, p + size, 0x20, p - 0x10, size + 0x20);
                    w.ret(Functions.FREE, 0);
                }
                case 10 -> {
                    w.call(Functions.CALLOC, site, size, 8, 0, 0, 0, 0);
                    w.split(p - 0x10, size * 8, p + size * 8, 0x21000 - size * 8);
                    w.syscall(Functions.SYS_BRK, HEAP + 0x21000 + i * 0x1000L, 0, 0, 0, 0, 0, HEAP + 0x21000 + i * 0x1000L);
                    w.topExtend(HEAP, 0x1000, HEAP, 0x22000);
                    w.ret(Functions.CALLOC, p);
                }
                case 11 -> {
                    w.call(Functions.MMAP, site, 0, 0x21000, 3, 0x22, -1, 0);
                    w.syscall(Functions.MMAP, 0, 0x21000, 3, 0x22, -1, 0, 0x7ffff7fc0000L - i * 0x1000L);
                    w.mmapChunk(true, 0x7ffff7fc0000L - i * 0x1000L, 0x21000);
                    w.ret(Functions.MMAP, 0x7ffff7fc0000L - i * 0x1000L);
                }
                case 12 -> {
                    w.call(Functions.MALLOPT, site, -1 - r.nextInt(8), r.nextInt(1 << 20), 0, 0, 0, 0);
                    w.threshold(Transitions.THRESHOLD_TRIM, r.nextLong(), -r.nextInt());
                    w.consolidate();
                    w.topShrink(HEAP, 0x30000, 0x21000);
                    w.ret(Functions.MALLOPT, r.nextInt(2));
                }
                case 13, 14, 15, 16, 17, 18 -> w.writeValue(p + r.nextInt(64), r.nextLong(), 1 << r.nextInt(4),
                        r.nextBoolean() ? 0 : site);
                case 19, 20 -> w.fill(p, r.nextInt(256), size, r.nextBoolean() ? 0 : site);
                case 21, 22 -> {
                    int off = r.nextInt(1000);
                    w.write(p, big, off, r.nextInt(300), r.nextBoolean() ? 0 : site);
                }
                case 23 -> w.output(1 + r.nextInt(2), utf8, r.nextInt(8), r.nextInt(200));
                case 24 -> w.context(2 + r.nextInt(3), r.nextInt(4));
                case 25 -> w.fileEvent(EventKind.FILE_MAP, 0x7ffff7d00000L + i, 0x2000, i | Long.MIN_VALUE,
                        "/tmp/f" + i);
                case 26 -> w.fileEvent(EventKind.OPEN, 0, 3 + r.nextInt(10), 0x42, "/etc/passwd");
                case 27 -> {
                    site++;
                    w.defineSite(site, "Sample.java:" + site);
                }
                case 28 -> {
                    w.call(Functions.FREE, site, p, 0, 0, 0, 0, 0);
                    w.abort("free(): double free detected in tcache 2");
                    w.unwound(r.nextBoolean() ? 6 : 0);
                }
                case 29 -> w.segv(r.nextLong(), r.nextBoolean(), 1 << r.nextInt(4), "address not mapped");
                case 30 -> w.call(Functions.PTHREAD_EXIT, 0, r.nextInt(), 0, 0, 0, 0, 0);
                case 31 -> w.syscall(Functions.MUNMAP, p, 0x21000, 0, 0, 0, 0, r.nextInt(2) - 1);
                default -> p = r.nextInt(3) == 0 ? 0x7ffff0000000L + r.nextInt(1 << 20) * 16L
                        : HEAP + 0x10 + r.nextInt(1 << 16) * 16L;
            }
            if (i % 12_000 == 1234) {
                w.write(p, big, 0, big.length, site); // two records: a 1 MiB piece and the rest
                w.abort("x".repeat(70_000 + i)); // longer than a block: moves to a page of its own
                w.output(2, utf8, 0, utf8.length); // cut into 32 KiB pieces between characters
            }
        }
        w.close();
        assertThat(errors).isEmpty();
        return bytes.toByteArray();
    }

    @Test
    void theKindsAndFunctionsTheEncoderSpellsOutAreTheirOwn() {
        assertThat(new int[] {TimelineWriter.T_TCACHE_PUT, TimelineWriter.T_TCACHE_GET, TimelineWriter.T_BIN_INSERT,
                TimelineWriter.T_BIN_REMOVE, TimelineWriter.T_SPLIT, TimelineWriter.T_COALESCE, TimelineWriter.T_TOP_EXTEND})
                .containsExactly(EventKind.TCACHE_PUT.ordinal(), EventKind.TCACHE_GET.ordinal(),
                        EventKind.BIN_INSERT.ordinal(), EventKind.BIN_REMOVE.ordinal(), EventKind.SPLIT.ordinal(),
                        EventKind.COALESCE.ordinal(), EventKind.TOP_EXTEND.ordinal());
        assertThat(List.of(EventKind.TCACHE_PUT.fields(), EventKind.TCACHE_GET.fields(), EventKind.BIN_INSERT.fields(),
                EventKind.BIN_REMOVE.fields(), EventKind.SPLIT.fields(), EventKind.COALESCE.fields(),
                EventKind.TOP_EXTEND.fields()))
                .containsExactly("PUUU", "PUUU", "UUPUU", "UUPUU", "PUPU", "PUPUPU", "PUPU");
        assertThat(new String(Functions.ARGS[Functions.MALLOC])).isEqualTo("U");
        assertThat(new String(Functions.ARGS[Functions.FREE])).isEqualTo("P");
        assertThat(new String(Functions.ARGS[Functions.CALLOC])).isEqualTo("UU");
        assertThat(new String(Functions.ARGS[Functions.REALLOC])).isEqualTo("PU");
        assertThat(new String(Functions.RESULTS)).matches("[PUS-]+"); // ret() spells out each
        assertThat(Functions.RESULTS[Functions.MALLOC]).isEqualTo('P');
    }

    @Test
    void everyFunctionsArgumentsAndResultReadBackAsWritten() throws IOException {
        // the spelled-out calls and returns and the table-driven ones alike, with values of every size
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TimelineWriter w = new TimelineWriter(bytes, "mem", header(), 10_000, e -> { });
        long[] values = {0, 1, 0x7f, 0x80, 0x3fff, 0x4000, HEAP + 0x2a0, 0x7ffff7fc0010L, -1, -0x81, Long.MIN_VALUE,
                Long.MAX_VALUE};
        int fns = Functions.ARGS.length;
        for (int fn = 0; fn < fns; fn++) {
            for (int i = 0; i < values.length; i++) {
                long[] a = new long[6];
                for (int j = 0; j < 6; j++) {
                    a[j] = values[(i + 5 * j) % values.length];
                }
                w.call(fn, 0, a[0], a[1], a[2], a[3], a[4], a[5]);
                w.ret(fn, values[values.length - 1 - i]);
            }
        }
        w.close();
        Timeline t = Timeline.parse(bytes.toByteArray(), "mem");
        assertThat(t.problem()).isEmpty();
        assertThat(t.size()).isEqualTo(2 * fns * values.length);
        int e = 0;
        for (int fn = 0; fn < fns; fn++) {
            for (int i = 0; i < values.length; i++) {
                Event call = t.event(e++);
                Event ret = t.event(e++);
                assertThat(call.fn()).isEqualTo(fn);
                long[] args = call.args();
                for (int j = 0; j < args.length; j++) {
                    assertThat(args[j]).as("%s argument %d", Functions.name(fn), j)
                            .isEqualTo(values[(i + 5 * j) % values.length]);
                }
                assertThat(ret.hasRet()).isEqualTo(Functions.RESULTS[fn] != '-');
                if (ret.hasRet()) {
                    assertThat(ret.ret()).as("%s result", Functions.name(fn)).isEqualTo(values[values.length - 1 - i]);
                }
            }
        }
    }

    @Test
    void theFileIsTheOneTheSynchronousEncoderWrote() throws IOException {
        byte[] file = record();
        byte[] approved;
        try (InputStream in = TimelineWriterBytesTest.class.getResourceAsStream(APPROVED)) {
            assertThat(in).as(APPROVED).isNotNull();
            approved = new GZIPInputStream(in).readAllBytes();
        }
        assertThat(file.length).isEqualTo(approved.length);
        for (int i = 0; i < file.length; i++) {
            if (file[i] != approved[i]) {
                throw new AssertionError("byte " + i + " of " + file.length + " differs from the approved file: "
                        + file[i] + " instead of " + approved[i]);
            }
        }
        Timeline t = Timeline.parse(file, "mem");
        assertThat(t.problem()).isEmpty();
        assertThat(t.size()).isEqualTo(68_297);
    }
}
