package io.mallocscope.runtime.trace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A malloclab-style allocation trace ({@code .rep}), held in primitive arrays so that traces of
 * millions of operations load and replay quickly.
 *
 * <p>Format, read leniently: up to four leading lines holding one integer each (the CS:APP header;
 * ignored); blank lines ignored; lines starting with {@code #} are comments, except that
 * {@code # tunables: glibc.malloc.X=V:...} gives the trace's tunables. Operations (each defined,
 * grammar and call, by a constant of {@link TraceOp}):
 * <pre>
 *   a ID BYTES        malloc          f ID           free
 *   r ID BYTES        realloc         c ID BYTES     calloc(1, BYTES)
 *   t PAD             malloc_trim     m ID ALIGN BYTES  memalign
 *   o PARAM VALUE     mallopt         s INCR         sbrk by the program (foreign)
 * </pre>
 * IDs are 0..4194303 (the reference harness's limit); BYTES, ALIGN and PAD are unsigned 64-bit;
 * PARAM and VALUE are ints; INCR is signed.
 */
public final class Trace {
    /**
     * How a parse error of a {@code T K} or {@code X K} line begins: only {@link ThreadedTrace} reads
     * them, and a command that can hand the trace to it looks for this.
     */
    public static final String THREAD_LINE = "a thread line";


    /** The largest ID a trace may use. */
    public static final int MAX_ID = (1 << 22) - 1;

    private static final String TUNABLES_PREFIX = "# tunables:";

    private final String name;
    private final String tunables;
    private final int size;
    private final byte[] ops;
    private final int[] ids;
    private final long[] arg1;
    private final long[] arg2;
    private final int maxId;

    private Trace(String name, String tunables, int size, byte[] ops, int[] ids, long[] arg1, long[] arg2, int maxId) {
        this.name = name;
        this.tunables = tunables;
        this.size = size;
        this.ops = ops;
        this.ids = ids;
        this.arg1 = arg1;
        this.arg2 = arg2;
        this.maxId = maxId;
    }

    /**
     * Reads a trace file. A trace is bytes: operations are ASCII, and any other byte (Latin-1 or UTF-8
     * text, binary garbage) is an error {@code FILE:LINE: …} unless it is in a {@code #} comment; a UTF-8
     * byte-order mark at the start is skipped. No decoding, so no MalformedInputException.
     */
    public static Trace read(Path file) throws IOException {
        Builder b = new Builder(file.toString());
        b.ensureCapacity((int) Math.min(Files.size(file) / 10 + 16, 1 << 26)); // about 10 bytes a line
        try (InputStream in = Files.newInputStream(file)) {
            parse(in, b);
        }
        return b.build();
    }

    public static Trace parse(String name, String text) {
        try {
            return read(name, new BufferedReader(new StringReader(text)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Trace read(String name, Reader reader) throws IOException {
        BufferedReader r = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        Builder b = new Builder(name);
        String line;
        boolean first = true;
        while ((line = r.readLine()) != null) {
            if (first && line.startsWith("\uFEFF")) {
                line = line.substring(1); // a byte-order mark, as an editor may write one
            }
            first = false;
            b.line(line);
        }
        return b.build();
    }

    /** Reads a trace from a stream (standard input, a pipe) by the rules of {@link #read(Path)}. */
    public static Trace read(String name, InputStream in) throws IOException {
        Builder b = new Builder(name);
        parse(in, b);
        return b.build();
    }

    /** Parses the bytes of a trace by the rules of {@link #read(Path)}. */
    public static Trace parseBytes(String name, byte[] bytes) {
        return parseAscii(name, bytes, bomLength(bytes, bytes.length));
    }

    /**
     * The fast path: parses the bytes of a trace without making a String per line. Lines that are
     * not plain well-formed operations (comments, header numbers, errors) go through the same
     * {@link Builder#line(String)} as text read by a Reader, so the rules and messages are one.
     * A byte that is not ASCII reaches that method as the char of the same value, so it is accepted
     * in a comment and reported, with its value, anywhere else.
     */
    static Trace parseAscii(String name, byte[] b) {
        return parseAscii(name, b, 0);
    }

    private static Trace parseAscii(String name, byte[] b, int from) {
        Builder builder = new Builder(name);
        builder.ensureCapacity(b.length / 10 + 16); // about 10 bytes a line
        lines(b, from, b.length, b.length, builder);
        return builder.build();
    }

    /**
     * Receives the ops of a trace as they are parsed, a batch at a time, in order: {@code n} ops in
     * the first {@code n} entries of the arrays (letters, IDs, first and second numbers), which are
     * reused for the next batch.
     */
    @FunctionalInterface
    interface OpBatches {
        void ops(byte[] letters, int[] ids, long[] arg1, long[] arg2, int n);
    }

    /** Ops in a batch: small enough for the arrays to stay in the processor's caches. */
    static final int BATCH = 4096;

    /** Bytes read from a stream at a time. */
    private static final int CHUNK = 1 << 18;

    /**
     * Parses a trace from a stream a chunk at a time into {@code builder}: the ops are never all in
     * memory unless the builder keeps them. Exactly what {@link #parseBytes} gives for the same bytes.
     */
    static void parse(InputStream in, Builder builder) throws IOException {
        byte[] b = new byte[CHUNK];
        int n = 0; // bytes held
        int i = 0; // the first byte not yet parsed
        boolean eof = false;
        boolean bomChecked = false;
        long base = 0; // where in the stream b[0] is
        while (true) {
            if (i > 0) { // keep the unparsed tail (a line cut by the chunk's end) at the front
                System.arraycopy(b, i, b, 0, n - i);
                n -= i;
                base += i;
                i = 0;
            }
            if (n == b.length) { // a line longer than the buffer
                b = Arrays.copyOf(b, b.length * 2);
            }
            int r = in.read(b, n, b.length - n);
            if (r < 0) {
                eof = true;
            } else {
                n += r;
            }
            if (!bomChecked && (n >= 3 || eof)) {
                bomChecked = true;
                i = bomLength(b, n);
            }
            if (!bomChecked) {
                continue;
            }
            int safe = n; // lines starting before safe end (their line break included) before n
            if (!eof) {
                int t = n - 1;
                if (t >= i && b[t] == '\r') {
                    t--; // a \r last may be the first half of \r\n
                }
                while (t >= i && b[t] != '\n' && b[t] != '\r') {
                    t--;
                }
                safe = t + 1;
            }
            builder.base = base;
            i = lines(b, i, safe, n, builder);
            if (eof) {
                builder.endBatch();
                return;
            }
        }
    }

    /** 3 if the {@code n} bytes of {@code b} start with a UTF-8 byte-order mark (an editor may write one), else 0. */
    private static int bomLength(byte[] b, int n) {
        return n >= 3 && b[0] == (byte) 0xef && b[1] == (byte) 0xbb && b[2] == (byte) 0xbf ? 3 : 0;
    }

    /**
     * Parses the lines of {@code b} that start in {@code [i, safe)}, each of which ends (line break
     * included) before {@code n}, and returns where the next line starts.
     */
    private static int lines(byte[] b, int i, int safe, int n, Builder builder) {
        while (i < safe) {
            int start = i;
            builder.start = start;
            int end = builder.fastLine(b, start, n);
            if (end < 0) {
                // a line ends at \n, \r or \r\n, as BufferedReader.readLine ends it
                end = start;
                while (end < n && b[end] != '\n' && b[end] != '\r') {
                    end++;
                }
                // each byte as the char of the same value: a byte that is not ASCII stays one char
                builder.line(new String(b, start, end - start, StandardCharsets.ISO_8859_1));
            }
            i = end;
            if (i < n) {
                i += b[i] == '\r' && i + 1 < n && b[i + 1] == '\n' ? 2 : 1;
            }
        }
        return i;
    }

    /**
     * The line number (from 1) of each operation of a trace that parses, in order: its lines whose first
     * field starts with a letter (blank lines, {@code #} comments and the header's numbers are not
     * operations). Lines end as the parser ends them ({@code \n}, {@code \r} or {@code \r\n}). For naming
     * a trace's calls by their lines ({@code t.rep:12}); reads the bytes again rather than keeping a line
     * per operation on the parser's hot path.
     */
    public static int[] opLines(byte[] b) {
        int[] out = new int[16];
        int n = 0;
        int line = 0;
        int i = bomLength(b, b.length);
        while (i < b.length) {
            line++;
            while (i < b.length && (b[i] == ' ' || b[i] == '\t')) {
                i++;
            }
            if (i < b.length && (b[i] | 0x20) >= 'a' && (b[i] | 0x20) <= 'z') {
                if (n == out.length) {
                    out = Arrays.copyOf(out, n * 2);
                }
                out[n++] = line;
            }
            while (i < b.length && b[i] != '\n' && b[i] != '\r') {
                i++;
            }
            if (i < b.length) {
                i += b[i] == '\r' && i + 1 < b.length && b[i + 1] == '\n' ? 2 : 1;
            }
        }
        return Arrays.copyOf(out, n);
    }

    public String name() {
        return name;
    }

    /** The tunables from a {@code # tunables:} line, or null when the trace has none. */
    public String tunables() {
        return tunables;
    }

    public int size() {
        return size;
    }

    /** Op {@code i} (0-based). */
    public TraceOp op(int i) {
        return TraceOp.ofLetter((char) ops[i]);
    }

    /** The ID of an a/f/r/c/m op (0 for others). */
    public int id(int i) {
        return ids[i];
    }

    /** BYTES of a/r/c, ALIGN of m, PAD of t, PARAM of o, INCR of s. */
    public long arg1(int i) {
        return arg1[i];
    }

    /** BYTES of m, VALUE of o. */
    public long arg2(int i) {
        return arg2[i];
    }

    /** The largest ID used (-1 if none). */
    public int maxId() {
        return maxId;
    }

    /**
     * Applies the line rules: keeps the ops (for a {@link Trace}), or hands them to {@link OpBatches}
     * a batch at a time and keeps only how many there were of each kind and the largest ID. Both ways
     * run the same code on the same arrays, so that a trace read twice (to check it, then to replay it)
     * is compiled once.
     */
    static final class Builder {
        private final String name;
        private final OpBatches batches;
        private String tunables;
        private int lineNo;
        private int headerLines;
        private boolean inHeader = true;
        /** Ops in the arrays. */
        private int n;
        /** Ops in all. */
        private int total;
        private byte[] ops;
        private int[] ids;
        private long[] a1;
        private long[] a2;
        private int maxId = -1;
        private final int[] counts = new int[TraceOp.values().length];
        /** Where in the stream the bytes being parsed start, and the line being parsed in them (set by {@link #parse}). */
        long base;
        int start;
        /**
         * Where each batch of {@link OpBatches} but the first starts in the stream (the line of its first op),
         * for a reader that starts at a batch ({@link TraceFile#batchStart}): entry k-1 is batch k's.
         */
        private long[] batchStarts = new long[16];
        /** The number of the line before each of those batches' first op (entry k-1 is batch k's). */
        private int[] batchLines = new int[16];
        private int batchStartCount;
        private final String[] tok = new String[8];

        /** Keeps every op. */
        Builder(String name) {
            this(name, null, 1024);
        }

        /** Keeps none: hands them to {@code batches}. */
        Builder(String name, OpBatches batches) {
            this(name, batches, BATCH);
        }

        private Builder(String name, OpBatches batches, int cap) {
            this.name = name;
            this.batches = batches;
            ops = new byte[cap];
            ids = new int[cap];
            a1 = new long[cap];
            a2 = new long[cap];
        }

        String name() {
            return name;
        }

        /** How many batches but the first have started: batches {@code 1..batchStarts()} have a start. */
        int batchStarts() {
            return batchStartCount;
        }

        /** Where batch {@code k} (1..{@link #batchStarts()}) starts in the stream. */
        long batchStart(int k) {
            return batchStarts[k - 1];
        }

        /** The number of the line before batch {@code k}'s first op (1..{@link #batchStarts()}). */
        int batchLine(int k) {
            return batchLines[k - 1];
        }

        /**
         * Parses from the start of batch {@code k} of a file whose whole reading made {@code whole}: its
         * lines are numbered as the file's, so an error names the line it is on.
         */
        Builder from(Builder whole, int k) {
            lineNo = whole.batchLine(k);
            return this;
        }

        String tunables() {
            return tunables;
        }

        int size() {
            return total;
        }

        int maxId() {
            return maxId;
        }

        /** How many of the ops are {@code op}. */
        int count(TraceOp op) {
            return counts[op.ordinal()];
        }

        private void add(TraceOp op, int id, long x, long y) {
            if (n == ops.length) {
                if (batches != null) {
                    if (batchStartCount == batchStarts.length) {
                        batchStarts = Arrays.copyOf(batchStarts, batchStartCount * 2);
                        batchLines = Arrays.copyOf(batchLines, batchStartCount * 2);
                    }
                    batchLines[batchStartCount] = lineNo - 1; // lineNo is this op's line
                    batchStarts[batchStartCount++] = base + start; // this op's line starts the next batch
                    endBatch();
                } else {
                    grow(n * 2);
                }
            }
            ops[n] = (byte) op.letter();
            ids[n] = id;
            a1[n] = x;
            a2[n] = y;
            n++;
            total++;
            counts[op.ordinal()]++;
            if (id > maxId) {
                maxId = id;
            }
        }

        /** Hands the ops parsed since the last batch to {@link OpBatches}; at the end of the trace. */
        void endBatch() {
            if (batches != null && n > 0) {
                int k = n;
                n = 0;
                batches.ops(ops, ids, a1, a2, k);
            }
        }

        void line(String line) {
            lineNo++;
            int nt = tokenize(line);
            if (nt == 0) {
                return;
            }
            if (tok[0].charAt(0) == '#') {
                String t = line.strip();
                if (t.startsWith(TUNABLES_PREFIX)) {
                    tunables = t.substring(TUNABLES_PREFIX.length()).strip();
                }
                return;
            }
            for (int k = 0; k < line.length(); k++) {
                char c = line.charAt(k);
                if (c >= 0x80 || (c < 0x20 && !isBlank(c))) {
                    throw error((c > 0xff ? String.format("character U+%04X", (int) c) : String.format("byte 0x%02x", (int) c))
                            + " in '" + shown(line.strip()) + "': operations are plain ASCII (other bytes only in # comments)");
                }
            }
            if (nt > 7) {
                throw error("too many fields");
            }
            if (nt == 1 && isSigned(tok[0])) {
                if (!inHeader) {
                    throw error("number-only line after the first operation '" + shown(tok[0]) + "'");
                }
                if (++headerLines > 4) {
                    throw error("more than four header lines '" + shown(tok[0]) + "'");
                }
                return;
            }
            inHeader = false;
            TraceOp op = tok[0].length() == 1 ? TraceOp.ofLetter(tok[0].charAt(0)) : null;
            if (op == null && nt == 2 && (tok[0].equals("T") || tok[0].equals("X"))) {
                throw error(THREAD_LINE + " ('" + tok[0] + " " + shown(tok[1]) + "'): traces with threads (T and X"
                        + " lines) are read by `mallocscope replay`, `compare` and the views, not by this reader");
            }
            if (op == null) {
                throw error("unknown op '" + tok[0] + "' (expected one of " + TraceOp.letters() + ")");
            }
            int nf = op.fieldCount();
            want(nt, nf + (op.hasId() ? 1 : 0), op);
            int t = 1;
            int id = op.hasId() ? id(tok[t++]) : 0;
            long x = nf > 0 ? field(op, 0, tok[t]) : 0;
            long y = nf > 1 ? field(op, 1, tok[t + 1]) : 0;
            add(op, id, x, y);
        }

        Trace build() {
            return new Trace(name, tunables, n, Arrays.copyOf(ops, n), Arrays.copyOf(ids, n), Arrays.copyOf(a1, n),
                    Arrays.copyOf(a2, n), maxId);
        }

        /**
         * Parses the line of ASCII bytes starting at {@code s} (up to {@code \n}, {@code \r} or
         * {@code limit}) if it is a blank line or a well-formed a/f/r/c/m/t operation whose numbers are
         * plain digits, and returns where the line ends; returns -1, having changed nothing, for
         * anything else (which {@link #line(String)} then handles, errors included).
         */
        int fastLine(byte[] b, int s, int limit) {
            int i = s;
            while (i < limit && isInlineBlank(b[i])) {
                i++;
            }
            if (i == limit || b[i] == '\n' || b[i] == '\r') {
                lineNo++;
                return i;
            }
            if (i + 1 >= limit || !isInlineBlank(b[i + 1])) {
                return -1; // an op is one character followed by a blank
            }
            TraceOp op = TraceOp.ofLetter((char) b[i]);
            if (op == null) {
                return -1;
            }
            int nargs = op.fieldCount() + (op.hasId() ? 1 : 0);
            for (int f = 0; f < op.fieldCount(); f++) {
                if (op.field(f) != TraceOp.UNSIGNED) {
                    return -1; // signed numbers go the slow way
                }
            }
            i += 2;
            long v0 = 0;
            long v1 = 0;
            long v2 = 0;
            for (int k = 0; k < nargs; k++) {
                while (i < limit && isInlineBlank(b[i])) {
                    i++;
                }
                int d = i;
                long v = 0;
                while (i < limit) {
                    int c = b[i] - '0';
                    if (c < 0 || c > 9) {
                        break;
                    }
                    v = v * 10 + c;
                    i++;
                }
                // 1..18 digits: anything else (signs, letters, huge numbers) goes the slow way
                if (i == d || i - d > 18) {
                    return -1;
                }
                if (k == 0) {
                    v0 = v;
                } else if (k == 1) {
                    v1 = v;
                } else {
                    v2 = v;
                }
            }
            while (i < limit && isInlineBlank(b[i])) {
                i++;
            }
            if (i < limit && b[i] != '\n' && b[i] != '\r') {
                return -1; // a letter after a number, or too many fields
            }
            int id = 0;
            long x;
            long y;
            if (!op.hasId()) {
                x = v0;
                y = v1;
            } else {
                if (v0 > MAX_ID) {
                    return -1;
                }
                id = (int) v0;
                x = v1;
                y = v2;
            }
            lineNo++;
            inHeader = false;
            add(op, id, x, y);
            return i;
        }

        /** The blanks of {@link #isBlank(char)} that can be inside a line ({@code \r} ends one). */
        private static boolean isInlineBlank(byte c) {
            return c == ' ' || c == '\t' || c == 0x0b || c == '\f';
        }

        void ensureCapacity(int cap) {
            if (batches == null && cap > ops.length) {
                grow(cap);
            }
        }

        private void grow(int cap) {
            ops = Arrays.copyOf(ops, cap);
            ids = Arrays.copyOf(ids, cap);
            a1 = Arrays.copyOf(a1, cap);
            a2 = Arrays.copyOf(a2, cap);
        }

        private int tokenize(String line) {
            int count = 0;
            int i = 0;
            int len = line.length();
            while (i < len) {
                while (i < len && isBlank(line.charAt(i))) {
                    i++;
                }
                if (i >= len) {
                    break;
                }
                int s = i;
                while (i < len && !isBlank(line.charAt(i))) {
                    i++;
                }
                if (count < tok.length) {
                    tok[count] = line.substring(s, i);
                }
                count++;
            }
            return count;
        }

        private static boolean isBlank(char c) {
            return c == ' ' || c == '\t' || c == '\r' || c == 0x0b || c == '\f';
        }

        private void want(int nt, int nargs, TraceOp op) {
            if (nt != nargs + 1) {
                throw error((nt < nargs + 1 ? "too few" : "too many") + " arguments for '" + op.letter() + "': expected "
                        + op.letter() + " " + op.usage());
            }
        }

        private long field(TraceOp op, int f, String t) {
            return switch (op.field(f)) {
                case TraceOp.UNSIGNED -> unsigned(t);
                case TraceOp.INT -> intArg(t);
                default -> signed(t);
            };
        }

        private int id(String t) {
            long v = parseUnsigned(t, "an ID (0.." + MAX_ID + ")");
            if (v < 0 || v > MAX_ID) {
                throw error("ID too large (limit " + MAX_ID + ") '" + shown(t) + "'");
            }
            return (int) v;
        }

        private long unsigned(String t) {
            return parseUnsigned(t, "an unsigned number");
        }

        private long parseUnsigned(String t, String what) {
            for (int i = 0; i < t.length(); i++) {
                char c = t.charAt(i);
                if (c < '0' || c > '9') {
                    throw error("expected " + what + ", got '" + shown(t) + "'");
                }
            }
            try {
                return Long.parseUnsignedLong(t);
            } catch (NumberFormatException e) {
                throw error("expected " + what + ", got '" + shown(t) + "' (too large)");
            }
        }

        private long signed(String t) {
            if (!isSigned(t)) {
                throw error("expected a signed number, got '" + shown(t) + "'");
            }
            try {
                return Long.parseLong(t.startsWith("+") ? t.substring(1) : t);
            } catch (NumberFormatException e) {
                throw error("expected a signed number, got '" + shown(t) + "' (out of range)");
            }
        }

        private long intArg(String t) {
            long v = signed(t);
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw error("number out of int range '" + shown(t) + "'");
            }
            return v;
        }

        private static boolean isSigned(String t) {
            int i = 0;
            if (t.startsWith("-") || t.startsWith("+")) {
                i = 1;
            }
            if (i >= t.length()) {
                return false;
            }
            for (; i < t.length(); i++) {
                char c = t.charAt(i);
                if (c < '0' || c > '9') {
                    return false;
                }
            }
            return true;
        }

        /**
         * {@code t} as an error message shows it: characters that are not printable ASCII as {@code \\xHH}
         * (or {@code \\uHHHH}), and at most 40 of them, then how long it really is.
         */
        static String shown(String t) {
            StringBuilder sb = new StringBuilder();
            int limit = Math.min(t.length(), 40);
            for (int k = 0; k < limit; k++) {
                char c = t.charAt(k);
                if (c >= 0x20 && c < 0x7f) {
                    sb.append(c);
                } else if (c <= 0xff) {
                    sb.append(String.format("\\x%02x", (int) c));
                } else {
                    sb.append(String.format("\\u%04x", (int) c));
                }
            }
            if (t.length() > limit) {
                sb.append("… (").append(t.length()).append(" characters)");
            }
            return sb.toString();
        }

        private TraceFormatException error(String what) {
            return new TraceFormatException(name, lineNo, what);
        }
    }
}
