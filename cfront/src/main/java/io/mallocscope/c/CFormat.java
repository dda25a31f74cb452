package io.mallocscope.c;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a C printf call (a format and the raw argument values) into the simulated libc's printf
 * arguments: integers and pointers pass through as longs ({@code %s} as the string's address), and
 * floating conversions, which the libc's printf does not have, are formatted here as C does.
 */
final class CFormat {
    private CFormat() {
    }

    record Call(String format, Object[] args) {
    }

    static Call convert(String fmt, long[] vals, CType[] types, int first) {
        StringBuilder out = new StringBuilder();
        List<Object> args = new ArrayList<>();
        int ai = first;
        int n = fmt.length();
        for (int i = 0; i < n; i++) {
            char c = fmt.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            int start = i++;
            if (i < n && fmt.charAt(i) == '%') {
                out.append("%%");
                continue;
            }
            StringBuilder flags = new StringBuilder();
            while (i < n && "-+ #0".indexOf(fmt.charAt(i)) >= 0) {
                flags.append(fmt.charAt(i++));
            }
            String width = "";
            if (i < n && fmt.charAt(i) == '*') {
                i++;
                width = "*";
            } else {
                int s = i;
                while (i < n && Character.isDigit(fmt.charAt(i))) {
                    i++;
                }
                width = fmt.substring(s, i);
            }
            String prec = null;
            if (i < n && fmt.charAt(i) == '.') {
                i++;
                if (i < n && fmt.charAt(i) == '*') {
                    i++;
                    prec = "*";
                } else {
                    int s = i;
                    while (i < n && Character.isDigit(fmt.charAt(i))) {
                        i++;
                    }
                    prec = fmt.substring(s, i);
                }
            }
            int ls = i;
            while (i < n && "hlzjtLq".indexOf(fmt.charAt(i)) >= 0) {
                i++;
            }
            String length = fmt.substring(ls, i);
            if (i >= n) {
                out.append(fmt, start, n);
                break;
            }
            char conv = fmt.charAt(i);
            if ("fFeEgGaA".indexOf(conv) >= 0) {
                int w = -1;
                int p = -1;
                if (width.equals("*")) {
                    w = (int) arg(vals, ai++);
                } else if (!width.isEmpty()) {
                    w = Integer.parseInt(width);
                }
                if ("*".equals(prec)) {
                    p = (int) arg(vals, ai++);
                } else if (prec != null) {
                    p = prec.isEmpty() ? 0 : Integer.parseInt(prec);
                }
                long bits = arg(vals, ai);
                double d = ai < types.length && types[ai].isFloating() ? Double.longBitsToDouble(bits) : Double.longBitsToDouble(bits);
                ai++;
                String s = floating(d, flags.toString(), w, p, conv);
                out.append(s.replace("%", "%%"));
                continue;
            }
            if (conv == 'n') {
                throw new UnsupportedAtRunTime("printf conversion '%n'");
            }
            out.append(fmt, start, i + 1);
            if (width.equals("*")) {
                args.add(arg(vals, ai++));
            }
            if ("*".equals(prec)) {
                args.add(arg(vals, ai++));
            }
            args.add(arg(vals, ai++));
        }
        return new Call(out.toString(), args.toArray());
    }

    private static long arg(long[] vals, int i) {
        return i < vals.length ? vals[i] : 0;
    }

    static String floating(double d, String flags, int width, int prec, char conv) {
        boolean upper = Character.isUpperCase(conv);
        char lc = Character.toLowerCase(conv);
        String body;
        boolean neg = d < 0 || (d == 0 && 1 / d < 0);
        double a = Math.abs(d);
        if (Double.isNaN(d)) {
            body = "nan";
            neg = false;
        } else if (Double.isInfinite(d)) {
            body = "inf";
        } else {
            int p = prec < 0 ? 6 : prec;
            switch (lc) {
                case 'f' -> body = fixed(a, p);
                case 'e' -> body = exp(a, p);
                case 'a' -> body = Double.toHexString(a).replace("0x1.0p", "0x1p");
                default -> {
                    int pp = p == 0 ? 1 : p;
                    int x = a == 0 ? 0 : (int) Math.floor(Math.log10(a));
                    String e = exp(a, pp - 1);
                    x = Integer.parseInt(e.substring(e.indexOf('e') + 1));
                    if (pp > x && x >= -4) {
                        body = fixed(a, pp - 1 - x);
                    } else {
                        body = e;
                    }
                    if (flags.indexOf('#') < 0) {
                        int epos = body.indexOf('e');
                        String mant = epos < 0 ? body : body.substring(0, epos);
                        String rest = epos < 0 ? "" : body.substring(epos);
                        if (mant.contains(".")) {
                            mant = mant.replaceAll("0+$", "");
                            if (mant.endsWith(".")) {
                                mant = mant.substring(0, mant.length() - 1);
                            }
                        }
                        body = mant + rest;
                    }
                }
            }
        }
        if (upper) {
            body = body.toUpperCase(Locale.ROOT);
        }
        String sign = neg ? "-" : flags.indexOf('+') >= 0 ? "+" : flags.indexOf(' ') >= 0 ? " " : "";
        String s = sign + body;
        if (width > s.length()) {
            if (flags.indexOf('-') >= 0) {
                s = s + " ".repeat(width - s.length());
            } else if (flags.indexOf('0') >= 0 && Double.isFinite(d)) {
                s = sign + "0".repeat(width - s.length()) + body;
            } else {
                s = " ".repeat(width - s.length()) + s;
            }
        }
        return s;
    }

    /** %f as glibc: the exact binary value rounded half to even. */
    private static String fixed(double a, int p) {
        return new java.math.BigDecimal(a).setScale(p, java.math.RoundingMode.HALF_EVEN).toPlainString();
    }

    private static String exp(double a, int p) {
        String s;
        if (a == 0) {
            s = String.format(Locale.ROOT, "%." + p + "e", a);
        } else {
            java.math.BigDecimal r = new java.math.BigDecimal(a).round(new java.math.MathContext(p + 1, java.math.RoundingMode.HALF_EVEN));
            int e = r.precision() - r.scale() - 1;
            String digits = r.unscaledValue().abs().toString();
            while (digits.length() < p + 1) {
                digits += "0";
            }
            digits = digits.substring(0, p + 1);
            s = digits.charAt(0) + (p > 0 ? "." + digits.substring(1) : "") + "e" + (e < 0 ? "-" : "+") + Math.abs(e);
        }
        // Java writes e+00 like C; make sure the exponent has at least two digits
        int e = s.indexOf('e');
        String mant = s.substring(0, e);
        String ex = s.substring(e + 1);
        char sign = ex.charAt(0);
        String digits = ex.substring(1);
        if (digits.length() < 2) {
            digits = "0" + digits;
        }
        return mant + "e" + sign + digits;
    }
}
