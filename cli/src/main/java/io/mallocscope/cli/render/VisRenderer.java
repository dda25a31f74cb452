package io.mallocscope.cli.render;

import io.mallocscope.cli.model.BinLabels;
import io.mallocscope.runtime.text.Hex;
import io.mallocscope.cli.model.Bin;
import io.mallocscope.cli.model.BinType;
import io.mallocscope.cli.model.Chunk;
import io.mallocscope.cli.model.HeapSnapshot;

import java.io.PrintWriter;
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
        if (s.heapStart() == 0) {
            out.println("The heap is not initialized yet (no allocation has happened at step " + s.step() + ").");
            return;
        }
        Map<Long, String> notes = notes(s);
        List<Chunk> chunks = s.chunks();
        int shown = maxChunks <= 0 ? chunks.size() : Math.min(maxChunks, chunks.size());
        long[] prevRow = null;
        int skipped = 0;
        for (int n = 0; n < shown; n++) {
            Chunk c = chunks.get(n);
            boolean top = c.address() == s.top();
            long end = top ? c.address() + 16 : c.end();
            for (long a = c.address(); a < end; a += 16) {
                long w0 = s.memory().read64(a);
                long w1 = s.memory().read64(a + 8);
                String note = notes.get(a) != null ? notes.get(a) : notes.get(a + 8);
                boolean boundary = a == c.address() || a + 16 >= end;
                if (prevRow != null && prevRow[0] == w0 && prevRow[1] == w1 && note == null && !boundary) {
                    skipped++;
                    continue;
                }
                if (skipped > 0) {
                    out.println(style.dim("...") + "\t" + style.dim("↓ " + skipped + (skipped == 1 ? " identical row" : " identical rows")));
                    skipped = 0;
                }
                // the first word of a chunk is the previous chunk's while that one is in use
                int firstOwner = a == c.address() && c.prevInuse() && n > 0 ? n - 1 : n;
                StringBuilder row = new StringBuilder(Hex.of(a));
                row.append('\t').append(style.chunk(firstOwner, Hex.word(w0)));
                row.append('\t').append(style.chunk(n, Hex.word(w1)));
                row.append('\t').append(ascii(w0)).append(ascii(w1));
                if (note != null) {
                    row.append('\t').append(style.bold(" <-- " + note));
                }
                out.println(row);
                prevRow = new long[] {w0, w1};
            }
            prevRow = null;
        }
        if (skipped > 0) {
            out.println(style.dim("...") + "\t" + style.dim("↓ " + skipped + " identical rows"));
        }
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

    private static String ascii(long w) {
        StringBuilder sb = new StringBuilder(8);
        for (int i = 0; i < 8; i++) {
            int b = (int) (w >>> (8 * i)) & 0xff;
            sb.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
        }
        return sb.toString();
    }
}
