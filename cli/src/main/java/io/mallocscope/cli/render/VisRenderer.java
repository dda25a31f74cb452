package io.mallocscope.cli.render;

import io.mallocscope.cli.model.BinLabels;
import io.mallocscope.runtime.text.Hex;
import io.mallocscope.cli.model.Bin;
import io.mallocscope.cli.model.BinType;
import io.mallocscope.cli.model.Chunk;
import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.model.Memory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A hexdump of the heap in the manner of pwndbg's {@code vis_heap_chunks}: two words a row, each
 * chunk in its own colour (a chunk's {@code prev_size} word belongs to the chunk before it while that
 * one is in use: it is that chunk's last user word), an ASCII column, notes on the right naming the
 * bin entry or the top chunk, and runs of identical rows inside a chunk folded into one line.
 */
public final class VisRenderer implements SnapshotRenderer {
    private final int maxChunks;

    /** @param maxChunks how many chunks to show from the start of the heap; {@code <= 0}: all */
    public VisRenderer(int maxChunks) {
        this.maxChunks = maxChunks;
    }

    @Override
    public void render(HeapSnapshot s, PrintWriter out, Style style) {
        render(s, out, null, style);
    }

    /**
     * As {@link #render(HeapSnapshot, PrintWriter, Style)}, the rows written as UTF-8 straight to
     * {@code bytes} (the stream under {@code out}, null: through {@code out}): a heap of megabytes is
     * megabytes of text, which skips the writer's encoder this way.
     */
    public void render(HeapSnapshot s, PrintWriter out, java.io.OutputStream bytes, Style style) {
        if (s.heapStart() == 0) {
            out.println("The heap is not initialized yet (no allocation has happened at step " + s.step() + ").");
            return;
        }
        Notes notes = new Notes(notes(s));
        List<Chunk> chunks = s.chunks();
        int shown = maxChunks <= 0 ? chunks.size() : Math.min(maxChunks, chunks.size());
        // a heap of megabytes is tens of thousands of rows: each is built in one reused buffer, with no
        // string per word, and written in large pieces
        Rows rows = new Rows(out, bytes, style);
        boolean hasPrev = false;
        long prev0 = 0;
        long prev1 = 0;
        int skipped = 0;
        Memory memory = s.memory();
        long[] words = new long[4096];
        try {
            for (int n = 0; n < shown; n++) {
                Chunk c = chunks.get(n);
                boolean top = c.address() == s.top();
                long end = top ? c.address() + 16 : c.end();
                // the chunk's words read a window at a time; a word past what could be read is read alone (and fails)
                long rowsOf = (Math.max(0, end - c.address()) + 15) >>> 4;
                int from = 0;
                int got = 0;
                int k = 0;
                for (long a = c.address(); a < end; a += 16, k += 2) {
                    if (k == from + words.length) {
                        from = k;
                        got = 0;
                    }
                    if (k == from && got == 0) {
                        got = memory.read(a, words, (int) Math.min(words.length, 2 * rowsOf - k));
                    }
                    if (hasPrev) {
                        // a run of rows the same as the one before, with no note and short of the chunk's
                        // last row, is folded: counted in one tight loop (most of a big heap's rows)
                        long limit = Math.min(end - 16, notes.next(a) - 8);
                        int i = k - from;
                        int j = i;
                        long b = a;
                        while (b < limit && j + 1 < got && words[j] == prev0 && words[j + 1] == prev1) {
                            j += 2;
                            b += 16;
                        }
                        if (j > i) {
                            skipped += (j - i) >>> 1;
                            a = b - 16; // the loop steps to b
                            k += j - i - 2;
                            continue;
                        }
                    }
                    long w0 = k - from < got ? words[k - from] : memory.read64(a);
                    long w1 = k - from + 1 < got ? words[k - from + 1] : memory.read64(a + 8);
                    String note = notes.at(a);
                    if (note == null) {
                        note = notes.at(a + 8);
                    }
                    boolean boundary = a == c.address() || a + 16 >= end;
                    if (hasPrev && prev0 == w0 && prev1 == w1 && note == null && !boundary) {
                        skipped++;
                        continue;
                    }
                    if (skipped > 0) {
                        rows.folded(skipped, skipped == 1 ? " identical row" : " identical rows");
                        skipped = 0;
                    }
                    // the first word of a chunk is the previous chunk's while that one is in use
                    int firstOwner = a == c.address() && c.prevInuse() && n > 0 ? n - 1 : n;
                    rows.row(a, firstOwner, w0, n, w1, note);
                    hasPrev = true;
                    prev0 = w0;
                    prev1 = w1;
                }
                hasPrev = false;
            }
        } finally {
            rows.flush(); // the rows so far, also when a word cannot be read
        }
        if (skipped > 0) {
            rows.folded(skipped, " identical rows");
        }
        rows.flush();
        if (s.corrupt() && shown == chunks.size() && !chunks.isEmpty()) {
            // the chunk walk stopped at the size word after the last chunk: show that row, the evidence
            // (an off-by-one's NUL in the next size word, a write past the end of a block)
            Chunk last = chunks.get(chunks.size() - 1);
            long a = last.end();
            long w0;
            long w1;
            try {
                w0 = s.memory().read64(a);
                w1 = s.memory().read64(a + 8);
            } catch (RuntimeException unmapped) {
                return;
            }
            StringBuilder row = new StringBuilder(Hex.of(a));
            row.append('\t').append(style.chunk(chunks.size() - 1, Hex.word(w0)));
            row.append('\t').append(style.bad(Hex.word(w1)));
            row.append('\t').append(ascii(w0)).append(ascii(w1));
            row.append('\t').append(style.bad(" <-- size 0x" + Long.toHexString(w1)
                    + " cannot be a chunk's: the heap walk stops here"));
            out.println(row);
        }
    }

    private static Map<Long, String> notes(HeapSnapshot s) {
        Map<Long, String> notes = new HashMap<>();
        for (Bin b : s.bins()) {
            List<Long> chain = b.chunks();
            for (int i = 0; i < chain.size(); i++) {
                String label = BinLabels.name(b) + "[" + i + (b.type() == BinType.TCACHE ? "/" + b.count() : "") + "]";
                long at = BinLabels.pointsAtMem(b.type()) ? chain.get(i) + 16 : chain.get(i);
                notes.merge(at, label, (x, y) -> x + ", " + y);
            }
        }
        if (s.top() != 0) {
            notes.merge(s.top(), "Top chunk", (x, y) -> x + ", " + y);
        }
        return notes;
    }

    /**
     * The notes by address, sorted, looked up without boxing: the rows ask in ascending order, so a
     * cursor moves forward through them (a lookup behind it searches again).
     */
    private static final class Notes {
        private final long[] at;
        private final String[] text;
        private int cursor;

        Notes(Map<Long, String> notes) {
            at = notes.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
            text = new String[at.length];
            for (int i = 0; i < at.length; i++) {
                text[i] = notes.get(at[i]);
            }
        }

        String at(long address) {
            seek(address);
            return cursor < at.length && at[cursor] == address ? text[cursor] : null;
        }

        /** The first address at or after {@code address} with a note ({@link Long#MAX_VALUE}: none). */
        long next(long address) {
            seek(address);
            return cursor < at.length ? at[cursor] : Long.MAX_VALUE;
        }

        private void seek(long address) {
            if (cursor > 0 && at[cursor - 1] >= address) {
                int i = java.util.Arrays.binarySearch(at, address);
                cursor = i >= 0 ? i : -i - 1;
            }
            while (cursor < at.length && at[cursor] < address) {
                cursor++;
            }
        }
    }

    /**
     * The rows of the hexdump, built as UTF-8 in one byte buffer and written in large pieces: the
     * same text as {@code println} of each row, without a string per word or per row.
     */
    private static final class Rows {
        private static final byte[] DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] NEWLINE = System.lineSeparator().getBytes(StandardCharsets.UTF_8);
        private final PrintWriter out;
        private final OutputStream bytes;
        private final Style style;
        private final byte[][] chunkStart;
        private final byte[] end;
        private final byte[] buf = new byte[1 << 16];
        /** What starts a folded line, up to its count ("...", a tab, the dim colour, the arrow). */
        private byte[] foldStart;
        private String foldRows;
        private byte[] foldRowsBytes;
        private int n;

        Rows(PrintWriter out, OutputStream bytes, Style style) {
            this.out = out;
            this.bytes = bytes;
            this.style = style;
            this.chunkStart = new byte[Style.chunkColours()][];
            for (int i = 0; i < chunkStart.length; i++) {
                chunkStart[i] = style.chunkStart(i).getBytes(StandardCharsets.UTF_8);
            }
            this.end = style.end().getBytes(StandardCharsets.UTF_8);
        }

        void row(long a, int owner0, long w0, int owner1, long w1, String note) {
            room(256);
            buf[n++] = '0';
            buf[n++] = 'x';
            int digits = Math.max(1, 16 - Long.numberOfLeadingZeros(a) / 4);
            for (int i = digits - 1; i >= 0; i--) {
                buf[n++] = DIGITS[(int) (a >>> (4 * i)) & 0xf];
            }
            buf[n++] = '\t';
            word(owner0, w0);
            buf[n++] = '\t';
            word(owner1, w1);
            buf[n++] = '\t';
            ascii(w0);
            ascii(w1);
            if (note != null) {
                buf[n++] = '\t';
                text(style.bold(" <-- " + note));
            }
            put(NEWLINE);
        }

        void folded(int skipped, String rows) {
            if (foldStart == null) {
                foldStart = (style.dim("...") + "\t" + style.dimStart() + "\u2193 ").getBytes(StandardCharsets.UTF_8);
            }
            put(foldStart);
            room(20);
            int digits = 1;
            for (int v = skipped; v >= 10; v /= 10) {
                digits++;
            }
            n += digits;
            for (int i = n - 1, v = skipped; ; i--, v /= 10) {
                buf[i] = DIGITS[v % 10];
                if (v < 10) {
                    break;
                }
            }
            if (!rows.equals(foldRows)) {
                foldRows = rows;
                foldRowsBytes = rows.getBytes(StandardCharsets.UTF_8);
            }
            put(foldRowsBytes);
            put(end);
            put(NEWLINE);
        }

        private void word(int owner, long w) {
            put(chunkStart[Math.floorMod(owner, chunkStart.length)]);
            buf[n++] = '0';
            buf[n++] = 'x';
            for (int i = 15; i >= 0; i--) {
                buf[n++] = DIGITS[(int) (w >>> (4 * i)) & 0xf];
            }
            put(end);
        }

        private void ascii(long w) {
            for (int i = 0; i < 8; i++) {
                int b = (int) (w >>> (8 * i)) & 0xff;
                buf[n++] = (byte) (b >= 0x20 && b < 0x7f ? b : '.');
            }
        }

        private void text(String t) {
            put(t.getBytes(StandardCharsets.UTF_8));
        }

        private void put(byte[] b) {
            if (b.length > buf.length - n) {
                flush();
                if (b.length > buf.length) {
                    write(b, b.length);
                    return;
                }
            }
            System.arraycopy(b, 0, buf, n, b.length);
            n += b.length;
        }

        private void room(int count) {
            if (n + count > buf.length) {
                flush();
            }
        }

        void flush() {
            write(buf, n);
            n = 0;
        }

        private void write(byte[] b, int len) {
            if (bytes == null) {
                out.write(new String(b, 0, len, StandardCharsets.UTF_8));
                return;
            }
            try {
                bytes.write(b, 0, len);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static String ascii(long w) {
        StringBuilder sb = new StringBuilder(8);
        for (int i = 0; i < 8; i++) {
            int b = (int) (w >>> (8 * i)) & 0xff;
            sb.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
        }
        return sb.toString();
    }
}
