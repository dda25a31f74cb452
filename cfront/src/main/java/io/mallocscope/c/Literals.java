package io.mallocscope.c;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/** Numbers, characters and strings as C spells them. */
final class Literals {
    private Literals() {
    }

    record Int(long value, CType type) {
    }

    /** An integer constant and its type by C11 6.4.4.1 (the first of int, long … that holds it). */
    static Int integer(Tok t) {
        String s = t.text.toLowerCase();
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == 'u' || s.charAt(end - 1) == 'l')) {
            end--;
        }
        String suffix = s.substring(end);
        String digits = s.substring(0, end);
        boolean unsigned = suffix.contains("u");
        int longs = suffix.length() - (unsigned ? 1 : 0);
        if (longs > 2 || (unsigned && suffix.indexOf('u') != suffix.lastIndexOf('u'))
                || (longs == 2 && !suffix.contains("ll"))) {
            throw new CompileError(t, "invalid suffix \"" + t.text.substring(end) + "\" on integer constant");
        }
        int radix = 10;
        if (digits.startsWith("0x")) {
            radix = 16;
            digits = digits.substring(2);
        } else if (digits.startsWith("0b")) {
            radix = 2;
            digits = digits.substring(2);
        } else if (digits.length() > 1 && digits.startsWith("0")) {
            radix = 8;
            digits = digits.substring(1);
        }
        BigInteger v;
        try {
            v = new BigInteger(digits, radix);
        } catch (NumberFormatException e) {
            throw new CompileError(t, "invalid digits in constant \"" + t.text + "\"");
        }
        if (v.bitLength() > 64) {
            throw new CompileError(t, "integer constant is too large for its type");
        }
        long x = v.longValue();
        boolean fitsInt = v.bitLength() <= 31;
        boolean fitsUInt = v.bitLength() <= 32;
        boolean fitsLong = v.bitLength() <= 63;
        CType type;
        boolean decimal = radix == 10;
        if (longs == 0 && !unsigned && fitsInt) {
            type = CType.INT;
        } else if (longs == 0 && (unsigned || !decimal) && fitsUInt) {
            type = CType.UINT;
        } else if (!unsigned && fitsLong) {
            type = longs == 2 ? CType.LLONG : CType.LONG;
        } else {
            type = longs == 2 ? CType.ULLONG : CType.ULONG;
        }
        return new Int(x, type);
    }

    static boolean isFloating(String s) {
        String l = s.toLowerCase();
        if (l.startsWith("0x")) {
            return l.contains("p");
        }
        return l.contains(".") || l.contains("e");
    }

    static double floating(Tok t) {
        String s = t.text.toLowerCase();
        if (s.endsWith("f") || s.endsWith("l")) {
            s = s.substring(0, s.length() - 1);
        }
        try {
            return s.startsWith("0x") ? Double.parseDouble(s) : Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new CompileError(t, "invalid floating constant \"" + t.text + "\"");
        }
    }

    static long character(Tok t) {
        byte[] b = decode(t, t.text.substring(1, t.text.length() - 1));
        if (b.length == 0) {
            throw new CompileError(t, "empty character constant");
        }
        if (b.length == 1) {
            return b[0]; // char is signed: '\xff' is -1
        }
        long v = 0; // gcc's multi-character constant
        for (byte x : b) {
            v = (v << 8) | (x & 0xff);
        }
        return (int) v;
    }

    static byte[] string(Tok t) {
        return decode(t, t.text.substring(1, t.text.length() - 1));
    }

    private static byte[] decode(Tok t, String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch != '\\') {
                byte[] enc = String.valueOf(ch).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(ch) && i + 1 < s.length()) {
                    enc = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                out.writeBytes(enc);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case 'r' -> out.write('\r');
                case 'a' -> out.write(7);
                case 'b' -> out.write(8);
                case 'f' -> out.write(12);
                case 'v' -> out.write(11);
                case 'e', 'E' -> out.write(27);
                case '\\', '\'', '"', '?' -> out.write(e);
                case 'x' -> {
                    int v = 0;
                    int k = i + 1;
                    while (k < s.length() && Character.digit(s.charAt(k), 16) >= 0) {
                        v = v * 16 + Character.digit(s.charAt(k), 16);
                        k++;
                    }
                    if (k == i + 1) {
                        throw new CompileError(t, "\\x used with no following hex digits");
                    }
                    out.write(v & 0xff);
                    i = k - 1;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = 0;
                        int k = i;
                        while (k < s.length() && k < i + 3 && s.charAt(k) >= '0' && s.charAt(k) <= '7') {
                            v = v * 8 + (s.charAt(k) - '0');
                            k++;
                        }
                        out.write(v & 0xff);
                        i = k - 1;
                    } else {
                        throw new CompileError(t, "unknown escape sequence: '\\" + e + "'");
                    }
                }
            }
        }
        return out.toByteArray();
    }
}
