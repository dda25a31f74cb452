package io.mallocscope.c;

import io.mallocscope.runtime.LibC;

import io.mallocscope.runtime.vm.AddressSpace;

/**
 * A typed C expression, ready to run: {@link #eval} gives its value (integers and pointers as a
 * long holding the C value, sign- or zero-extended by its type; floating values as the bits of a
 * double; a struct as its address); an lvalue also has an {@link #addr}.
 */
abstract class Expr {
    CType type;
    Tok at;
    /** {@link #storeSite}, made at its first use. */
    private String storeSite;

    /**
     * {@code prog.c:LINE} of this lvalue: said ({@link LibC#site}) before the program's store into it,
     * so a recording gives the write its line as it gives a call its own. One String per expression: the
     * agent knows it again by identity.
     */
    final String storeSite() {
        String s = storeSite;
        if (s == null) {
            s = siteOf(at);
            storeSite = s;
        }
        return s;
    }

    /**
     * The frame is at {@code site} ({@code prog.c:LINE}), about to store or call there: memcheck's
     * stacks show it, and {@link LibC#site} tells the recording agent.
     */
    static void atSite(Frame f, String site) {
        f.site = site;
        f.m.libc.site(site);
    }

    /** {@code prog.c:LINE} of a site, without the variable a call's result goes to ({@code " → p"}). */
    static String lineOf(String site) {
        int arrow = site.indexOf(' ');
        return arrow < 0 ? site : site.substring(0, arrow);
    }

    /** {@code prog.c:LINE} of {@code t} (the file's name without its directory). */
    static String siteOf(Tok t) {
        String file = t == null || t.file == null ? "?" : t.file.name();
        return file.substring(file.lastIndexOf('/') + 1) + ":" + (t == null ? 0 : t.line);
    }

    abstract long eval(Frame f);

    long addr(Frame f) {
        throw new IllegalStateException("not an lvalue");
    }

    /**
     * Re-enters this expression where a {@code fork()} inside it left it ({@link ForkPoint}) and
     * finishes it: its value. A node whose operands can hold the call saves its place on the way
     * out and takes it back here; the others cannot be on the way.
     */
    long resume(Frame f, ForkPoint k) {
        throw ForkPoint.unsupported(at);
    }

    /** {@link #resume} of an lvalue whose address was being computed: the address. */
    long resumeAddr(Frame f, ForkPoint k) {
        throw ForkPoint.unsupported(at);
    }

    long resumeAddrOrValue(Frame f, ForkPoint k) {
        return isLvalue() ? resumeAddr(f, k) : resume(f, k);
    }

    boolean isLvalue() {
        return false;
    }

    /** This lvalue's value, read at {@code a} (its {@link #addr}): a bit-field reads its bits. */
    long loadAt(Frame f, long a) {
        return load(f.mem, type, a);
    }

    /** A compile-time integer constant, or null. */
    Long constant() {
        return null;
    }

    // ------------------------------------------------------------ memory

    static long load(AddressSpace mem, CType t, long a) {
        switch (t.k) {
            case BOOL, UCHAR:
                return mem.read8(a);
            case CHAR:
                return (byte) mem.read8(a);
            case SHORT:
                return (short) mem.read16(a);
            case USHORT:
                return mem.read16(a) & 0xffff;
            case INT:
                return mem.read32(a);
            case UINT:
                return mem.read32(a) & 0xffffffffL;
            case FLOAT:
                return Double.doubleToRawLongBits(Float.intBitsToFloat(mem.read32(a)));
            case LDOUBLE:
                return Double.doubleToRawLongBits(LongDouble.toDouble(mem.read64(a), mem.read16(a + 8)));
            case STRUCT, UNION, ARRAY, FUNC:
                return a;
            default:
                return mem.read64(a);
        }
    }

    /**
     * Under memcheck, the program's load of a {@code t} at {@code a} (by {@code e}): checked as LibC's
     * typed loads check a Java program's, at {@code e}'s line.
     */
    static void checkLoad(Frame f, Expr e, CType t, long a) {
        f.site = e.storeSite();
        LibC libc = f.m.libc;
        switch (t.k) {
            case BOOL, UCHAR, CHAR -> libc.getByte(a);
            case SHORT, USHORT -> libc.getShort(a);
            case INT, UINT, FLOAT -> libc.getInt(a);
            case LDOUBLE -> {
                libc.getLong(a);
                libc.getShort(a + 8);
            }
            case STRUCT, UNION, ARRAY, FUNC -> {
                // an aggregate's value is its address: nothing is read
                return;
            }
            default -> libc.getLong(a);
        }
        loaded(f, t, a);
    }

    /** Under memcheck: a {@code t} was loaded from {@code a}; undefined bytes there make the value undefined. */
    static void loaded(Frame f, CType t, long a) {
        if (f.m.mc.undefined(a, valueBytes(t))) {
            f.undefined = true;
        }
    }

    /** The bytes a value of {@code t} occupies in memory (a long double's 10, not its 16). */
    static long valueBytes(CType t) {
        return t.k == CType.K.LDOUBLE ? 10 : t.size;
    }

    /**
     * Under memcheck: {@code e}'s value, which the program decides on (gcc -O0 compiles the test into
     * a conditional jump): if it has undefined bits, Valgrind's "Conditional jump or move depends on
     * uninitialised value(s)" at {@code e}'s line. What was loaded before it is kept.
     */
    static long decided(Frame f, Expr e) {
        boolean before = f.undefined;
        f.undefined = false;
        long v = e.eval(f);
        if (f.undefined) {
            f.site = e.storeSite();
            f.m.mc.branchedOnUndefined(e);
        }
        f.undefined = before;
        return v;
    }

