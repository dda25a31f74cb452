package io.mallocscope.c;

import java.util.HashMap;
import java.util.Map;

/**
 * How many callee-saved registers (rbx, r12-r15) gcc -O0 pushes after rbp for a function's
 * expression temporaries: a value computed before a call and used after it lives in one of them
 * ({@code x*100 + f()}: {@code x*100} in rbx across the call), and the pushes move the function's
 * locals down.
 *
 * <p>The count follows gcc's own steps. GCC's C front end folds each commutative operation and
 * comparison so that a variable operand comes last ({@code g + f()} becomes {@code f() + g}:
 * nothing is held across the call). The gimplifier then evaluates operands left to right (a call's
 * arguments last to first, an assignment's right side before its left unless the right side is a
 * bare call, which is made after the left side's address is computed), putting every value that is
 * not a constant, an invariant address or a register variable (a scalar local whose address is never
 * taken) into a temporary. A temporary is live from where it is made to where it is used; the
 * register allocator gives the ones live across a call a callee-saved register, reusing them across
 * statements: the count is the most temporaries live across any one call, at most five. And when a
 * call's arguments (the computed ones and the variables loaded for it) are more than the nine
 * caller-saved registers (a printf of a dozen computed values), the rest take callee-saved ones too.
 * Floating-point values are not counted there: no xmm register is callee-saved, so gcc gives the ones
 * live across a call stack slots of their own ({@link Temps#spillSlots}), but for the argument passed
 * in xmm0, which it computes in an integer register (held across a call: a callee-saved one).
 */
final class CalleeSaved {
    /**
     * The temporaries live now, oldest first: 0 for one in an integer register, else a floating-point
     * value's size in bytes (kept in an xmm register, which no call preserves).
     */
    private final java.util.ArrayList<Integer> temps = new java.util.ArrayList<>();
    private int max;
    /** For each call, the sizes of the floating-point temporaries live across it, oldest first. */
    private final java.util.List<int[]> floatsAcross = new java.util.ArrayList<>();
    /** The program's functions called (null for a library function or a call through a pointer). */
    private final java.util.List<Function> callees = new java.util.ArrayList<>();

    /** Program order of the calls and of the constants' uses ({@link #constants}). */
    private int seq;
    /** Each call: its place in program order and the temporaries live across it. */
    private final java.util.List<int[]> calls = new java.util.ArrayList<>();
    /**
     * The 8-byte constants an inlined {@code strcpy} of a literal stores ({@link #strcpyConstants}):
     * gcc -O0 loads each into a register once and uses that register again at a later strcpy the first
     * dominates, so a constant used again after a call is held across it in a callee-saved register.
     * Each value's first and last place; {@code scopes} are the constants first used in each open
     * branch or loop body (gone when it closes: its uses do not dominate what follows).
     */
    private final Map<Long, int[]> constants = new HashMap<>();
    private final java.util.ArrayDeque<java.util.List<Long>> scopes = new java.util.ArrayDeque<>();
    /**
     * The most values held in registers at once: past the nine caller-saved registers (rax, rcx, rdx,
     * rsi, rdi, r8-r11), callee-saved ones.
     */
    private int pressure;
    private static final int CALLER_SAVED = 9;

    private CalleeSaved() {
    }

    /**
     * What gcc -O0 makes of {@code f}'s temporaries: the callee-saved registers it pushes
     * ({@link #registers}), the stack slots it gives the floating-point values live across a call
     * (their sizes, in the order gcc's register allocator makes them: a value takes the first slot not
     * holding another value live at the same time, so the values live across one call take slots 0,
     * 1, …; a slot is as big as the biggest value it holds), and the functions it calls.
     */
    record Temps(int registers, int[] spillSlots, java.util.List<Function> callees, boolean longDouble,
            boolean callsProgram) {
    }

    /** A long double value was seen (the front end computes long double arithmetic as double). */
    private boolean longDouble;
    /** A call of one of the program's functions, or through a pointer (which may reach one). */
    private boolean callsProgram;

