package io.mallocscope.cli.render;

import io.mallocscope.cli.model.Chunk;
import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.source.HeapViews;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hexdump writes its rows from one byte buffer (#16.4: a heap of megabytes is megabytes of text):
 * the bytes it writes to a stream are the UTF-8 of what it writes to a writer, in colour and without,
 * and its rows are the heap's words as {@link HeapSnapshot#memory()} reads them one by one.
 */
class VisRowsTest {
    /** A heap of a few hundred chunks: in use, in tcache, fastbins, the unsorted and small bins, runs of equal rows. */
    private static HeapSnapshot busyHeap() {
        CProcess p = CProcess.create();
        LibC c = p.libc();
        Random r = new Random(16);
        long[] live = new long[400];
        for (int i = 0; i < live.length; i++) {
            live[i] = c.malloc(16 + r.nextInt(1200));
            c.memset(live[i], r.nextBoolean() ? 0x41 : 0, 16);
        }
        for (int i = 0; i < live.length; i += 2 + r.nextInt(3)) {
            c.free(live[i]);
        }
        c.malloc(5000); // sorts the unsorted chunks into their bins
        return HeapViews.snapshot(1, p);
    }

    @Test
    void theBytesWrittenToAStreamAreTheUtf8OfTheTextWrittenToAWriter() {
        HeapSnapshot s = busyHeap();
        for (Style style : new Style[] {Style.PLAIN, Style.COLOR}) {
            StringWriter text = new StringWriter();
            new VisRenderer(0).render(s, new PrintWriter(text, true), style);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            StringWriter rest = new StringWriter();
            new VisRenderer(0).render(s, new PrintWriter(rest, true), bytes, style);
            assertThat(bytes.toString(StandardCharsets.UTF_8) + rest).isEqualTo(text.toString());
            assertThat(text.toString()).contains("identical rows", "tcachebins", "Top chunk");
        }
    }

    @Test
    void eachRowHoldsTheWordsTheSnapshotReadsAtItsAddress() {
        HeapSnapshot s = busyHeap();
        StringWriter text = new StringWriter();
        new VisRenderer(0).render(s, new PrintWriter(text, true), Style.PLAIN);
        int rows = 0;
        for (String line : text.toString().split("\n")) {
            if (!line.startsWith("0x")) {
                continue;
            }
            String[] f = line.split("\t");
            long a = Long.parseUnsignedLong(f[0].substring(2), 16);
            assertThat(f[1]).isEqualTo(String.format("0x%016x", s.memory().read64(a)));
            assertThat(f[2]).isEqualTo(String.format("0x%016x", s.memory().read64(a + 8)));
            rows++;
        }
        Chunk last = s.chunks().get(s.chunks().size() - 1);
        assertThat(rows).isGreaterThan(s.chunks().size());
        assertThat(text.toString()).contains(String.format("0x%x\t", last.address()));
    }
}