    /** {@code c}'s truth, as an {@code if}, a loop, {@code ?:} or {@code &&} jumps on it (checked under memcheck). */
    static boolean test(Frame f, Expr c) {
        return truth(f.memcheck ? decided(f, c) : c.eval(f), c.type);
    }

    static void store(AddressSpace mem, CType t, long a, long v) {
        switch (t.k) {
            case BOOL, UCHAR, CHAR -> mem.write8(a, (int) v);
            case SHORT, USHORT -> mem.write16(a, (int) v);
            case INT, UINT -> mem.write32(a, (int) v);
            case FLOAT -> mem.write32(a, Float.floatToRawIntBits((float) Double.longBitsToDouble(v)));
            case LDOUBLE -> {
                mem.write64(a, LongDouble.mantissa(Double.longBitsToDouble(v)));
                mem.write16(a + 8, LongDouble.signExponent(Double.longBitsToDouble(v)));
            }
            default -> mem.write64(a, v);
        }
    }

    /**
     * A store the program makes: through {@link LibC} (so the agent records it and memcheck checks
     * it), except into a local whose address is never taken — gcc -O0's slot that no pointer can
     * reach, the loop counters and sums of hot loops, stored directly.
     */
    static void put(Frame f, Expr lv, CType t, long a, long v) {
        if (lv instanceof BitField bf) {
            bf.storeAt(f, a, v);
        } else if (lv instanceof Local l && !l.var.addressTaken) {
            store(f.mem, t, a, v);
        } else {
            Expr.atSite(f, lv.storeSite()); // nothing without the agent; with it, the site of the write
            put(f.m.libc, t, a, v);
        }
    }

    /**
     * Under memcheck: the program stored a {@code t} into {@code lv} at {@code a} ({@link #put}), a value
     * as defined as what its expression loaded ({@link Frame#undefined}): its bytes say so.
     */
    static void stored(Frame f, Expr lv, CType t, long a) {
        f.m.mc.stored(a, lv instanceof BitField bf ? bf.bytes : valueBytes(t), !f.undefined);
    }

    /** A store through {@link LibC}: recorded by the agent as the program's write. */
    static void put(LibC libc, CType t, long a, long v) {
        switch (t.k) {
            case BOOL, UCHAR, CHAR -> libc.putByte(a, (int) v);
            case SHORT, USHORT -> libc.putShort(a, (short) v);
            case INT, UINT -> libc.putInt(a, (int) v);
            case FLOAT -> libc.putInt(a, Float.floatToRawIntBits((float) Double.longBitsToDouble(v)));
            case LDOUBLE -> {
                libc.putLong(a, LongDouble.mantissa(Double.longBitsToDouble(v)));
                libc.putShort(a + 8, LongDouble.signExponent(Double.longBitsToDouble(v)));
            }
            default -> libc.putLong(a, v);
        }
    }

    /** C's conversion of a value of type {@code from} to type {@code to}. */
    static long convert(long v, CType from, CType to) {
        if (to.isFloating()) {
            double d;
            if (from.isFloating()) {
                d = Double.longBitsToDouble(v);
            } else if (from.k == CType.K.ULONG || from.k == CType.K.PTR) {
                d = v >= 0 ? (double) v : ((double) (v >>> 1)) * 2.0 + (v & 1);
            } else {
                d = (double) v;
            }
            if (to.k == CType.K.FLOAT) {
                d = (float) d;
            }
            return Double.doubleToRawLongBits(d);
        }
        if (from.isFloating()) {
            double d = Double.longBitsToDouble(v);
            if (to.k == CType.K.BOOL) {
                return d != 0 ? 1 : 0;
            }
            long x;
            if (to.k == CType.K.ULONG && d >= 9.223372036854775807E18) {
                x = (long) (d - 9.223372036854775807E18) + Long.MIN_VALUE;
            } else {
                x = (long) d;
            }
            return narrow(x, to);
        }
        return narrow(v, to);
    }

    /** Truncates/extends an integer to the width and signedness of {@code t}. */
    static long narrow(long v, CType t) {
        return switch (t.k) {
            case BOOL -> v != 0 ? 1 : 0;
            case CHAR -> (byte) v;
            case UCHAR -> v & 0xff;
            case SHORT -> (short) v;
            case USHORT -> v & 0xffff;
            case INT -> (int) v;
            case UINT -> v & 0xffffffffL;
            default -> v;
        };
    }

    static boolean truth(long v, CType t) {
        if (t.isFloating()) {
            return Double.longBitsToDouble(v) != 0.0;
        }
        return v != 0;
    }

    // ------------------------------------------------------------ leaves

    /** An object in memory: its value is loaded from its address. */
    abstract static class Lvalue extends Expr {
        @Override
        long eval(Frame f) {
            long a = addr(f);
            if (f.memcheck) {
                checkLoad(f, this, type, a);
            }
            return load(f.mem, type, a);
        }

        @Override
        long resume(Frame f, ForkPoint k) {
            return load(f.mem, type, resumeAddr(f, k));
        }

        @Override
        abstract long addr(Frame f);

        @Override
        boolean isLvalue() {
            return true;
        }
    }

    static final class Const extends Expr {
        final long v;

        Const(long v, CType t, Tok at) {
            this.v = v;
            this.type = t;
            this.at = at;
        }

        @Override
        long eval(Frame f) {
            return v;
        }

        @Override
        Long constant() {
            return type.isInteger() || type.isPointer() ? v : null;
        }
    }

    static final class Local extends Lvalue {
        final Var var;
        /** The parser's event number for this use (a read, unless it turns out to be assigned). */
        int readSeq = -1;

        Local(Var var, Tok at) {
            this.var = var;
            this.type = var.type;
            this.at = at;
        }

