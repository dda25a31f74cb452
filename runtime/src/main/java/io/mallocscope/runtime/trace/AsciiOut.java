package io.mallocscope.runtime.trace;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Lines of ASCII formatted straight into a byte array and written to a stream in large pieces: the
 * writer of the offsets format, which prints a line for most of millions of ops. Numbers are written
 * digit by digit (no String per number), exactly as {@link Long#toHexString}, {@link Long#toString}
 * and {@link Long#toUnsignedString} write them.
 */
final class AsciiOut {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** Room every single append needs at most (a 64-bit number in decimal with its sign). */
    private static final int ROOM = 24;

    private final OutputStream out;
    private final byte[] buf;
    private int n;

    AsciiOut(OutputStream out, int size) {
        this.out = out;
        this.buf = new byte[Math.max(size, 256)];
    }

    AsciiOut ch(char c) {
        room(1);
        buf[n++] = (byte) c;
        return this;
    }

    /** {@code s}, whose characters are all ASCII. */
    AsciiOut ascii(String s) {
        int len = s.length();
        if (len > buf.length - n) {
            flush();
        }
        if (len > buf.length) {
            write(s.getBytes(StandardCharsets.ISO_8859_1), len);
            return this;
        }
        s.getBytes(0, len, buf, n); // the low byte of each char: ASCII stays itself
        n += len;
        return this;
    }

    /**
     * The 4 ASCII characters packed in {@code quad} by {@link #quad} (a prefix such as {@code "H+0x"}).
     */
    AsciiOut ascii4(int quad) {
        room(4);
        buf[n] = (byte) quad;
        buf[n + 1] = (byte) (quad >>> 8);
        buf[n + 2] = (byte) (quad >>> 16);
        buf[n + 3] = (byte) (quad >>> 24);
        n += 4;
        return this;
    }

    /** The 4 ASCII characters of {@code s}, packed for {@link #ascii4}. */
    static int quad(String s) {
        if (s.length() != 4) {
            throw new IllegalArgumentException("not 4 characters: " + s);
        }
        return s.charAt(0) | s.charAt(1) << 8 | s.charAt(2) << 16 | s.charAt(3) << 24;
    }

    /** {@code v} as {@link Long#toHexString}: unsigned, lower case, no leading zeros. */
    AsciiOut hex(long v) {
        room(16);
        int digits = v == 0 ? 1 : (67 - Long.numberOfLeadingZeros(v)) >> 2;
        int end = n + digits;
        for (int i = end - 1; i >= n; i--) {
            buf[i] = HEX[(int) v & 15];
            v >>>= 4;
        }
        n = end;
        return this;
    }

    /** {@code v} as {@link Long#toString}. */
    AsciiOut dec(long v) {
        if (v < 0) {
            room(ROOM);
            buf[n++] = '-';
            if (v == Long.MIN_VALUE) { // its negation does not fit: 9223372036854775808, unsigned
                return udec(v);
            }
            v = -v;
        }
        return udec(v);
    }

    /** {@code v} as {@link Long#toUnsignedString}. */
    AsciiOut udec(long v) {
        room(ROOM);
        if (v >= 0 && v <= Integer.MAX_VALUE) { // IDs and most results: int arithmetic, written from the end
            int x = (int) v;
            int len = 1;
            for (int p = 10; len < 10 && x >= p; p *= 10) {
                len++;
            }
            n += len;
            int i = n;
            do {
                buf[--i] = (byte) ('0' + x % 10);
                x /= 10;
            } while (x != 0);
            return this;
        }
        int start = n;
        if (v < 0) { // above Long.MAX_VALUE: the last digit first, then a non-negative quotient
            long q = Long.divideUnsigned(v, 10);
            buf[n++] = (byte) ('0' + (v - q * 10));
            v = q;
        }
        do {
            buf[n++] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
        for (int i = start, j = n - 1; i < j; i++, j--) { // the digits were written lowest first
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
        return this;
    }

    /** Writes what is buffered when more than {@code limit} bytes are. */
    void flushOver(int limit) {
        if (n > limit) {
            flush();
        }
    }

    /** Writes what is buffered to the stream (it is not flushed itself). */
    void flush() {
        if (n > 0) {
            int len = n;
            n = 0;
            write(buf, len);
        }
    }

    private void write(byte[] b, int len) {
        try {
            out.write(b, 0, len);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void room(int k) {
        if (buf.length - n < k) {
            flush();
        }
    }

    /** A stream that hands what is written to {@code a}, each byte as the char of the same value. */
    static OutputStream toAppendable(Appendable a) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                a.append((char) (b & 0xff));
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                a.append(new String(b, off, len, StandardCharsets.ISO_8859_1));
            }
        };
    }
}
