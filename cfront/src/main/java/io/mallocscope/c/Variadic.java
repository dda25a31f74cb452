package io.mallocscope.c;

import io.mallocscope.runtime.LibC;

import java.util.List;

/**
 * Variadic functions as gcc -O0 compiles them on x86-64: the callee's frame begins with the
 * register save area (six integer registers, then eight vector registers of 16 bytes: 176 bytes
 * under the saved frame pointer), arguments past the registers are on the stack above the return
 * address, and a {@code va_list} is the ABI's {@code __va_list_tag} (gp_offset, fp_offset,
 * overflow_arg_area, reg_save_area), all in simulated memory, so {@code va_arg} reads what a native
 * run reads.
 */
final class Variadic {
    private Variadic() {
    }

    /** Bytes of the register save area at the top of a variadic function's frame. */
    static final int SAVE_AREA = 176;
    private static final int GP_REGS = 6;
    private static final int FP_REGS = 8;

    static boolean floating(CType t) {
        return t.isFloating();
    }

    /** How many of {@code types} take an integer register, and how many a vector one (up to the registers). */
    static int[] named(List<CType> types) {
        int gp = 0;
        int fp = 0;
        for (CType t : types) {
            if (floating(t)) {
                fp++;
            } else {
                gp++;
            }
        }
        return new int[] {Math.min(gp, GP_REGS), Math.min(fp, FP_REGS)};
    }

    /** The arguments that do not fit in registers, in order: the caller pushes them. */
    static int overflow(long[] vals, CType[] types) {
        int gp = 0;
        int fp = 0;
        int stack = 0;
        for (int i = 0; i < vals.length; i++) {
            if (floating(types[i]) ? fp++ >= FP_REGS : gp++ >= GP_REGS) {
                stack++;
            }
        }
        return stack;
    }

    /**
     * Writes the stack arguments at {@code at} upwards (8 bytes each): a 32-bit one zero-extended, as gcc -O0
     * pushes the register a 32-bit move filled, but a constant sign-extended, as {@code pushq $imm} does
     * ({@code args}: the call's argument expressions, or null when not known).
     */
    static void pushOverflow(Machine m, long at, long[] vals, CType[] types, Expr[] args) {
        int gp = 0;
        int fp = 0;
        for (int i = 0; i < vals.length; i++) {
            if (floating(types[i]) ? fp++ >= FP_REGS : gp++ >= GP_REGS) {
                boolean constant = args != null && i < args.length && args[i].constant() != null;
                m.mem.write64(at, constant ? vals[i] : inRegister(vals[i], types[i]));
                at += 8;
            }
        }
    }

    /** A value as its 64-bit register holds it: one of 32 bits or fewer zero-extended (a 32-bit mov clears the upper half). */
    static long inRegister(long v, CType t) {
        return t.isInteger() && t.size <= 4 ? v & 0xffffffffL : v;
    }

    /** The callee stores the argument registers into its save area (what the prologue's movq/movaps do). */
    static void saveRegisters(Machine m, long rbp, long[] vals, CType[] types) {
        long area = rbp - SAVE_AREA;
        int gp = 0;
        int fp = 0;
        for (int i = 0; i < vals.length; i++) {
            if (floating(types[i])) {
                if (fp < FP_REGS) {
                    m.mem.write64(area + 8L * GP_REGS + 16L * fp, vals[i]);
                    m.mem.write64(area + 8L * GP_REGS + 16L * fp + 8, 0);
                }
                fp++;
            } else {
                if (gp < GP_REGS) {
                    m.mem.write64(area + 8L * gp, inRegister(vals[i], types[i]));
                }
                gp++;
            }
        }
    }

    /** {@code va_start(ap, last)}: the tag points past the named arguments. */
    static final class Start extends Expr {
        final Expr ap;
        final int gp;
        final int fp;