        @Override
        long addr(Frame f) {
            return f.rbp + var.offset;
        }
    }

    /** A variable-length array: at the address its hidden local holds. */
    static final class VlaLocal extends Lvalue {
        final Var var;

        VlaLocal(Var var, Tok at) {
            this.var = var;
            this.type = var.type;
            this.at = at;
        }

        @Override
        long addr(Frame f) {
            return f.mem.read64(f.rbp + var.vlaPointer.offset);
        }
    }

    /** {@code sizeof} a variable-length array: from the upper bound its declaration kept. */
    static final class VlaSize extends Expr {
        final Var var;

        VlaSize(Var var, Tok at) {
            this.var = var;
            this.type = CType.ULONG;
            this.at = at;
        }

        @Override
        long eval(Frame f) {
            return (f.mem.read64(f.rbp + var.vlaBound.offset) + 1) * var.type.base.size;
        }
    }

    static final class Global extends Lvalue {
        final Var var;

        Global(Var var, Tok at) {
            this.var = var;
            this.type = var.type;
            this.at = at;
        }

        @Override
        long addr(Frame f) {
            return var.address;
        }
    }

    static final class FuncRef extends Expr {
        final Function fn;

        FuncRef(Function fn, Tok at) {
            this.fn = fn;
            this.type = fn.type;
            this.at = at;
        }

        @Override
        long eval(Frame f) {
            return fn.address;
        }

        @Override
        long addr(Frame f) {
            return fn.address;
        }
    }

    /** A string literal: an array in .rodata. */
    static final class Str extends Expr {
        final byte[] bytes;
        long address;

        Str(byte[] bytes, Tok at) {
            this.bytes = bytes;
            this.type = CType.array(CType.CHAR, bytes.length + 1);
            this.at = at;
        }

        @Override
        long eval(Frame f) {
            return address;
        }

        @Override
        long addr(Frame f) {
            return address;
        }

        @Override
        boolean isLvalue() {
            return true;
        }
    }

    static final class Deref extends Lvalue {
        final Expr p;

        Deref(Expr p, CType t, Tok at) {
            this.p = p;
            this.type = t;
            this.at = at;
        }

        @Override
        long addr(Frame f) {
            return f.memcheck ? checkedAddr(f) : p.eval(f);
        }

        /**
         * Under memcheck: the address, which must be defined: else Valgrind's "Use of uninitialised
         * value of size 8" (a pointer from uninitialised memory dereferenced, an undefined index). The
         * value loaded through it has its own bytes' definedness, not the address's.
         */
        private long checkedAddr(Frame f) {
            boolean before = f.undefined;
            f.undefined = false;
            long a = p.eval(f);
            if (f.undefined) {
                f.site = storeSite();
                f.m.mc.addressUndefined(this);
            }
            f.undefined = before;
            return a;
        }

        @Override
        long resumeAddr(Frame f, ForkPoint k) {
            return p.resume(f, k);
        }
    }

    static final class Member extends Expr {
        final Expr base;
        final long off;
        final boolean lvalue;

        Member(Expr base, long off, CType t, Tok at) {
            this.base = base;
            this.off = off;
            this.type = t;
            this.at = at;
            this.lvalue = base.isLvalue();
        }

        @Override
        long eval(Frame f) {
            long a = base.addrOrValue(f) + off;
            if (f.memcheck) {
                checkLoad(f, this, type, a);
            }
            return load(f.mem, type, a);
        }

        @Override
        long addr(Frame f) {
            return base.addrOrValue(f) + off;
        }

        @Override
        long resume(Frame f, ForkPoint k) {
            return load(f.mem, type, resumeAddr(f, k));
        }

        @Override
        long resumeAddr(Frame f, ForkPoint k) {
            return base.resumeAddrOrValue(f, k) + off;
        }

        @Override
        boolean isLvalue() {
            return lvalue;
        }
    }

    /**
     * A bit-field member: {@code width} bits from bit {@code bit} of the byte at {@code off} in the
     * struct, little-endian as on x86-64. Read as an int when it fits one (C's promotion of
     * bit-fields, as gcc does); written by read-modify-write of the bytes it spans.
     */
    static final class BitField extends Expr {
        final Expr base;
        final long off;
        final CType declared;
        final int width;
        final int bit;
        final boolean lvalue;
        final int bytes;

        BitField(Expr base, long off, CType declared, int width, int bit, Tok at) {
            this.base = base;
            this.off = off;
            this.declared = declared;
            this.width = width;
            this.bit = bit;
            this.at = at;
            this.lvalue = base.isLvalue();
            this.bytes = (bit + width + 7) / 8;
            if (declared.size <= 4 && width < 32) {
                this.type = CType.INT;
            } else if (declared.size <= 4) {
                this.type = declared.isUnsigned() ? CType.UINT : CType.INT;
            } else {
                this.type = declared;
            }
            if (bytes > 8) {
                throw new CompileError(at, "unsupported: bit-field '" + at.text + "' spanning more than 8 bytes");
            }
        }

        private long word(AddressSpace mem, long a) {
            long w = 0;
            for (int i = bytes - 1; i >= 0; i--) {
                w = (w << 8) | (mem.read8(a + i) & 0xff);
            }
            return w;
        }

        /** {@code v} as the bit-field holds it: its low {@code width} bits, sign-extended if signed. */
        long truncate(long v) {
            return bits(declared.k == CType.K.BOOL && v != 0 ? 1 : v);
        }

        /** The low {@code width} bits of {@code v}, sign-extended if the bit-field is signed. */
        private long bits(long v) {
            long bits = width == 64 ? v : v & ((1L << width) - 1);
            if (!declared.isUnsigned() && declared.k != CType.K.BOOL && width < 64 && (bits >>> (width - 1) & 1) != 0) {
                bits |= -1L << width;
            }
            return bits;
        }