    static Temps of(Function f) {
        CalleeSaved c = new CalleeSaved();
        c.scopes.push(new java.util.ArrayList<>());
        c.stmt(f.body);
        int regs = Math.max(Math.max(c.acrossCalls(), c.pressure - CALLER_SAVED), 0);
        if (sseInRegisterPair(f.type.base)) {
            regs = Math.max(regs, 1); // gcc -O0 moves the second eightbyte through rbx on the way out
        }
        int n = 0;
        for (int[] fl : c.floatsAcross) {
            n = Math.max(n, fl.length);
        }
        int[] slots = new int[n];
        for (int[] fl : c.floatsAcross) {
            for (int i = 0; i < fl.length; i++) {
                slots[i] = Math.max(slots[i], fl[i]);
            }
        }
        return new Temps(regs, slots, c.callees, c.longDouble, c.callsProgram);
    }

    /**
     * A struct or union of exactly 16 bytes returned in two registers with at least one eightbyte of SSE
     * class (all its scalars float or double: {@code struct {double x, y;}}, {@code {long a; float b, c;}}):
     * gcc -O0 builds such a return value in rbx, which it then pushes, as if one value were held across a
     * call (measured with gcc -S: a 12-byte one, or one of two INTEGER eightbytes, does not).
     */
    static boolean sseInRegisterPair(CType t) {
        if (t == null || !t.isRecord() || t.size != 16) {
            return false;
        }
        int[] kinds = new int[2]; // per eightbyte: bit 1 an SSE scalar, bit 2 any other scalar
        if (!leaves(t, 0, kinds)) {
            return false; // a long double: class X87, not a register pair
        }
        return kinds[0] == 1 || kinds[1] == 1;
    }

    /** Marks the eightbytes {@code t}'s scalars at {@code base} fall in; false on a long double. */
    private static boolean leaves(CType t, long base, int[] kinds) {
        if (t.k == CType.K.LDOUBLE) {
            return false;
        }
        if (t.isRecord()) {
            for (CType.Field f : t.fields) {
                if (!leaves(f.type(), base + f.offset(), kinds)) {
                    return false;
                }
            }
            return true;
        }
        if (t.k == CType.K.ARRAY) {
            for (long i = 0; i < t.len; i++) {
                if (!leaves(t.base, base + i * t.base.size, kinds)) {
                    return false;
                }
            }
            return true;
        }
        if (base >= 0 && base < 16) {
            kinds[(int) (base / 8)] |= t.isFloating() ? 1 : 2;
        }
        return true;
    }

    private int live() {
        int n = 0;
        for (int t : temps) {
            if (t == 0) {
                n++;
            }
        }
        return n;
    }

    /** The newest {@code n} temporaries are used up. */
    private void pop(int n) {
        for (int i = 0; i < n; i++) {
            temps.remove(temps.size() - 1);
        }
    }

    /**
     * The registers gcc -O0 pushes for {@code f}'s expression temporaries (0-5); more than five held
     * at once is refused ({@link Machine}): gcc spills the rest to stack slots of its own, which moves
     * the locals by an amount this count does not know.
     */
    static int registers(Function f) {
        return of(f).registers();
    }

    /** The most registers held across one call: its live temporaries and the strcpy constants used on both sides. */
    private int acrossCalls() {
        int most = max;
        for (int[] call : calls) {
            int n = call[1];
            for (int[] span : constants.values()) {
                if (span[0] < call[0] && call[0] < span[1]) {
                    n++;
                }
            }
            most = Math.max(most, n);
        }
        return most;
    }

    private void stmt(Stmt s) {
        if (s == null) {
            return;
        }
        temps.clear();
        if (s instanceof Stmt.ExprStmt e) {
            if (!(e.e instanceof Expr.Call c && "".equals(c.foldedWhenUnused))) { // gcc drops printf(""), fputs("", f) …
                drop(e.e);
            }
        } else if (s instanceof Stmt.InitLocal i) {
            init(i.var.init);
        } else if (s instanceof Stmt.Block b) {
            for (Stmt x : b.body) {
                stmt(x);
            }
        } else if (s instanceof Stmt.If i) {
            drop(i.c);
            branch(() -> stmt(i.a));
            branch(() -> stmt(i.b));
        } else if (s instanceof Stmt.Loop l) {
            stmt(l.init);
            branch(() -> {
                drop(l.cond);
                stmt(l.body);
                temps.clear();
                drop(l.step);
            });
        } else if (s instanceof Stmt.Switch w) {
            drop(w.c);
            branch(() -> stmt(w.body));
        } else if (s instanceof Stmt.Return r) {
            drop(r.e);
        } else if (s instanceof Stmt.VlaAlloc v) {
            drop(v.length);
        } else if (s instanceof Stmt.VlaScope v) {
            stmt(v.body);
        }
        temps.clear();
    }

