package io.mallocscope.runtime;

/**
 * C's printf conversions over Java arguments: {@code %d %i %u %x %X %o %c %s %p %%}, the length
 * modifiers {@code hh h l ll z j t}, flags {@code - 0 # + space}, width and precision (also
 * {@code *}). Integers may be passed as any Java integral type; {@code %s} takes a Java String or a
 * pointer (long) to a C string in simulated memory.
 */
final class Printf {
    private Printf() {
    }

    interface StringReader {
        String cString(long address);
    }

    static String format(String fmt, Object[] args, StringReader memory) {
        StringBuilder out = new StringBuilder(fmt.length() + 16);
        int argi = 0;
        int n = fmt.length();
        for (int i = 0; i < n; i++) {
            char ch = fmt.charAt(i);
            if (ch != '%') {
                out.append(ch);
                continue;
            }
            int start = i;
            i++;
            if (i >= n) {
                out.append('%');
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
                    precision = (int) toLong(arg(args, argi++, fmt));
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
                out.append(fmt, start, n);
                break;
            }
            char conv = fmt.charAt(i);
            String body;
            String prefix = "";
            switch (conv) {
                case '%' -> {
                    out.append('%');
                    continue;
                }
                case 'd', 'i' -> {
                    long v = signExtend(toLong(arg(args, argi++, fmt)), bits);
                    String digits = v < 0 ? Long.toString(v).substring(1) : Long.toString(v);
                    body = applyPrecision(digits, precision, v == 0);
                    prefix = v < 0 ? "-" : plus ? "+" : space ? " " : "";
                }
                case 'u' -> {
                    long v = zeroExtend(toLong(arg(args, argi++, fmt)), bits);
                    body = applyPrecision(Long.toUnsignedString(v), precision, v == 0);
                }
                case 'x', 'X' -> {
                    long v = zeroExtend(toLong(arg(args, argi++, fmt)), bits);
                    String hex = Long.toHexString(v);
                    body = applyPrecision(conv == 'X' ? hex.toUpperCase() : hex, precision, v == 0);
                    if (alt && v != 0) {
                        prefix = conv == 'X' ? "0X" : "0x";
                    }
                }
                case 'o' -> {
                    long v = zeroExtend(toLong(arg(args, argi++, fmt)), bits);
                    body = applyPrecision(Long.toOctalString(v), precision, v == 0);
                    if (alt && !body.startsWith("0")) {
                        body = "0" + body;
                    }
                }
                case 'p' -> {
                    long v = toLong(arg(args, argi++, fmt));
                    if (v == 0) {
                        body = "(nil)";
                        zero = false;
                    } else {
                        body = applyPrecision(Long.toHexString(v), precision, false);
                        prefix = plus ? "+0x" : space ? " 0x" : "0x";
                    }
                }
                case 'c' -> {
                    Object a = arg(args, argi++, fmt);
                    body = String.valueOf(a instanceof Character c ? c.charValue() : (char) (toLong(a) & 0xff));
                    zero = false;
                }
                case 's' -> {
                    Object a = arg(args, argi++, fmt);
                    String s;
                    if (a == null) {
                        s = "(null)";
                    } else if (a instanceof CharSequence cs) {
                        s = cs.toString();
                    } else {
                        long p = toLong(a);
                        s = p == 0 ? "(null)" : memory.cString(p);
                    }
                    if (precision >= 0 && precision < s.length()) {
                        s = "(null)".equals(s) && precision < 6 ? "" : s.substring(0, precision);
                    }
                    body = s;
                    zero = false;
                }
                default -> throw new IllegalArgumentException("printf: unsupported conversion '%" + conv
                        + "' in format \"" + fmt + "\"");
            }
            if (precision >= 0 && "diuxXo".indexOf(conv) >= 0) {
                zero = false;
            }
            int len = prefix.length() + body.length();
            if (width > len) {
                int pad = width - len;
                if (left) {
                    out.append(prefix).append(body).append(" ".repeat(pad));
                } else if (zero) {
                    out.append(prefix).append("0".repeat(pad)).append(body);
                } else {
                    out.append(" ".repeat(pad)).append(prefix).append(body);
                }
            } else {
                out.append(prefix).append(body);
            }
        }
        return out.toString();
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
            throw new IllegalArgumentException("printf: too few arguments for format \"" + fmt + "\"");
        }
        return args[i];
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
}