        @Override
        long eval(Frame f) {
            return loadAt(f, addr(f));
        }

        @Override
        long loadAt(Frame f, long a) {
            return bits(word(f.mem, a) >>> bit);
        }

        void storeAt(Frame f, long a, long v) {
            Expr.atSite(f, storeSite());
            store(f.mem, f.m.libc, a, bit, width, declared.k == CType.K.BOOL && v != 0 ? 1 : v);
        }

        /**
         * Stores the low {@code width} bits of {@code v} at bit {@code bit} of the byte at {@code a},
         * the other bits kept: through {@code libc} (recorded) unless it is null.
         */
        static void store(AddressSpace mem, LibC libc, long a, int bit, int width, long v) {
            int n = (bit + width + 7) / 8;
            long w = 0;
            for (int i = n - 1; i >= 0; i--) {
                w = (w << 8) | (mem.read8(a + i) & 0xff);
            }
            long mask = (width == 64 ? -1L : (1L << width) - 1) << bit;
            w = (w & ~mask) | ((v << bit) & mask);
            for (int i = 0; i < n; i++) {
                int b = (int) (w >>> (8 * i)) & 0xff;
                if (libc != null) {
                    libc.putByte(a + i, b);
                } else {
                    mem.write8(a + i, b);
                }
            }
        }

        @Override
        long addr(Frame f) {
            return base.addrOrValue(f) + off;
        }

        @Override
        long resume(Frame f, ForkPoint k) {
            return loadAt(f, resumeAddr(f, k));
        }

        @Override
        long resumeAddr(Frame f, ForkPoint k) {
            return base.resumeAddrOrValue(f, k) + off;
        }

        @Override
        boolean isLvalue() {
            return lvalue;
        }
    }

    /** A struct's address whether it is an lvalue or the value of a call. */
    long addrOrValue(Frame f) {
        return isLvalue() ? addr(f) : eval(f);
    }

    /** An array or function used as a value: its address. */
    static final class Decay extends Expr {
        final Expr e;

        Decay(Expr e, CType t) {
            this.e = e;
            this.type = t;
            this.at = e.at;
        }

        @Override
        long eval(Frame f) {
            return e.addrOrValue(f);
        }

        @Override
        long resume(Frame f, ForkPoint k) {
            return e.resumeAddrOrValue(f, k);
        }
    }

    static final class AddrOf extends Expr {
        final Expr e;

        AddrOf(Expr e, CType t, Tok at) {
            this.e = e;
            this.type = t;
            this.at = at;
        }

        @Override
        long eval(Frame f) {
            return e.addr(f);
        }

        @Override
        long resume(Frame f, ForkPoint k) {
            return e.resumeAddr(f, k);
        }

        @Override
        Long constant() {
            // offsetof's idiom &((T*)0)->m
            if (e instanceof Member m && m.base instanceof Deref d && d.p.constant() != null) {
                return d.p.constant() + m.off;
            }
            return null;
        }
    }

    static final class Cast extends Expr {
        final Expr e;
        final CType from;

        Cast(Expr e, CType to, Tok at) {
            this.e = e;
            this.type = to;
            this.from = e.type;
            this.at = at;
        }

        @Override
        long eval(Frame f) {
            return cast(e.eval(f));
        }

        @Override
        long resume(Frame f, ForkPoint k) {
            return cast(e.resume(f, k));
        }

        private long cast(long v) {
            if (type.isVoid() || type.isRecord()) {
                return v;
            }
            return convert(v, from, type);
        }

        @Override
        Long constant() {
            Long c = e.constant();
            if (c == null || !(type.isInteger() || type.isPointer())) {
                return null;
            }
            return convert(c, from, type);
        }
    }

    static final class Comma extends Expr {
        final Expr a;
        final Expr b;

        Comma(Expr a, Expr b) {
            Builtins.valueUnused(a);
            this.a = a;
            this.b = b;
            this.type = b.type;
            this.at = b.at;
        }

        @Override
        long eval(Frame f) {
            try {
                a.eval(f);
            } catch (ForkPoint k) {
                throw k.save(this, 0);
            }
            try {
                return b.eval(f);
            } catch (ForkPoint k) {
                throw k.save(this, 1);
            }
        }

        @Override
        long resume(Frame f, ForkPoint k) {
            int phase = k.pop(this).phase();
            if (phase == 0) {
                try {
                    a.resume(f, k);
                } catch (ForkPoint p) {
                    throw p.save(this, 0);
                }
            }
            try {
                return phase == 1 ? b.resume(f, k) : b.eval(f);
            } catch (ForkPoint p) {
                throw p.save(this, 1);
            }
        }
    }

    static final class Cond extends Expr {
        final Expr c;
        final Expr a;
        final Expr b;

        Cond(Expr c, Expr a, Expr b, CType t) {
            this.c = c;
            this.a = a;
            this.b = b;
            this.type = t;
            this.at = c.at;
        }

        @Override
        long eval(Frame f) {
            boolean t;
            try {
                t = test(f, c);
            } catch (ForkPoint k) {
                throw k.save(this, 0);
            }
            return branch(f, t, null);
        }

        private long branch(Frame f, boolean t, ForkPoint k) {
            try {
                Expr e = t ? a : b;
                return k != null ? e.resume(f, k) : e.eval(f);
            } catch (ForkPoint p) {
                throw p.save(this, t ? 1 : 2);
            }
        }