    private void init(Init init) {
        if (init == null) {
            return;
        }
        for (Init.Item it : init.items) {
            if (it.value() != null) {
                drop(it.value());
            }
        }
    }

    /** Evaluates {@code e} for its effects; its value is not kept. */
    private void drop(Expr e) {
        if (e != null) {
            int t = val(e);
            pop(t);
        }
    }

    private int hold(int consumed) {
        pop(consumed);
        temps.add(0);
        pressure = Math.max(pressure, live());
        return 1;
    }

    /** A variable gcc keeps as a register at -O0's gimple level: read where it is used, never copied early. */
    static boolean isReg(Expr e) {
        return e instanceof Expr.Local l && l.var.type.isScalar() && !l.var.addressTaken && l.var.vlaPointer == null;
    }

    private static boolean isDecl(Expr e) {
        return e instanceof Expr.Local || e instanceof Expr.Global;
    }

    /** A conversion that changes no bits (STRIP_NOPS): between pointers, or integers of one size. */
    private static boolean isNop(Expr.Cast c) {
        CType a = c.from;
        CType b = c.type;
        return (a.isPointer() || a.isInteger()) && (b.isPointer() || b.isInteger()) && a.size == b.size;
    }

    /** A conversion the gimplifier drops ({@code useless_type_conversion_p}): pointer to pointer, same integer type. */
    private static boolean isUseless(Expr.Cast c) {
        CType a = c.from;
        CType b = c.type;
        return a.isPointer() && b.isPointer() || a.isInteger() && b.isInteger() && a.size == b.size
                && a.isUnsigned() == b.isUnsigned() || b.isVoid();
    }

    private static Expr stripNops(Expr e) {
        while (e instanceof Expr.Cast c && isNop(c)) {
            e = c.e;
        }
        return e;
    }

    private static boolean isConstant(Expr e) {
        Expr s = stripNops(e);
        return e.constant() != null || s instanceof Expr.Str || s instanceof Expr.FuncRef
                || s instanceof Expr.Decay d && invariant(d.e) || s instanceof Expr.AddrOf a && invariant(a.e);
    }

    /** fold's tree_swap_operands_p for the C front end's trees: constants last, then variables last. */
    private static boolean swaps(Expr a, Expr b) {
        if (isConstant(b)) {
            return false;
        }
        if (isConstant(a)) {
            return true;
        }
        Expr x = stripNops(a);
        Expr y = stripNops(b);
        if (isDecl(y)) {
            return false;
        }
        return isDecl(x);
    }

    /** An address known without computing: a variable's, a literal's, a constant offset into one. */
    private static boolean invariant(Expr lv) {
        if (lv instanceof Expr.Local l) {
            return l.var.vlaPointer == null;
        }
        if (lv instanceof Expr.Global || lv instanceof Expr.Str || lv instanceof Expr.FuncRef) {
            return true;
        }
        if (lv instanceof Expr.Member m) {
            return m.base.isLvalue() && invariant(m.base);
        }
        return lv instanceof Expr.Deref d && d.p instanceof Expr.PtrAdd p && arrayBase(p) != null
                && p.i.constant() != null && invariant(arrayBase(p));
    }

    /** {@code a[i]} of an array object (gcc's ARRAY_REF): the array, else null (a pointer's {@code p[i]}). */
    private static Expr arrayBase(Expr.PtrAdd p) {
        if (!p.sub && p.p instanceof Expr.Decay d && d.e.type.k == CType.K.ARRAY && d.e.isLvalue()) {
            return d.e;
        }
        return null;
    }

    private static boolean isFloating(Expr e) {
        return e.type != null && e.type.isFloating();
    }

