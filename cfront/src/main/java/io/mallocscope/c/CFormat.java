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

    /**
     * @param integers the integer conversions ({@code %d %i %u %x %X}) and the argument each took, for
     *                 memcheck's report of an undefined one (see {@link Builtins#undefinedPrinted})
     */
    record Call(String format, Object[] args, List<Integer> integers) {
        Call(String format, Object[] args) {
            this(format, args, List.of());
        }
    }

    /** A conversion as {@link Call#integers} holds it: the argument's index, times 256, plus its conversion character; negative for a long. */
    static int integer(int arg, char conv, boolean isLong) {
        int v = arg * 256 + conv;
        return isLong ? -v - 1 : v;
    }

    static Call convert(String fmt, long[] vals, CType[] types, int first) {
        return convert(fmt, vals, types, first, null);
    }

    /**
     * As {@link #convert(String, long[], CType[], int)}; {@code site} (null: not known) tells the constant
     * arguments, which gcc pushes sign-extended when they go on the stack.
     */
    static Call convert(String fmt, long[] vals, CType[] types, int first, Expr.Call site) {
        StringBuilder out = new StringBuilder();
        List<Object> args = new ArrayList<>();
        List<Integer> integers = new ArrayList<>();
        Passed in = new Passed(vals, types, first, site);
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
                    w = (int) in.integer();
                } else if (!width.isEmpty()) {
                    w = Integer.parseInt(width);
                }
                if ("*".equals(prec)) {
                    p = (int) in.integer();
                } else if (prec != null) {
                    p = prec.isEmpty() ? 0 : Integer.parseInt(prec);
                }
                double d = Double.longBitsToDouble(in.floating());
                String s = floating(d, flags.toString(), w, p, conv);
                out.append(s.replace("%", "%%"));
                continue;
            }
            if (conv == 'n') {
                throw new UnsupportedAtRunTime("printf conversion '%n'");
            }
            out.append(fmt, start, i + 1);
            if (width.equals("*")) {
                args.add(in.integer());
            }
            if ("*".equals(prec)) {
                args.add(in.integer());
            }
            args.add(in.integer());
            if ("diuxX".indexOf(conv) >= 0 && in.last >= 0) {
                integers.add(integer(in.last, conv, length.startsWith("l") || length.equals("z") || length.equals("j")));
            }
        }
        return new Call(out.toString(), args.toArray(), integers);
    }

    /**
     * The variadic arguments as printf's va_arg takes them: an integer conversion from the next integer
     * register, a floating one from the next vector register, each class in its own order as the x86-64
     * ABI passes them (so {@code printf("%d %f", 1.5, 2)} prints 2 and 1.500000, as natively), and once a
     * class's registers are used up, from the stack, where both classes are in argument order. An integer
     * argument is the 64 bits gcc -O0 passes it in, which is what a {@code %ld}, {@code %lx} or {@code %p}
     * reads: a value of 32 bits or fewer (an {@code int}, or a {@code char} or {@code short} promoted to
     * one) is zero-extended, as a 32-bit {@code mov} into its register leaves it (so
     * {@code printf("%ld", -1)} prints 4294967295), except a constant on the stack, which gcc pushes as
     * a sign-extended immediate. Past the arguments (a format asking for more than it was given) a
     * register reads 0, where natively it holds whatever it held.
     */
    private static final class Passed {
        private static final int GP_REGS = 6;
        private static final int FP_REGS = 8;
        private final long[] vals;
        private final CType[] types;
        private final Expr.Call site;
        private final List<Integer> gp = new ArrayList<>();
        private final List<Integer> fp = new ArrayList<>();
        private final List<Integer> stack = new ArrayList<>();
        private int nextGp;
        private int nextFp;
        private int nextStack;
        private final int gpFixed;
        /** The argument the last {@link #integer} took (-1: none, past the arguments). */
        int last = -1;

        Passed(long[] vals, CType[] types, int first, Expr.Call site) {
            this.vals = vals;
            this.types = types;
            this.site = site;
            int g = 0;
            int f = 0;
            for (int i = 0; i < vals.length; i++) {
                boolean floating = i < types.length && types[i] != null && types[i].isFloating();
                if (floating ? f++ < FP_REGS : g++ < GP_REGS) {
                    (floating ? fp : gp).add(i);
                } else {
                    stack.add(i);
                }
            }
            gpFixed = Math.min(first, GP_REGS); // the format (and the stream or buffer before it)
            nextGp = gpFixed;
        }

        long integer() {
            last = -1;
            if (nextGp < gp.size()) {
                int i = gp.get(nextGp++);
                last = i;
                return zeroExtended(i);
            }
            if (nextGp++ < GP_REGS) {
                return 0;
            }
            return fromStack();
        }

        long floating() {
            if (nextFp < fp.size()) {
                return vals[fp.get(nextFp++)];
            }
            if (nextFp++ < FP_REGS) {
                return 0;
            }
            return fromStack();
        }

        private long fromStack() {
            if (nextStack >= stack.size()) {
                return 0;
            }
            int i = stack.get(nextStack++);
            last = i;
            boolean constant = site != null && i < site.args.length && site.args[i].constant() != null;
            return constant ? vals[i] : zeroExtended(i);
        }

        private long zeroExtended(int i) {
            long v = vals[i];
            CType t = i < types.length ? types[i] : null;
            return t != null && t.isInteger() && t.size <= 4 ? v & 0xffffffffL : v;
        }
    }

    static String floating(double d, String flags, int width, int prec, char conv) {
        boolean upper = Character.isUpperCase(conv);
        char lc = Character.toLowerCase(conv);
        String body;
        boolean neg = d < 0 || (d == 0 && 1 / d < 0);
        double a = Math.abs(d);
        if (Double.isNaN(d)) {
            body = "nan";
            neg = Double.doubleToRawLongBits(d) < 0; // glibc prints the sign bit of a NaN: 0.0/0.0 is -nan on x86-64
        } else if (Double.isInfinite(d)) {
            body = "inf";
        } else {
            int p = prec < 0 ? 6 : prec;
            switch (lc) {
                case 'f' -> body = point(fixed(a, p), p, flags);
                case 'e' -> {
                    String e = exp(a, p);
                    int at = e.indexOf('e');
                    body = point(e.substring(0, at), p, flags) + e.substring(at);
                }
                case 'a' -> body = hex(a, prec, flags);
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

    /** The '#' flag keeps the decimal point of a conversion with no digits after it ({@code %#.0f} of 3 is "3."). */
    private static String point(String digits, int prec, String flags) {
        return prec == 0 && flags.indexOf('#') >= 0 ? digits + "." : digits;
    }

    /**
     * %a as glibc prints a double: {@code 0x1.8p+1}, the leading digit 1 (0 for a subnormal, which keeps
     * exponent -1022), the fraction's hex digits without trailing zeros, or {@code prec} of them rounded
     * half to even (a carry makes the leading digit 2), and a signed decimal exponent.
     */
    private static String hex(double a, int prec, String flags) {
        long bits = Double.doubleToRawLongBits(a);
        int e = (int) (bits >>> 52) & 0x7ff;
        long m = bits & ((1L << 52) - 1);
        if (e == 0 && m == 0) {
            return "0x0" + (prec > 0 ? "." + "0".repeat(prec) : flags.indexOf('#') >= 0 ? "." : "") + "p+0";
        }
        long lead = e == 0 ? 0 : 1;
        int exp = e == 0 ? -1022 : e - 1023;
        String digits;
        if (prec < 0 || prec >= 13) {
            digits = String.format("%013x", m);
            digits = prec < 0 ? digits.replaceAll("0+$", "") : digits + "0".repeat(prec - 13);
        } else {
            int shift = 52 - 4 * prec;
            long rem = m & ((1L << shift) - 1);
            long q = m >>> shift;
            long half = 1L << (shift - 1);
            if (rem > half || rem == half && (q & 1) == 1) {
                q++;
            }
            if (q >>> (4 * prec) != 0) { // the fraction carried into the leading digit
                lead++;
                q &= (1L << (4 * prec)) - 1;
            }
            digits = prec == 0 ? "" : String.format("%0" + prec + "x", q);
        }
        String dot = !digits.isEmpty() || flags.indexOf('#') >= 0 ? "." : "";
        return "0x" + lead + dot + digits + "p" + (exp >= 0 ? "+" : "") + exp;
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