        @Override
        long resume(Frame f, ForkPoint k) {
            int phase = k.pop(this).phase();
            if (phase != 0) {
                return branch(f, phase == 1, k);
            }
            boolean t;
            try {
                t = truth(c.resume(f, k), c.type);
            } catch (ForkPoint p) {
                throw p.save(this, 0);
            }
            return branch(f, t, null);
        }

        @Override
        Long constant() {
            Long cc = c.constant();
            if (cc == null) {
                return null;
            }
            return cc != 0 ? a.constant() : b.constant();
        }
    }

    static final class Logical extends Expr {
        final boolean and;
        final Expr a;
        final Expr b;

        Logical(boolean and, Expr a, Expr b, Tok at) {
            this.and = and;
            this.a = a;
            this.b = b;
            this.type = CType.INT;
            this.at = at;
        }

        @Override
        long eval(Frame f) {
            boolean l;
            try {
                l = test(f, a);
            } catch (ForkPoint k) {
                throw k.save(this, 0);
            }
            return right(f, l, null);
        }

        private long right(Frame f, boolean l, ForkPoint k) {
            if (and != l) {
                return l ? 1 : 0;
            }
            try {
                return (k != null ? truth(b.resume(f, k), b.type) : test(f, b)) ? 1 : 0;
            } catch (ForkPoint p) {
                throw p.save(this, 1);
            }
        }

        @Override
        long resume(Frame f, ForkPoint k) {
            if (k.pop(this).phase() == 1) {
                return right(f, and, k);
            }
            boolean l;
            try {
                l = truth(a.resume(f, k), a.type);
            } catch (ForkPoint p) {
                throw p.save(this, 0);
            }
            return right(f, l, null);
        }

        @Override
        Long constant() {
            Long x = a.constant();
            Long y = b.constant();
            if (x == null || y == null) {
                return null;
            }
            return and ? (x != 0 && y != 0 ? 1L : 0L) : (x != 0 || y != 0 ? 1L : 0L);
        }
    }

    static final class Not extends Expr {
        final Expr e;

        Not(Expr e, Tok at) {
            this.e = e;
            this.type = CType.INT;
            this.at = at;
        }

        @Override
        long eval(Frame f) {
            return truth(e.eval(f), e.type) ? 0 : 1;
        }

        @Override
        long resume(Frame f, ForkPoint k) {
            return truth(e.resume(f, k), e.type) ? 0 : 1;
        }

        @Override
        Long constant() {
            Long c = e.constant();
            return c == null ? null : (c == 0 ? 1L : 0L);
        }
    }

    /**
     * An operator on two operands, the left evaluated first: re-entered where a fork() in either
     * left it ({@link ForkPoint}; phase 0: in the left, phase 1: in the right, the left's value saved).
     * Each subclass evaluates itself ({@link #eval}, the hot path) and says how the values combine.
     */
    abstract static class TwoOperands extends Expr {
        abstract Expr left();

        abstract Expr right();

        abstract long combine(long x, long y);

        @Override
        final long resume(Frame f, ForkPoint k) {
            ForkPoint.Saved s = k.pop(this);
            long x = s.a();
            if (s.phase() == 0) {
                try {
                    x = left().resume(f, k);
                } catch (ForkPoint p) {
                    throw p.save(this, 0);
                }
            }
            try {
                return combine(x, s.phase() == 1 ? right().resume(f, k) : right().eval(f));
            } catch (ForkPoint p) {
                throw p.save(this, 1, x);
            }
        }
    }

    /** Arithmetic on operands already converted to {@code type} (the usual arithmetic conversions). */
    static final class Binary extends TwoOperands {
        final int op;
        final Expr a;
        final Expr b;

        Binary(int op, Expr a, Expr b, CType t, Tok at) {
            this.op = op;
            this.a = a;
            this.b = b;
            this.type = t;
            this.at = at;
        }

        @Override
        long eval(Frame f) {
            long x;
            try {
                x = a.eval(f);
            } catch (ForkPoint k) {
                throw k.save(this, 0);
            }
            try {
                return Ops.arith(op, type, x, b.eval(f), at);
            } catch (ForkPoint k) {
                throw k.save(this, 1, x);
            }
        }

        @Override
        Expr left() {
            return a;
        }

        @Override
        Expr right() {
            return b;
        }

        @Override
        long combine(long x, long y) {
            return Ops.arith(op, type, x, y, at);
        }

        @Override
        Long constant() {
            Long x = a.constant();
            Long y = b.constant();
            if (x == null || y == null || type.isFloating()) {
                return null;
            }
            if ((op == Ops.DIV || op == Ops.MOD) && y == 0) {
                return null;
            }
            return Ops.arith(op, type, x, y, at);
        }
    }

    /** A comparison: operands converted to a common type {@code opType}; the result is int. */
    static final class Compare extends TwoOperands {
        final int op;
        final Expr a;
        final Expr b;
        final CType opType;

        Compare(int op, Expr a, Expr b, CType opType, Tok at) {
            this.op = op;
            this.a = a;
            this.b = b;
            this.opType = opType;
            this.type = CType.INT;
            this.at = at;
        }

        @Override
        long eval(Frame f) {
            long x;
            try {
                x = a.eval(f);
            } catch (ForkPoint k) {
                throw k.save(this, 0);
            }
            try {
                return Ops.compare(op, opType, x, b.eval(f)) ? 1 : 0;
            } catch (ForkPoint k) {
                throw k.save(this, 1, x);
            }
        }

        @Override
        Expr left() {
            return a;
        }

        @Override
        Expr right() {
            return b;
        }

        @Override
        long combine(long x, long y) {
            return Ops.compare(op, opType, x, y) ? 1 : 0;
        }

        @Override
        Long constant() {
            Long x = a.constant();
            Long y = b.constant();
            if (x == null || y == null) {
                return null;
            }
            return Ops.compare(op, opType, x, y) ? 1L : 0L;
        }
    }