    /** Evaluates {@code e}; the temporaries (0 or 1) now holding its value, the newest of {@link #temps}. */
    private int val(Expr e) {
        if (folded(e)) {
            return 0;
        }
        if (e.type != null && e.type.k == CType.K.LDOUBLE || e instanceof Expr.Cast k && k.from.k == CType.K.LDOUBLE) {
            longDouble = true;
        }
        int t = value(e);
        if (t > 0 && isFloating(e)) { // in an xmm register: no callee-saved one, not a register push
            pop(t);
            temps.add((int) e.type.size);
        }
        return t;
    }

    private int value(Expr e) {
        if (e instanceof Expr.Local l) {
            return isReg(l) || l.type.isRecord() || l.var.vlaPointer != null ? 0 : hold(0);
        } else if (e instanceof Expr.Global g) {
            return g.type.isRecord() ? 0 : hold(0);
        } else if (e instanceof Expr.Decay d) {
            return addressOf(d.e);
        } else if (e instanceof Expr.AddrOf a) {
            return addressOf(a.e);
        } else if (e instanceof Expr.Deref || e instanceof Expr.Member || e instanceof Expr.BitField) {
            return load(e);
        } else if (e instanceof Expr.VlaSize || e instanceof Variadic.Arg) {
            return hold(0);
        } else if (e instanceof Expr.Cast c) {
            int inner = val(c.e);
            if (c.type.isVoid()) {
                pop(inner);
                return 0;
            }
            return isUseless(c) ? inner : hold(inner);
        } else if (e instanceof Expr.Comma c) {
            drop(c.a);
            return val(c.b);
        } else if (e instanceof Expr.Cond c) {
            drop(c.c);
            branch(() -> drop(c.a));
            branch(() -> drop(c.b));
            return c.type.isVoid() ? 0 : hold(0);
        } else if (e instanceof Expr.Logical l) {
            drop(l.a);
            branch(() -> drop(l.b));
            return hold(0);
        } else if (e instanceof Expr.Not n) {
            return hold(val(n.e));
        } else if (e instanceof Expr.Neg n) {
            return hold(val(n.e));
        } else if (e instanceof Expr.Binary b) {
            if (b.op == Ops.ADD && b.a instanceof Expr.Neg n && n.op == '-' && !b.type.isFloating()) {
                return operands(b.b, n.e, false); // fold: -a + b is b - a
            }
            return operands(b.a, b.b, b.op == Ops.ADD || b.op == Ops.MUL || b.op == Ops.AND || b.op == Ops.OR
                    || b.op == Ops.XOR);
        } else if (e instanceof Expr.Compare c) {
            return operands(c.a, c.b, true);
        } else if (e instanceof Expr.PtrAdd p) {
            int tp = val(p.p);
            int ti = val(p.i);
            if (p.i.constant() != null && isConstant(p.p)) {
                pop(tp + ti);
                return 0;
            }
            return hold(tp + ti);
        } else if (e instanceof Expr.PtrDiff p) {
            int ta = val(p.a);
            return hold(ta + val(p.b));
        } else if (e instanceof Expr.Assign a) {
            return assign(a);
        } else if (e instanceof Expr.CompoundAssign a) {
            int tv = val(a.v);
            int la = isReg(a.lv) ? 0 : addr(a.lv);
            pop(tv + la);
            return 0;
        } else if (e instanceof Expr.IncDec i) {
            return hold(isReg(i.lv) ? 0 : addr(i.lv));
        } else if (e instanceof Expr.Call c) {
            return call(c, null);
        } else if (e instanceof Expr.StmtExpr s) {
            stmtInside(s.body);
            return s.last == null ? 0 : val(s.last);
        } else if (e instanceof Expr.Temp t) {
            init(t.var.init);
            return 0;
        }
        return 0; // literals, functions, a variable-length array's address, builtins without calls
    }

    /** A statement inside an expression ({@code ({ … })}): the temporaries live around it stay live. */
    private void stmtInside(Stmt s) {
        java.util.List<Integer> outer = new java.util.ArrayList<>(temps);
        if (s instanceof Stmt.Block b) {
            for (Stmt x : b.body) {
                restore(outer);
                if (x instanceof Stmt.ExprStmt es) {
                    drop(es.e);
                } else if (x instanceof Stmt.InitLocal i) {
                    init(i.var.init);
                } else {
                    stmt(x);
                }
            }
        }
        restore(outer);
    }

