package io.mallocscope.runtime.trace;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
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

    /** The largest ID a trace may use. */
    public static final int MAX_ID = (1 << 22) - 1;

    private static final String TUNABLES_PREFIX = "# tunables:";
    /** Traces up to this size are read into memory at once and parsed as bytes. */
    private static final long MAX_IN_MEMORY = Integer.MAX_VALUE - 64;

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
        String name = file.toString();
        if (Files.size(file) <= MAX_IN_MEMORY) {
            return parseBytes(name, Files.readAllBytes(file));
        }
        // too big for one array: each byte as the char of the same value, through the same line rules
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            return read(name, r);
        }
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
    public static Trace read(String name, java.io.InputStream in) throws IOException {
        return parseBytes(name, in.readAllBytes());
    }

    /** Parses the bytes of a trace by the rules of {@link #read(Path)}. */
    public static Trace parseBytes(String name, byte[] bytes) {
        int skip = bytes.length >= 3 && bytes[0] == (byte) 0xef && bytes[1] == (byte) 0xbb && bytes[2] == (byte) 0xbf
                ? 3 : 0;
        return parseAscii(name, bytes, skip);
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
        int n = b.length;
        int i = from;
        while (i < n) {
            int start = i;
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
        return builder.build();
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

    private static final class Builder {
        private final String name;
        private String tunables;
        private int lineNo;
        private int headerLines;
        private boolean inHeader = true;
        private int n;
        private byte[] ops = new byte[1024];
        private int[] ids = new int[1024];
        private long[] a1 = new long[1024];
        private long[] a2 = new long[1024];
        private int maxId = -1;
        private final String[] tok = new String[8];

        Builder(String name) {
            this.name = name;
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
            if (op == null) {
                throw error("unknown op '" + tok[0] + "' (expected one of " + TraceOp.letters() + ")");
            }
            ensure();
            int nf = op.fieldCount();
            want(nt, nf + (op.hasId() ? 1 : 0), op);
            int t = 1;
            int id = op.hasId() ? id(tok[t++]) : 0;
            long x = nf > 0 ? field(op, 0, tok[t]) : 0;
            long y = nf > 1 ? field(op, 1, tok[t + 1]) : 0;
            ops[n] = (byte) op.letter();
            ids[n] = id;
            a1[n] = x;
            a2[n] = y;
            n++;
            if (id > maxId) {
                maxId = id;
            }
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
            ensure();
            ops[n] = (byte) op.letter();
            ids[n] = id;
            a1[n] = x;
            a2[n] = y;
            n++;
            if (id > maxId) {
                maxId = id;
            }
            return i;
        }

        /** The blanks of {@link #isBlank(char)} that can be inside a line ({@code \r} ends one). */
        private static boolean isInlineBlank(byte c) {
            return c == ' ' || c == '\t' || c == 0x0b || c == '\f';
        }

        void ensureCapacity(int cap) {
            if (cap > ops.length) {
                ops = Arrays.copyOf(ops, cap);
                ids = Arrays.copyOf(ids, cap);
                a1 = Arrays.copyOf(a1, cap);
                a2 = Arrays.copyOf(a2, cap);
            }
        }

        private void ensure() {
            if (n == ops.length) {
                int cap = n * 2;
                ops = Arrays.copyOf(ops, cap);
                ids = Arrays.copyOf(ids, cap);
                a1 = Arrays.copyOf(a1, cap);
                a2 = Arrays.copyOf(a2, cap);
            }
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