    static final class Neg extends Expr {
        final Expr e;
        final int op; // '-', '~'

        Neg(int op, Expr e, CType t, Tok at) {
            this.op = op;
            this.e = e;
            this.type = t;
            this.at = at;
        }

        @Override
        long eval(Frame f) {
            return negate(e.eval(f));
        }

        @Override
        long resume(Frame f, ForkPoint k) {
            return negate(e.resume(f, k));
        }

        private long negate(long v) {
            if (type.isFloating()) {
                return Double.doubleToRawLongBits(-Double.longBitsToDouble(v));
            }
            return narrow(op == '-' ? -v : ~v, type);
        }

        @Override
        Long constant() {
            Long c = e.constant();
            if (c == null || type.isFloating()) {
                return null;
            }
            return narrow(op == '-' ? -c : ~c, type);
        }
    }

    /** pointer ± integer, scaled by the pointed-to size. */
    static final class PtrAdd extends TwoOperands {
        final Expr p;
        final Expr i;
        final long scale;
        final boolean sub;
        final boolean iUnsigned;

        PtrAdd(Expr p, Expr i, long scale, boolean sub, CType t, Tok at) {
            this.p = p;
            this.i = i;
            this.scale = scale;
            this.sub = sub;
            this.type = t;
            this.at = at;
            this.iUnsigned = i.type.isUnsigned();
        }

        @Override
        long eval(Frame f) {
            long base;
            try {
                base = p.eval(f);
            } catch (ForkPoint k) {
                throw k.save(this, 0);
            }
            try {
                return add(base, i.eval(f));
            } catch (ForkPoint k) {
                throw k.save(this, 1, base);
            }
        }

        private long add(long base, long index) {
            long off = index * scale;
            return sub ? base - off : base + off;
        }

        @Override
        Expr left() {
            return p;
        }

        @Override
        Expr right() {
            return i;
        }

        @Override
        long combine(long x, long y) {
            return add(x, y);
        }

        @Override
        Long constant() {
            Long x = p.constant();
            Long y = i.constant();
            return x == null || y == null ? null : (sub ? x - y * scale : x + y * scale);
        }
    }

    static final class PtrDiff extends TwoOperands {
        final Expr a;
        final Expr b;
        final long size;

        PtrDiff(Expr a, Expr b, long size, Tok at) {
            this.a = a;
            this.b = b;
            this.size = size;
            this.type = CType.LONG;
            this.at = at;
        }

        @Override
        long eval(Frame f) {
            long x;
            try {
                x = a.eval(f);
            } catch (ForkPoint k) {
                throw k.save(this, 0);
            }
            try {
                return (x - b.eval(f)) / size;
            } catch (ForkPoint k) {
                throw k.save(this, 1, x);
            }
        }

        @Override
        Expr left() {
            return a;
        }

        @Override
        Expr right() {
            return b;
        }

        @Override
        long combine(long x, long y) {
            return (x - y) / size;
        }
    }

    static final class Assign extends Expr {
        final Expr lv;
        final Expr v;

        Assign(Expr lv, Expr v, Tok at) {
            this.lv = lv;
            this.v = v;
            this.type = lv.type;
            this.at = at;
        }

        @Override
        long eval(Frame f) {
            if (f.memcheck) {
                return checked(f);
            }
            long a;
            try {
                a = lv.addr(f);
            } catch (ForkPoint k) {
                throw k.save(this, 0);
            }
            long x;
            try {
                x = v.eval(f);
            } catch (ForkPoint k) {
                throw k.save(this, 1, a);
            }
            return assign(f, a, x);
        }

        /** {@link #eval} under memcheck: the bytes stored take the value's definedness (a struct's, its source's). */
        private long checked(Frame f) {
            long a;
            try {
                a = lv.addr(f);
            } catch (ForkPoint k) {
                throw k.save(this, 0);
            }
            boolean before = f.undefined;
            f.undefined = false; // the stored value's own definedness
            long x;
            try {
                x = v.eval(f);
            } catch (ForkPoint k) {
                throw k.save(this, 1, a);
            }
            long r = assign(f, a, x);
            if (!type.isRecord()) {
                stored(f, lv, type, a);
            }
            f.undefined |= before;
            return r;
        }

        private long assign(Frame f, long a, long x) {
            if (type.isRecord()) {
                Expr.atSite(f, lv.storeSite());
                f.m.copy(a, x, type.size);
                return a;
            }
            put(f, lv, type, a, x);
            return lv instanceof BitField bf ? bf.truncate(x) : x;
        }

        @Override
        long resume(Frame f, ForkPoint k) {
            ForkPoint.Saved s = k.pop(this);
            long a = s.a();
            if (s.phase() == 0) {
                try {
                    a = lv.resumeAddr(f, k);
                } catch (ForkPoint p) {
                    throw p.save(this, 0);
                }
            }
            long x;
            try {
                x = s.phase() == 1 ? v.resume(f, k) : v.eval(f);
            } catch (ForkPoint p) {
                throw p.save(this, 1, a);
            }
            long r = assign(f, a, x);
            if (f.memcheck && !type.isRecord()) { // fork()'s value, stored as the process goes on
                stored(f, lv, type, a);
            }
            return r;
        }
    }

    /** {@code lv op= v}: computed in {@code opType}, stored back converted to the lvalue's type. */
    static final class CompoundAssign extends Expr {
        final Expr lv;
        final Expr v;
        final int op;
        final CType opType;
        final long scale;

        CompoundAssign(Expr lv, int op, Expr v, CType opType, long scale, Tok at) {
            this.lv = lv;
            this.op = op;
            this.v = v;
            this.opType = opType;
            this.scale = scale;
            this.type = lv.type;
            this.at = at;
        }