    private void restore(java.util.List<Integer> outer) {
        temps.clear();
        temps.addAll(outer);
    }

    private int operands(Expr a, Expr b, boolean commutative) {
        if (commutative && swaps(a, b)) {
            Expr x = a;
            a = b;
            b = x;
        }
        int ta = val(a);
        int tb = val(b);
        return hold(ta + tb);
    }

    /** A load from memory: its address computed first, then the value in a temporary. */
    private int load(Expr lv) {
        if (lv.type.isRecord() || lv.type.k == CType.K.ARRAY) {
            int t = addr(lv);
            pop(t);
            return 0;
        }
        return hold(addr(lv));
    }

    /** Computes an lvalue's address as a memory reference: the temporaries it holds. */
    private int addr(Expr lv) {
        if (lv instanceof Expr.Temp t) {
            init(t.var.init);
            return 0;
        }
        if (lv instanceof Expr.Deref d) {
            if (d.p instanceof Expr.PtrAdd p && arrayBase(p) != null) {
                int ta = addr(arrayBase(p));
                int ti = isReg(p.i) ? 0 : val(p.i);
                return ta + ti;
            }
            return val(d.p);
        }
        if (lv instanceof Expr.Member m) {
            return m.base.isLvalue() ? addr(m.base) : val(m.base);
        }
        if (lv instanceof Expr.BitField b) {
            return b.base.isLvalue() ? addr(b.base) : val(b.base);
        }
        if (lv instanceof Expr.Local || lv instanceof Expr.Global || lv instanceof Expr.Str || lv instanceof Expr.VlaLocal) {
            return 0;
        }
        return val(lv);
    }

    /** {@code &lv} (or an array decaying): free for an invariant address, else computed into a temporary. */
    private int addressOf(Expr lv) {
        if (invariant(lv)) {
            return 0;
        }
        if (lv instanceof Expr.Deref d) {
            return val(d.p);
        }
        if (lv instanceof Expr.VlaLocal) {
            return 0;
        }
        return hold(addr(lv));
    }

    private int assign(Expr.Assign a) {
        if (isReg(a.lv)) {
            int t = val(a.v);
            pop(t);
            return 0;
        }
        Expr v = a.v;
        while (v instanceof Expr.Cast c && isUseless(c)) {
            v = c.e;
        }
        if (v instanceof Expr.Call c && !isFloating(c)) {
            // a bare call on the right: its arguments, then the left side's address, then the call
            int la = call(c, a);
            pop(la);
            return 0;
        }
        int tv = val(a.v);
        int la = addr(a.lv);
        pop(tv + la);
        return 0;
    }

    /**
     * A call: the function's address when it is not a known function, the arguments last to first,
     * then the call, across which every temporary still live needs a callee-saved register. For an
     * assignment's bare call ({@code left} not null) the left side's address is computed before the
     * call: the temporaries it holds are returned, and the call's own value is not.
     */
    private int call(Expr.Call c, Expr.Assign left) {
        int held = 0;
        boolean known = c.direct != null && (c.direct.builtin != null || c.direct.body != null);
        if (!known) {
            held += val(c.fn);
        }
        // the first floating-point argument (passed in xmm0) gcc computes in an integer register: held
        // across a call made for a later argument, it is in a callee-saved one
        int xmm0 = -1;
        for (int i = 0; i < c.args.length && xmm0 < 0; i++) {
            CType t = c.args[i].type;
            if (t != null && (t.k == CType.K.FLOAT || t.k == CType.K.DOUBLE)) {
                xmm0 = i;
            }
        }
        for (int i = c.args.length - 1; i >= 0; i--) {
            int t = val(c.args[i]);
            if (i == xmm0 && t > 0) {
                temps.set(temps.size() - 1, 0);
            }
            held += t;
        }
        int la = left != null ? addr(left.lv) : 0;
        // at the call, the arguments that are register variables are loaded too, next to the temporaries
        int loaded = 0;
        for (Expr arg : c.args) {
            if (isReg(arg) || arg instanceof Expr.Cast k && isUseless(k) && isReg(k.e)) {
                loaded++;
            }
        }
        pressure = Math.max(pressure, live() + loaded);
        pop(held);
        if (absolute(c)) {
            return left != null ? la : hold(0); // gcc folds abs to an ABS_EXPR: a computed value, no call
        }
        if (inlined(c)) {
            if (c.direct.name.equals("strcpy")) {
                for (long k : strcpyConstants(literal(stripped(c.args[1])).bytes)) {
                    useConstant(k);
                }
            }
            return left != null ? la : 0; // strlen of a literal is a constant; memcpy/strcpy give their destination
        }
        int live = live();
        max = Math.max(max, live);
        calls.add(new int[] {seq++, live});
        floatsAcross.add(temps.stream().filter(t -> t != 0).mapToInt(Integer::intValue).toArray());
        callees.add(c.direct != null && c.direct.body != null ? c.direct : null);
        callsProgram |= c.direct == null || c.direct.body != null;
        if (left != null) {
            return la;
        }
        return hold(0);
    }

