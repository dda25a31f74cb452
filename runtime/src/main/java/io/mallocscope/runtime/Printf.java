package io.mallocscope.runtime;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * C's printf conversions over Java arguments: {@code %d %i %u %x %X %o %c %s %p %%}, the length
 * modifiers {@code hh h l ll z j t}, flags {@code - 0 # + space}, width and precision (also
 * {@code *}). Integers may be passed as any Java integral type; {@code %s} takes a Java String or a
 * pointer (long) to a C string in simulated memory.
 *
 * <p>The result is bytes, as in C: a C string's bytes are copied as they are, Java text is encoded
 * as UTF-8, and widths and precisions count bytes (so {@code %-6s} of "é" pads with four spaces,
 * as glibc does).
 */
final class Printf {
    private Printf() {
    }

    /**
     * Reads the bytes of the NUL-terminated string at an address (without the NUL): at most
     * {@code max} of them, none past them (a precision, as glibc's strnlen reads), or all ({@code max} &lt; 0).
     */
    interface StringReader {
        byte[] cString(long address, int max);
    }

    private static final byte[] NULL_STRING = "(null)".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NIL_POINTER = "(nil)".getBytes(StandardCharsets.US_ASCII);

    static String formatToString(String fmt, Object[] args, StringReader memory) {
        return new String(format(fmt, args, memory), StandardCharsets.UTF_8);
    }