        @Override
        long eval(Frame f) {
            if (f.memcheck) {
                return checked(f);
            }
            long a;
            try {
                a = lv.addr(f);
            } catch (ForkPoint k) {
                throw k.save(this, 0);
            }
            long old = lv.loadAt(f, a);
            long x;
            try {
                x = v.eval(f);
            } catch (ForkPoint k) {
                throw k.save(this, 1, a, new long[] {old}, null);
            }
            return combine(f, a, old, x);
        }

        /** {@link #eval} under memcheck: the result is undefined if the old value or the operand is. */
        private long checked(Frame f) {
            long a;
            try {
                a = lv.addr(f);
            } catch (ForkPoint k) {
                throw k.save(this, 0);
            }
            long old = lv.loadAt(f, a);
            boolean before = f.undefined;
            f.undefined = false;
            loaded(f, lv.type, a);
            long x;
            try {
                x = v.eval(f);
            } catch (ForkPoint k) {
                throw k.save(this, 1, a, new long[] {old}, null);
            }
            long r = combine(f, a, old, x);
            stored(f, lv, type, a);
            f.undefined |= before;
            return r;
        }

        @Override
        long resume(Frame f, ForkPoint k) {
            ForkPoint.Saved s = k.pop(this);
            if (s.phase() == 1) {
                long x;
                try {
                    x = v.resume(f, k);
                } catch (ForkPoint p) {
                    throw p.save(this, 1, s.a(), s.vals(), null);
                }
                long r = combine(f, s.a(), s.vals()[0], x);
                if (f.memcheck) {
                    stored(f, lv, type, s.a());
                }
                return r;
            }
            long a;
            try {
                a = lv.resumeAddr(f, k);
            } catch (ForkPoint p) {
                throw p.save(this, 0);
            }
            long old = lv.loadAt(f, a);
            long x;
            try {
                x = v.eval(f);
            } catch (ForkPoint p) {
                throw p.save(this, 1, a, new long[] {old}, null);
            }
            long r = combine(f, a, old, x);
            if (f.memcheck) {
                stored(f, lv, type, a);
            }
            return r;
        }

        private long combine(Frame f, long a, long old, long x) {
            long r;
            if (scale != 0) { // pointer += integer
                r = op == Ops.ADD ? old + x * scale : old - x * scale;
            } else {
                long o = convert(old, type, opType);
                long y = (op == Ops.SHL || op == Ops.SHR) ? x : convert(x, v.type, opType);
                r = convert(Ops.arith(op, opType, o, y, at), opType, type);
            }
            put(f, lv, type, a, r);
            return r;
        }
    }

    static final class IncDec extends Expr {
        final Expr lv;
        final boolean pre;
        final long delta;

        IncDec(Expr lv, boolean pre, long delta, Tok at) {
            this.lv = lv;
            this.pre = pre;
            this.delta = delta;
            this.type = lv.type;
            this.at = at;
        }

        @Override
        long eval(Frame f) {
            if (f.memcheck) {
                return checked(f);
            }
            return step(f, lv.addr(f));
        }

        /** {@link #eval} under memcheck: the new value is as defined as the old. */
        private long checked(Frame f) {
            long a = lv.addr(f);
            boolean before = f.undefined;
            f.undefined = false;
            loaded(f, lv.type, a);
            long r = step(f, a);
            stored(f, lv, type, a);
            f.undefined |= before;
            return r;
        }

        @Override
        long resume(Frame f, ForkPoint k) {
            long a = lv.resumeAddr(f, k);
            long r = step(f, a);
            if (f.memcheck) {
                stored(f, lv, type, a);
            }
            return r;
        }

        private long step(Frame f, long a) {
            long old = lv.loadAt(f, a);
            long nv;
            if (type.isFloating()) {
                nv = convert(Double.doubleToRawLongBits(Double.longBitsToDouble(old) + delta), CType.DOUBLE, type);
            } else {
                nv = narrow(old + delta, type);
            }
            put(f, lv, type, a, nv);
            return pre ? nv : old;
        }
    }

    static final class Call extends Expr {
        final Expr fn;
        final Function direct;
        final Expr[] args;
        final CType[] argTypes;
        final int line;
        /**
         * {@code prog.c:LINE}: where a recording says a library call made here was made; with
         * {@code " → a"} when the pointer it returns is stored into {@code a} (see {@link #receiver}).
         */
        String site;
        /** Nothing uses the call's value (see {@link Builtins#valueUnused}). */
        boolean valueUnused;
        /** For a library call gcc folds when its value is unused: what it is then emitted as ("": nothing). */
        String foldedWhenUnused;

        Call(Expr fn, Function direct, Expr[] args, CType ret, Tok at) {
            this.fn = fn;
            this.direct = direct;
            this.args = args;
            this.type = ret;
            this.at = at;
            this.line = at.line;
            String file = at.file == null ? "?" : at.file.name();
            this.site = file.substring(file.lastIndexOf('/') + 1) + ":" + at.line;
            this.argTypes = new CType[args.length];
            for (int i = 0; i < args.length; i++) {
                argTypes[i] = args[i].type;
            }
        }

        /** {@link #site} without the variable its result goes to, made at its first use. */
        private String plainSite;

        /** {@code prog.c:LINE} of this call, for the other calls the library makes in it ({@link Machine#resay}). */
        String plainSite() {
            String p = plainSite;
            if (p == null) {
                p = lineOf(site);
                plainSite = p;
            }
            return p;
        }