    /** Code that runs only on some paths (a branch, a loop's body): the constants it first uses are not available after it. */
    private void branch(Runnable r) {
        scopes.push(new java.util.ArrayList<>());
        r.run();
        for (long k : scopes.pop()) {
            constants.remove(k);
        }
    }

    private void useConstant(long k) {
        int[] span = constants.get(k);
        if (span == null) {
            constants.put(k, new int[] {seq, seq});
            scopes.peek().add(k);
        } else {
            span[1] = seq;
        }
        seq++;
    }

    /**
     * The 8-byte immediates gcc -O0 stores an inlined {@code strcpy} of a literal with ({@code bytes}
     * and the NUL): one for each whole 8 bytes, and one overlapping the end when 5-7 bytes are left
     * (1-4 left are stored with 1-, 2- and 4-byte immediates, which take no register).
     */
    static long[] strcpyConstants(byte[] text) {
        byte[] b = java.util.Arrays.copyOf(text, text.length + 1);
        int n = b.length;
        java.util.List<Long> out = new java.util.ArrayList<>();
        int at = 0;
        for (; at + 8 <= n; at += 8) {
            out.add(word(b, at));
        }
        int left = n - at;
        if (left >= 5 && n >= 8) {
            out.add(word(b, n - 8));
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static long word(byte[] b, int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (b[at + i] & 0xff);
        }
        return v;
    }

    private static Expr stripped(Expr e) {
        while (e instanceof Expr.Cast k) {
            e = k.e;
        }
        return e;
    }

    /** A value gcc folds to a constant: a constant expression, {@code strlen} of a literal (or strspn … of literals), converted. */
    private static boolean folded(Expr e) {
        while (e instanceof Expr.Cast c && !c.type.isVoid()) {
            if (e.constant() != null) {
                return true;
            }
            e = c.e;
        }
        return e.constant() != null || e instanceof Expr.Call c && c.direct != null && c.direct.body == null
                && switch (c.direct.name) {
                    case "strlen", "strspn", "strcspn", "strpbrk" -> inlined(c);
                    default -> false;
                };
    }

    /** Calls gcc -O0 expands inline ({@link Builtins#expandedInline}; abs is {@link #absolute}): no call instruction. */
    private static boolean inlined(Expr.Call c) {
        return c.direct != null && c.direct.body == null && !absolute(c) && Builtins.expandedInline(c.direct.name, c.args);
    }

    /**
     * {@code abs}, {@code labs}, {@code llabs}, and the functions {@code isdigit}, {@code isascii} and
     * {@code toascii} (not the header's macros): computed in place, even at -O0.
     */
    private static boolean absolute(Expr.Call c) {
        return c.direct != null && c.direct.body == null && c.args.length == 1
                && switch (c.direct.name) {
                    case "abs", "labs", "llabs", "isdigit", "isascii", "toascii" -> true;
                    default -> false;
                };
    }

    private static Expr.Str literal(Expr e) {
        return e instanceof Expr.Decay d && d.e instanceof Expr.Str s ? s : null;
    }
}