    static byte[] format(String fmt, Object[] args, StringReader memory) {
        Bytes out = new Bytes(fmt.length() + 16);
        int argi = 0;
        int n = fmt.length();
        int literalStart = 0;
        for (int i = 0; i < n; i++) {
            if (fmt.charAt(i) != '%') {
                continue;
            }
            out.text(fmt.substring(literalStart, i));
            int start = i;
            i++;
            if (i >= n) {
                out.add('%');
                literalStart = n;
                break;
            }
            boolean left = false, zero = false, alt = false, plus = false, space = false;
            for (; i < n; i++) {
                char f = fmt.charAt(i);
                if (f == '-') left = true;
                else if (f == '0') zero = true;
                else if (f == '#') alt = true;
                else if (f == '+') plus = true;
                else if (f == ' ') space = true;
                else break;
            }
            int width = -1;
            if (i < n && fmt.charAt(i) == '*') {
                width = (int) toLong(arg(args, argi++, fmt));
                if (width < 0) {
                    left = true;
                    width = -width;
                }
                i++;
            } else {
                while (i < n && Character.isDigit(fmt.charAt(i))) {
                    width = Math.max(width, 0) * 10 + (fmt.charAt(i++) - '0');
                }
            }
            int precision = -1;
            if (i < n && fmt.charAt(i) == '.') {
                i++;
                precision = 0;
                if (i < n && fmt.charAt(i) == '*') {
                    precision = (int) toLong(arg(args, argi++, fmt)); // negative: as if omitted
                    i++;
                } else {
                    while (i < n && Character.isDigit(fmt.charAt(i))) {
                        precision = precision * 10 + (fmt.charAt(i++) - '0');
                    }
                }
            }
            int bits = 32;
            while (i < n) {
                char m = fmt.charAt(i);
                if (m == 'h') {
                    bits = bits == 16 ? 8 : 16;
                } else if (m == 'l' || m == 'z' || m == 'j' || m == 't' || m == 'L' || m == 'q') {
                    bits = 64;
                } else {
                    break;
                }
                i++;
            }
            if (i >= n) {
                throw new IllegalArgumentException("printf: incomplete conversion '" + fmt.substring(start)
                        + "' at the end of format " + quoted(fmt));
            }
            char conv = fmt.charAt(i);
            literalStart = i + 1;
            byte[] body;
            String prefix = "";
            switch (conv) {
                case '%' -> {
                    out.add('%');
                    continue;
                }
                case 'd', 'i' -> {
                    long v = signExtend(toLong(arg(args, argi++, fmt)), bits);
                    String digits = v < 0 ? Long.toString(v).substring(1) : Long.toString(v);
                    body = ascii(applyPrecision(digits, precision, v == 0));
                    prefix = v < 0 ? "-" : plus ? "+" : space ? " " : "";
                }
                case 'u' -> {
                    long v = zeroExtend(toLong(arg(args, argi++, fmt)), bits);
                    body = ascii(applyPrecision(Long.toUnsignedString(v), precision, v == 0));
                }
                case 'x', 'X' -> {
                    long v = zeroExtend(toLong(arg(args, argi++, fmt)), bits);
                    String hex = Long.toHexString(v);
                    body = ascii(applyPrecision(conv == 'X' ? hex.toUpperCase() : hex, precision, v == 0));
                    if (alt && v != 0) {
                        prefix = conv == 'X' ? "0X" : "0x";
                    }
                }
                case 'o' -> {
                    long v = zeroExtend(toLong(arg(args, argi++, fmt)), bits);
                    String octal = applyPrecision(Long.toOctalString(v), precision, v == 0);
                    if (alt && !octal.startsWith("0")) {
                        octal = "0" + octal;
                    }
                    body = ascii(octal);
                }
                case 'p' -> {
                    long v = toLong(arg(args, argi++, fmt));
                    if (v == 0) {
                        body = NIL_POINTER; // glibc ignores the precision here
                        zero = false;
                    } else {
                        // glibc prints a pointer as %#lx, with the + and space flags honoured
                        body = ascii(applyPrecision(Long.toHexString(v), precision, false));
                        prefix = plus ? "+0x" : space ? " 0x" : "0x";
                    }
                }
                case 'c' -> {
                    Object a = arg(args, argi++, fmt);
                    body = a instanceof Character c ? String.valueOf(c).getBytes(StandardCharsets.UTF_8)
                            : new byte[] {(byte) toLong(a)};
                    zero = false;
                }
                case 's' -> {
                    Object a = arg(args, argi++, fmt);
                    byte[] s;
                    if (a == null) {
                        s = NULL_STRING;
                    } else if (a instanceof CharSequence cs) {
                        s = cs.toString().getBytes(StandardCharsets.UTF_8);
                    } else {
                        long p = toLong(a);
                        s = p == 0 ? NULL_STRING : memory.cString(p, precision);
                    }
                    if (precision >= 0 && precision < s.length) {
                        // glibc prints nothing for a NULL string whose precision cannot hold "(null)"
                        s = s == NULL_STRING ? new byte[0] : Arrays.copyOf(s, precision);
                    }
                    body = s;
                    zero = false;
                }
                default -> throw new IllegalArgumentException("printf: unsupported conversion '%" + conv
                        + "' in format " + quoted(fmt));
            }
            if (precision >= 0 && "diuxXo".indexOf(conv) >= 0) {
                zero = false;
            }
            int len = prefix.length() + body.length;
            int pad = Math.max(0, width - len);
            if (left) {
                out.text(prefix).add(body).repeat(' ', pad);
            } else if (zero) {
                out.text(prefix).repeat('0', pad).add(body);
            } else {
                out.repeat(' ', pad).text(prefix).add(body);
            }
        }
        if (literalStart < n) {
            out.text(fmt.substring(literalStart));
        }
        return out.toArray();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String applyPrecision(String digits, int precision, boolean isZero) {
        if (precision < 0) {
            return digits;
        }
        if (precision == 0 && isZero) {
            return "";
        }
        return digits.length() >= precision ? digits : "0".repeat(precision - digits.length()) + digits;
    }

    private static Object arg(Object[] args, int i, String fmt) {
        if (args == null || i >= args.length) {
            throw new IllegalArgumentException("printf: too few arguments for format " + quoted(fmt));
        }
        return args[i];
    }

    /** The format as a C literal would show it, so that an error message stays on one line. */
    static String quoted(String fmt) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < fmt.length(); i++) {
            char ch = fmt.charAt(i);
            switch (ch) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> sb.append(ch);
            }
        }
        return sb.append('"').toString();
    }

    private static long toLong(Object a) {
        if (a instanceof Long l) return l;
        if (a instanceof Integer x) return x;
        if (a instanceof Short s) return s;
        if (a instanceof Byte b) return b;
        if (a instanceof Character c) return c;
        if (a instanceof Boolean b) return b ? 1 : 0;
        if (a == null) return 0;
        throw new IllegalArgumentException("printf: expected an integer or pointer, got " + a.getClass().getSimpleName()
                + " (" + a + ")");
    }

    private static long signExtend(long v, int bits) {
        return bits == 64 ? v : (v << (64 - bits)) >> (64 - bits);
    }

    private static long zeroExtend(long v, int bits) {
        return bits == 64 ? v : v & ((1L << bits) - 1);
    }

    /** A growable byte buffer (unsynchronised, unlike ByteArrayOutputStream). */
    private static final class Bytes {
        private byte[] buf;
        private int size;

        Bytes(int capacity) {
            buf = new byte[capacity];
        }

        Bytes add(int b) {
            ensure(1);
            buf[size++] = (byte) b;
            return this;
        }

        Bytes add(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, size, b.length);
            size += b.length;
            return this;
        }

        Bytes text(String s) {
            return s.isEmpty() ? this : add(s.getBytes(StandardCharsets.UTF_8));
        }

        Bytes repeat(char c, int count) {
            ensure(count);
            Arrays.fill(buf, size, size + count, (byte) c);
            size += count;
            return this;
        }

        byte[] toArray() {
            return Arrays.copyOf(buf, size);
        }

        private void ensure(int extra) {
            if (size + extra > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
            }
        }
    }
}