        /** The call's pointer result is stored into {@code lvalue} (its source text): the site says so. */
        void receiver(String lvalue) {
            if (type.isPointer() && site.indexOf(' ') < 0) {
                site = site + " → " + lvalue;
            }
        }

        /** The call that {@code e} is, under conversions and casts, or null. */
        static Call in(Expr e) {
            while (e instanceof Cast c) {
                e = c.e;
            }
            return e instanceof Call c ? c : null;
        }

        /** Where a fork() left a call ({@link ForkPoint}): in argument i (phase i), in the callee's address, in the callee. */
        private static final int IN_FUNCTION_ADDRESS = -1, IN_CALLEE = -2;

        @Override
        long eval(Frame f) {
            return arguments(f, new long[args.length], null, args.length - 1, null);
        }

        /** Evaluates the arguments from {@code i} down (gcc evaluates them last to first), then calls. */
        private long arguments(Frame f, long[] vals, byte[][] records, int i, ForkPoint k) {
            boolean memcheck = f.memcheck;
            boolean before = memcheck && f.undefined;
            long undefinedArgs = 0;
            for (; i >= 0; i--) {
                if (memcheck) {
                    f.undefined = false;
                }
                try {
                    vals[i] = k != null ? args[i].resume(f, k) : args[i].eval(f);
                } catch (ForkPoint p) {
                    throw p.save(this, i, 0, vals.clone(), records == null ? null : records.clone());
                }
                k = null;
                if (memcheck && f.undefined && i < 64) {
                    undefinedArgs |= 1L << i;
                }
                if (argTypes[i].isRecord()) { // a struct by value: its bytes now, before a later call reuses the stack
                    if (records == null) {
                        records = new byte[args.length][];
                    }
                    records[i] = f.m.libc.readBytes(vals[i], (int) argTypes[i].size);
                }
            }
            Function target = direct;
            if (target == null || target.builtin == null && target.body == null) {
                long address;
                try {
                    address = fn.eval(f);
                } catch (ForkPoint p) {
                    throw p.save(this, IN_FUNCTION_ADDRESS, 0, vals, records);
                }
                target = f.m.functionAt(address, this);
            }
            if (!memcheck) {
                return callee(f, target, vals, records);
            }
            f.m.argsUndefined = undefinedArgs; // for the callee's parameters, or the library function
            long r = callee(f, target, vals, records);
            f.undefined = before | f.m.returnUndefined;
            return r;
        }

        private long callee(Frame f, Function target, long[] vals, byte[][] records) {
            try {
                return f.m.call(f, target, vals, argTypes, this, records);
            } catch (ForkPoint p) {
                throw p.save(this, IN_CALLEE, 0, null, target);
            }
        }

        @Override
        long resume(Frame f, ForkPoint k) {
            ForkPoint.Saved s = k.pop(this);
            if (s.phase() == IN_CALLEE) {
                Function target = (Function) s.extra();
                try {
                    return f.m.resumeCall(f, target, k, this);
                } catch (ForkPoint p) {
                    throw p.save(this, IN_CALLEE, 0, null, target);
                }
            }
            long[] vals = s.vals().clone();
            byte[][] records = s.extra() == null ? null : ((byte[][]) s.extra()).clone();
            if (s.phase() >= 0) {
                return arguments(f, vals, records, s.phase(), k);
            }
            long address;
            try {
                address = fn.resume(f, k);
            } catch (ForkPoint p) {
                throw p.save(this, IN_FUNCTION_ADDRESS, 0, vals, records);
            }
            return callee(f, f.m.functionAt(address, this), vals, records);
        }
    }

    /** A compound literal or a temporary: an unnamed local with an initializer. */
    static final class Temp extends Expr {
        final Var var;

        Temp(Var var, Tok at) {
            this.var = var;
            this.type = var.type;
            this.at = at;
        }

        @Override
        long eval(Frame f) {
            long a = var.global ? var.address : f.rbp + var.offset;
            if (!var.global) {
                Expr.atSite(f, storeSite());
                var.init.apply(f, a, type.size, true);
            }
            return load(f.mem, type, a);
        }

        @Override
        long resume(Frame f, ForkPoint k) {
            return load(f.mem, type, resumeAddr(f, k));
        }

        @Override
        long resumeAddr(Frame f, ForkPoint k) {
            long a = f.rbp + var.offset; // a global's initializer runs at load time: no call inside
            var.init.resume(f, a, type.size, true, k);
            return a;
        }

        @Override
        long addr(Frame f) {
            long a = var.global ? var.address : f.rbp + var.offset;
            if (!var.global) {
                Expr.atSite(f, storeSite());
                var.init.apply(f, a, type.size, true);
            }
            return a;
        }

        @Override
        boolean isLvalue() {
            return true;
        }
    }

    /** GCC's statement expression {@code ({ …; value; })}. */
    static final class StmtExpr extends Expr {
        final Stmt body;
        final Expr last;

        StmtExpr(Stmt body, Expr last, Tok at) {
            this.body = body;
            this.last = last;
            this.type = last == null ? CType.VOID : last.type;
            this.at = at;
        }

        @Override
        long eval(Frame f) {
            try {
                body.exec(f);
            } catch (ForkPoint k) {
                throw k.save(this, 0);
            }
            return value(f, null);
        }

        private long value(Frame f, ForkPoint k) {
            try {
                return last == null ? 0 : k != null ? last.resume(f, k) : last.eval(f);
            } catch (ForkPoint p) {
                throw p.save(this, 1);
            }
        }

        @Override
        long resume(Frame f, ForkPoint k) {
            if (k.pop(this).phase() == 1) {
                return value(f, k);
            }
            try {
                body.resume(f, k);
            } catch (ForkPoint p) {
                throw p.save(this, 0);
            }
            return value(f, null);
        }
    }
}
