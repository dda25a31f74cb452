package io.mallocscope.runtime.timeline;

import io.mallocscope.runtime.event.EventKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Reads timeline files (docs/timeline-format.md), the counterpart of {@link TimelineWriter}. One
 * pass over the blocks, holding one block at a time, builds the {@link Timeline}'s index: the header,
 * where each block starts and the decoder state there, the event number of every top-level call and
 * output. {@link #decode} later decodes one block into {@link Block} columns, on demand, so a
 * timeline of any length is read in memory proportional to its calls, not its events.
 *
 * <p>A file cut short or damaged yields every event before the first bad block; the index's
 * {@code problem} says where reading stopped and why.
 */
final class TimelineReader {
    private TimelineReader() {
    }

    /** Where a timeline's bytes are: a file (read a block at a time, reopened per read) or an array. */
    interface Bytes {
        long size();

        /** Reads {@code len} bytes at {@code at} into {@code dst}; fewer only at the end of the bytes. */
        int read(long at, byte[] dst, int off, int len) throws IOException;
    }

    static Bytes of(byte[] data) {
        return new Bytes() {
            @Override
            public long size() {
                return data.length;
            }

            @Override
            public int read(long at, byte[] dst, int off, int len) {
                int n = (int) Math.max(0, Math.min(len, data.length - at));
                System.arraycopy(data, (int) at, dst, off, n);
                return n;
            }
        };
    }

    static Bytes of(Path file) throws IOException {
        long size;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            size = ch.size();
        }
        return new Bytes() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public int read(long at, byte[] dst, int off, int len) throws IOException {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                    ByteBuffer b = ByteBuffer.wrap(dst, off, len);
                    while (b.hasRemaining()) {
                        if (ch.read(b, at + b.position() - off) < 0) {
                            break;
                        }
                    }
                    return b.position() - off;
                }
            }
        };
    }

    // ================================================================ the index pass

    /** What the index pass found; {@link Timeline} keeps it. */
    static final class Index {
        TimelineHeader header;
        String problem;
        final Map<Integer, String> sites = new LinkedHashMap<>();
        final List<String> texts = new ArrayList<>();
        int events;
        int nCalls;
        int[] calls = new int[256];
        int nOutputs;
        int[] outputs = new int[64];
        /** The context records: event number, pid and thread of each (none in a single-threaded recording). */
        int nContexts;
        int[] contextAt = new int[0];
        int[] contextPid = new int[0];
        int[] contextThread = new int[0];
        int nBlocks;
        long[] blockAt = new long[64];
        int[] blockFirst = new int[64];
        /** How many top-level calls come before each block. */
        int[] blockFirstCall = new int[64];
        long[] blockLastAddr = new long[64];
        int[] blockFirstText = new int[64];
        int[][] blockOpenFns = new int[64][];
    }

    /** The decoder state where a block starts, so it can be decoded on its own. */
    record Start(long at, int firstEvent, long lastAddr, int firstText, int[] openFns) {
    }

    static Index index(Bytes bytes, String name) throws IOException {
        long total = bytes.size();
        byte[] preamble = new byte[TimelineFormat.PREAMBLE];
        int got = bytes.read(0, preamble, 0, preamble.length);
        if (got < TimelineFormat.PREAMBLE || !Arrays.equals(preamble, 0, TimelineFormat.MAGIC.length,
                TimelineFormat.MAGIC, 0, TimelineFormat.MAGIC.length)) {
            throw new IOException(name + ": not a mallocscope timeline (bad magic)");
        }
        int version = preamble[TimelineFormat.MAGIC.length] & 0xff;
        if (version < TimelineFormat.MIN_VERSION || version > TimelineFormat.VERSION) {
            throw new IOException(name + ": timeline format version " + version + " is not supported (this reader knows "
                    + TimelineFormat.MIN_VERSION + " to " + TimelineFormat.VERSION + ")");
        }
        Index ix = new Index();
        Block block = new Block();
        Decoder d = new Decoder(block, ix);
        d.version = version;
        long at = TimelineFormat.PREAMBLE;
        byte[] head = new byte[TimelineFormat.BLOCK_HEADER];
        boolean first = true;
        while (at < total) {
            int len;
            String bad;
            int h = bytes.read(at, head, 0, head.length);
            if (h < TimelineFormat.BLOCK_HEADER) {
                bad = "torn block header (" + h + " of 8 bytes)";
                len = -1;
            } else {
                len = intAt(head, 0);
                bad = len < 0 || len > TimelineFormat.MAX_BLOCK ? "corrupt block length " + Integer.toUnsignedString(len)
                        : null;
            }
            if (bad == null) {
                block.ensure(len);
                int n = bytes.read(at + TimelineFormat.BLOCK_HEADER, block.data, 0, len);
                if (n < len) {
                    bad = "torn block (" + n + " of " + len + " bytes present)";
                } else {
                    CRC32 crc = new CRC32();
                    crc.update(block.data, 0, len);
                    if ((int) crc.getValue() != intAt(head, 4)) {
                        bad = "corrupt block (checksum mismatch)";
                    }
                }
            }
            if (bad != null) {
                if (first) {
                    throw new IOException(name + ": the header block is unreadable (" + bad + ")");
                }
                ix.problem = bad + " at byte " + at + ", after " + ix.events + " events; reading stopped there";
                return ix;
            }
            Start start = d.start(at);
            int calls = ix.nCalls;
            int outputs = ix.nOutputs;
            int contexts = ix.nContexts;
            try {
                d.decode(start, len, first);
                first = false;
            } catch (RuntimeException e) {
                if (ix.header == null) {
                    throw new IOException(name + ": the header is corrupt (" + e.getMessage() + ")");
                }
                // drop the block's partial decode
                ix.nCalls = calls;
                ix.nOutputs = outputs;
                ix.nContexts = contexts;
                ix.problem = "corrupt record in the block at byte " + at + " (" + e.getMessage() + "), after "
                        + ix.events + " events; reading stopped there";
                return ix;
            }
            addBlock(ix, start, calls);
            ix.events += block.n;
            at += TimelineFormat.BLOCK_HEADER + len;
        }
        if (first) {
            throw new IOException(name + ": the file has no header (it ends at byte " + total + ")");
        }
        return ix;
    }

    private static void addBlock(Index ix, Start s, int firstCall) {
        if (ix.nBlocks == ix.blockAt.length) {
            int cap = ix.nBlocks * 2;
            ix.blockAt = Arrays.copyOf(ix.blockAt, cap);
            ix.blockFirst = Arrays.copyOf(ix.blockFirst, cap);
            ix.blockFirstCall = Arrays.copyOf(ix.blockFirstCall, cap);
            ix.blockLastAddr = Arrays.copyOf(ix.blockLastAddr, cap);
            ix.blockFirstText = Arrays.copyOf(ix.blockFirstText, cap);
            ix.blockOpenFns = Arrays.copyOf(ix.blockOpenFns, cap);
        }
        int b = ix.nBlocks++;
        ix.blockAt[b] = s.at();
        ix.blockFirst[b] = s.firstEvent();
        ix.blockFirstCall[b] = firstCall;
        ix.blockLastAddr[b] = s.lastAddr();
        ix.blockFirstText[b] = s.firstText();
        ix.blockOpenFns[b] = s.openFns();
    }

    /** Decodes block {@code b} of an indexed timeline into {@code into}. */
    static void decode(Bytes bytes, Index ix, int b, Block into) {
        Start s = new Start(ix.blockAt[b], ix.blockFirst[b], ix.blockLastAddr[b], ix.blockFirstText[b],
                ix.blockOpenFns[b]);
        byte[] head = new byte[TimelineFormat.BLOCK_HEADER];
        try {
            bytes.read(s.at(), head, 0, head.length);
            int len = intAt(head, 0);
            into.ensure(len);
            if (bytes.read(s.at() + TimelineFormat.BLOCK_HEADER, into.data, 0, len) < len) {
                throw new IOException("the file is shorter than when it was opened");
            }
            Decoder d = new Decoder(into, null);
            d.version = ix.header.version();
            d.decode(s, len, b == 0);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read the timeline block at byte " + s.at(), e);
        }
    }

    private static int intAt(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    // ================================================================ one block's events

    /**
     * The events of one block in primitive columns: kind tag, depth, function, a reference (site id,
     * text index, signal + 1, or the offset of a write's or output's bytes in {@link #data}) and the
     * values, {@code vals[valStart[i]..valStart[i+1])}.
     */
    static final class Block {
        int first;
        int n;
        byte[] data = new byte[TimelineWriter.BLOCK_TARGET + 256];
        byte[] kinds = new byte[1024];
        byte[] depths = new byte[1024];
        int[] fns = new int[1024];
        int[] refs = new int[1024];
        int[] valStart = new int[1025];
        int nv;
        long[] vals = new long[4096];

        void ensure(int len) {
            if (data.length < len) {
                data = new byte[len];
            }
        }

        boolean holds(int event) {
            return event >= first && event - first < n;
        }
    }

    private static final class Decoder {
        final Block out;
        /** Set for the index pass: where calls, outputs, sites and texts are collected. */
        final Index ix;
        int version;
        byte[] data;
        int p;
        int end;
        long lastAddr;
        int open;
        final int[] openFns = new int[64];
        int text;

        Decoder(Block out, Index ix) {
            this.out = out;
            this.ix = ix;
        }

        /** The state at the start of the next block (index pass). */
        Start start(long at) {
            return new Start(at, ix.events, lastAddr, ix.texts.size(),
                    open == 0 ? null : Arrays.copyOf(openFns, Math.min(open, openFns.length)));
        }

        void decode(Start s, int len, boolean headerBlock) {
            data = out.data;
            p = 0;
            end = len;
            lastAddr = s.lastAddr();
            text = s.firstText();
            int[] fns = s.openFns();
            open = fns == null ? 0 : fns.length;
            if (fns != null) {
                System.arraycopy(fns, 0, openFns, 0, fns.length);
            }
            out.first = s.firstEvent();
            out.n = 0;
            out.nv = 0;
            out.valStart[0] = 0;
            if (headerBlock) {
                readHeader();
            }
            while (p < end) {
                record();
            }
        }

        private void readHeader() {
            if (u8() != TimelineFormat.TAG_HEADER) {
                throw new IllegalStateException("the first record is not a header");
            }
            long count = varint();
            // each field takes at least two bytes (two empty strings): a larger count is damage, not a
            // reason to read the records after it as header fields
            if (count < 0 || count > (end - p) / 2) {
                throw new IllegalStateException("it claims " + Long.toUnsignedString(count)
                        + " fields; its block holds at most " + (end - p) / 2);
            }
            Map<String, String> fields = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String k = string();
                fields.put(k, string());
            }
            if (ix != null) {
                ix.header = new TimelineHeader(version, fields);
            }
        }

        private void record() {
            int at = p;
            int tag = u8();
            switch (tag) {
                case TimelineFormat.TAG_SITE -> {
                    int id = (int) varint();
                    String site = string();
                    if (ix != null) {
                        ix.sites.put(id, site);
                    }
                    return;
                }
                case TimelineFormat.TAG_FILL, TimelineFormat.TAG_FILL_AT -> {
                    // a write's site (0: unknown) is kept where a call keeps its function
                    int site = tag == TimelineFormat.TAG_FILL_AT ? (int) varint() : 0;
                    begin(EventKind.WRITE, site, -1);
                    long addr = pointer();
                    long len = varint();
                    val(addr);
                    val(len);
                    val(u8());
                    return;
                }
                case TimelineFormat.TAG_RETURN_UNWOUND -> {
                    int how = (int) varint();
                    closeCall(how);
                    return;
                }
                case TimelineFormat.TAG_WRITE_AT -> {
                    write((int) varint());
                    return;
                }
                default -> {
                }
            }
            EventKind kind = EventKind.ofTag(tag);
            if (kind == null) {
                throw new IllegalStateException("unknown record tag " + tag + " at byte " + at);
            }
            if (kind.isTransition()) {
                begin(kind, -1, 0);
                String fields = kind.fields();
                for (int i = 0; i < fields.length(); i++) {
                    val(value(fields.charAt(i)));
                }
                return;
            }
            switch (kind) {
                case CALL -> {
                    int fn = fn();
                    int site = (int) varint();
                    if (open == 0 && ix != null) {
                        if (ix.nCalls == ix.calls.length) {
                            ix.calls = Arrays.copyOf(ix.calls, ix.nCalls * 2);
                        }
                        ix.calls[ix.nCalls++] = out.first + out.n;
                    }
                    begin(kind, fn, site);
                    args(fn);
                    if (open < openFns.length) {
                        openFns[open] = fn;
                    }
                    open++;
                }
                case RETURN -> {
                    if (open == 0) {
                        throw new IllegalStateException("a return without a call");
                    }
                    int fn = openFns[Math.min(open - 1, openFns.length - 1)];
                    open--;
                    begin(kind, fn, 0);
                    val(value(Functions.RESULTS[fn]));
                }
                case SYSCALL -> {
                    int fn = fn();
                    begin(kind, fn, 0);
                    args(fn);
                    val(value(Functions.RESULTS[fn]));
                }
                case ABORT -> {
                    begin(kind, -1, text());
                    text(string());
                }
                case SEGV -> {
                    long addr = pointer();
                    long flags = varint();
                    begin(kind, -1, text());
                    text(string());
                    val(addr);
                    val(flags & 1);
                    val(flags >>> 1);
                }
                case WRITE -> write(0);
                case OUTPUT -> {
                    long stream = varint();
                    if (stream != TimelineFormat.STDOUT && stream != TimelineFormat.STDERR) {
                        throw new IllegalStateException("output on stream " + stream + " (not 1 or 2)");
                    }
                    int len = (int) varint();
                    if (len < 0 || len > end - p) {
                        throw new IllegalStateException("output of " + len + " bytes runs past its block");
                    }
                    if (ix != null) {
                        if (ix.nOutputs == ix.outputs.length) {
                            ix.outputs = Arrays.copyOf(ix.outputs, ix.nOutputs * 2);
                        }
                        ix.outputs[ix.nOutputs++] = out.first + out.n;
                    }
                    begin(kind, -1, p);
                    p += len;
                    val(stream);
                    val(len);
                }
                case OPEN, CLOSE, FILE_MAP, PAGE_PRIVATE, WRITE_BACK, SIGBUS -> {
                    long addr = pointer();
                    long n1 = varint();
                    long n2 = varint();
                    begin(kind, -1, text());
                    text(string());
                    val(addr);
                    val(n1);
                    val(n2);
                }
                case CONTEXT -> {
                    long pid = varint();
                    long thread = varint();
                    if (ix != null) {
                        if (ix.nContexts == ix.contextAt.length) {
                            int cap = Math.max(16, ix.nContexts * 2);
                            ix.contextAt = Arrays.copyOf(ix.contextAt, cap);
                            ix.contextPid = Arrays.copyOf(ix.contextPid, cap);
                            ix.contextThread = Arrays.copyOf(ix.contextThread, cap);
                        }
                        ix.contextAt[ix.nContexts] = out.first + out.n;
                        ix.contextPid[ix.nContexts] = (int) pid;
                        ix.contextThread[ix.nContexts] = (int) thread;
                        ix.nContexts++;
                    }
                    begin(kind, -1, 0);
                    val(pid);
                    val(thread);
                }
                default -> throw new IllegalStateException("unexpected " + kind);
            }
        }

        /** A write record's fields after its tag (and site): address, length, the bytes. */
        private void write(int site) {
            long addr = pointer();
            int len = (int) varint();
            if (len < 0 || len > end - p) {
                throw new IllegalStateException("write of " + len + " bytes runs past its block");
            }
            begin(EventKind.WRITE, site, p);
            p += len;
            val(addr);
            val(len);
            val(-1);
        }

        /** The index the next text (abort message, segv reason) gets. */
        private int text() {
            return text;
        }

        private void text(String s) {
            text++;
            if (ix != null) {
                ix.texts.add(s);
            }
        }

        private void closeCall(int how) {
            if (open == 0) {
                throw new IllegalStateException("a return without a call");
            }
            int fn = openFns[Math.min(open - 1, openFns.length - 1)];
            open--;
            begin(EventKind.RETURN, fn, how); // refs - 1 = signal (how 0: void return → -1)
        }

        private int fn() {
            int fn = (int) varint();
            if (fn < 0 || fn >= Functions.count()) {
                throw new IllegalStateException("unknown function number " + fn);
            }
            return fn;
        }

        private void args(int fn) {
            for (char k : Functions.ARGS[fn]) {
                val(value(k));
            }
        }

        private long value(char k) {
            return switch (k) {
                case 'P' -> pointer();
                case 'U' -> varint();
                default -> zigzag();
            };
        }

        private void begin(EventKind kind, int fn, int ref) {
            Block b = out;
            int n = b.n;
            if (n == b.kinds.length) {
                int cap = n * 2;
                b.kinds = Arrays.copyOf(b.kinds, cap);
                b.depths = Arrays.copyOf(b.depths, cap);
                b.fns = Arrays.copyOf(b.fns, cap);
                b.refs = Arrays.copyOf(b.refs, cap);
                b.valStart = Arrays.copyOf(b.valStart, cap + 1);
            }
            b.kinds[n] = (byte) kind.ordinal();
            b.depths[n] = (byte) Math.min(open, 127);
            b.fns[n] = fn;
            b.refs[n] = ref;
            b.valStart[n] = b.nv;
            b.n = n + 1;
            b.valStart[n + 1] = b.nv;
        }

        private void val(long v) {
            Block b = out;
            if (b.nv == b.vals.length) {
                b.vals = Arrays.copyOf(b.vals, b.nv * 2);
            }
            b.vals[b.nv++] = v;
            b.valStart[b.n] = b.nv;
        }

        private int u8() {
            if (p >= end) {
                throw new IllegalStateException("record runs past its block");
            }
            return data[p++] & 0xff;
        }

        private long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = u8();
                v |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new IllegalStateException("varint longer than 10 bytes");
        }

        private long zigzag() {
            long z = varint();
            return (z >>> 1) ^ -(z & 1);
        }

        private long pointer() {
            lastAddr += zigzag();
            return lastAddr;
        }

        private String string() {
            int len = (int) varint();
            if (len < 0 || len > end - p) {
                throw new IllegalStateException("string of " + len + " bytes runs past its block");
            }
            String s = new String(data, p, len, StandardCharsets.UTF_8);
            p += len;
            return s;
        }
    }
}