        Start(Expr ap, int[] named, Tok at) {
            this.ap = ap;
            this.gp = named[0];
            this.fp = named[1];
            this.type = CType.VOID;
            this.at = at;
        }

        @Override
        long eval(Frame f) {
            long tag = ap.eval(f);
            LibC c = f.m.libc;
            c.putInt(tag, 8 * gp);
            c.putInt(tag + 4, 8 * GP_REGS + 16 * fp);
            c.putLong(tag + 8, f.rbp + 16);
            c.putLong(tag + 16, f.rbp - SAVE_AREA);
            return 0;
        }
    }

    /** {@code va_arg(ap, T)}: from the save area while registers remain, then from the stack. */
    static final class Arg extends Expr {
        final Expr ap;

        Arg(Expr ap, CType t, Tok at) {
            this.ap = ap;
            this.type = t;
            this.at = at;
        }

        @Override
        long eval(Frame f) {
            return load(f.mem, type, next(f.m, ap.eval(f), floating(type)));
        }
    }

    /** The address of the next argument of {@code tag}'s list, of the integer or the vector class; advances it. */
    static long next(Machine m, long tag, boolean fpClass) {
        LibC c = m.libc;
        if (fpClass) {
            int fpOff = c.getInt(tag + 4);
            if (Integer.compareUnsigned(fpOff, 8 * GP_REGS + 16 * FP_REGS) < 0) {
                c.putInt(tag + 4, fpOff + 16);
                return c.getLong(tag + 16) + (fpOff & 0xffffffffL);
            }
        } else {
            int gpOff = c.getInt(tag);
            if (Integer.compareUnsigned(gpOff, 8 * GP_REGS) < 0) {
                c.putInt(tag, gpOff + 8);
                return c.getLong(tag + 16) + (gpOff & 0xffffffffL);
            }
        }
        long a = c.getLong(tag + 8);
        c.putLong(tag + 8, a + 8);
        return a;
    }

    /** {@code va_copy(dest, src)}: the tag's 24 bytes. */
    static final class Copy extends Expr {
        final Expr dest;
        final Expr src;

        Copy(Expr dest, Expr src, Tok at) {
            this.dest = dest;
            this.src = src;
            this.type = CType.VOID;
            this.at = at;
        }

        @Override
        long eval(Frame f) {
            long d = dest.eval(f);
            long s = src.eval(f);
            f.m.libc.writeBytes(d, f.m.libc.readBytes(s, 24));
            return 0;
        }
    }

    /**
     * The arguments a printf-family format consumes, fetched from the list {@code tag} (vprintf and
     * friends): {@code *} widths and integers and pointers from the integer class, floating
     * conversions from the vector class. Returns them after {@code first} empty slots, for
     * {@link CFormat#convert}.
     */
    static long[] formatArgs(Machine m, String fmt, long tag, int first, List<CType> types) {
        java.util.List<Long> out = new java.util.ArrayList<>();
        for (int i = 0; i < first; i++) {
            out.add(0L);
            types.add(CType.LONG);
        }
        int n = fmt.length();
        for (int i = 0; i < n; i++) {
            if (fmt.charAt(i) != '%') {
                continue;
            }
            i++;
            if (i < n && fmt.charAt(i) == '%') {
                continue;
            }
            while (i < n && "-+ #0123456789.*hlzjtLq".indexOf(fmt.charAt(i)) >= 0) {
                if (fmt.charAt(i) == '*') {
                    out.add((long) m.libc.getInt(next(m, tag, false)));
                    types.add(CType.INT);
                }
                i++;
            }
            if (i >= n) {
                break;
            }
            boolean fpConv = "fFeEgGaA".indexOf(fmt.charAt(i)) >= 0;
            out.add(m.libc.getLong(next(m, tag, fpConv)));
            types.add(fpConv ? CType.DOUBLE : CType.LONG);
        }
        long[] a = new long[out.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = out.get(i);
        }
        return a;
    }
}
