package io.mallocscope.c;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A C statement; {@link #exec} tells the enclosing statement how it ended. */
abstract class Stmt {
    static final int NEXT = 0, BREAK = 1, CONTINUE = 2, RETURN = 3, GOTO = 4;

    Tok at;

    abstract int exec(Frame f);

    /**
     * Re-enters this statement where a {@code fork()} inside it left it ({@link ForkPoint}) and
     * finishes it, ending as {@link #exec} would.
     */
    int resume(Frame f, ForkPoint k) {
        throw ForkPoint.unsupported(at);
    }

    static final class ExprStmt extends Stmt {
        final Expr e;

        ExprStmt(Expr e) {
            Builtins.valueUnused(e);
            this.e = e;
            this.at = e.at;
        }

        @Override
        int exec(Frame f) {
            e.eval(f);
            return NEXT;
        }

        @Override
        int resume(Frame f, ForkPoint k) {
            e.resume(f, k);
            return NEXT;
        }
    }

    /** A local's initialization where it is declared. */
    static final class InitLocal extends Stmt {
        final Var var;

        InitLocal(Var var) {
            this.var = var;
            this.at = var.at;
            this.site = Expr.siteOf(var.at);
        }

        /** Where the recorded stores of the initialization are made ({@code prog.c:LINE}). */
        private final String site;

        @Override
        int exec(Frame f) {
            boolean recorded = var.addressTaken || !var.type.isScalar();
            if (recorded) {
                Expr.atSite(f, site);
            }
            var.init.apply(f, f.rbp + var.offset, var.type.size, recorded);
            return NEXT;
        }

        @Override
        int resume(Frame f, ForkPoint k) {
            var.init.resume(f, f.rbp + var.offset, var.type.size, var.addressTaken || !var.type.isScalar(), k);
            return NEXT;
        }
    }

    static final class Block extends Stmt {
        final Stmt[] body;
        final Map<String, Integer> labels = new HashMap<>();
        final Map<Long, Integer> cases = new HashMap<>();
        int defaultIndex = -1;

        Block(List<Stmt> body, Tok at) {
            this.body = body.toArray(new Stmt[0]);
            this.at = at;
        }

        @Override
        int exec(Frame f) {
            return run(f, 0);
        }

        int run(Frame f, int from) {
            return run(f, from, null);
        }

        @Override
        int resume(Frame f, ForkPoint k) {
            return run(f, k.pop(this).phase(), k);
        }

        /** Runs from statement {@code from}, re-entering it first when {@code k} is not null. */
        private int run(Frame f, int from, ForkPoint k) {
            Stmt[] b = body;
            for (int i = from; i < b.length; i++) {
                int r;
                try {
                    r = k != null ? b[i].resume(f, k) : b[i].exec(f);
                } catch (ForkPoint p) {
                    throw p.save(this, i);
                }
                k = null;
                if (r != NEXT) {
                    if (r == GOTO) {
                        Integer target = labels.get(f.label);
                        if (target != null) {
                            i = target - 1;
                            continue;
                        }
                    }
                    return r;
                }
            }
            return NEXT;
        }
    }

    static final class Label extends Stmt {
        final String name;

        Label(String name, Tok at) {
            this.name = name;
            this.at = at;
        }

        @Override
        int exec(Frame f) {
            return NEXT;
        }
    }

    static final class If extends Stmt {
        final Expr c;
        final Stmt a;
        final Stmt b;

        If(Expr c, Stmt a, Stmt b, Tok at) {
            this.c = c;
            this.a = a;
            this.b = b;
            this.at = at;
        }

        @Override
        int exec(Frame f) {
            boolean t;
            try {
                t = Expr.test(f, c);
            } catch (ForkPoint k) {
                throw k.save(this, 0);
            }
            return branch(f, t, null);
        }

        private int branch(Frame f, boolean t, ForkPoint k) {
            Stmt s = t ? a : b;
            if (s == null) {
                return NEXT;
            }
            try {
                return k != null ? s.resume(f, k) : s.exec(f);
            } catch (ForkPoint p) {
                throw p.save(this, t ? 1 : 2);
            }
        }

        @Override
        int resume(Frame f, ForkPoint k) {
            int phase = k.pop(this).phase();
            if (phase != 0) {
                return branch(f, phase == 1, k);
            }
            boolean t;
            try {
                t = Expr.truth(c.resume(f, k), c.type);
            } catch (ForkPoint p) {
                throw p.save(this, 0);
            }
            return branch(f, t, null);
        }
    }

    /** while, for and do-while: {@code init; while (cond) { body; step; }}. */
    static final class Loop extends Stmt {
        final Stmt init;
        final Expr cond;
        final Expr step;
        final Stmt body;
        final boolean doWhile;

        Loop(Stmt init, Expr cond, Expr step, Stmt body, boolean doWhile, Tok at) {
            this.init = init;
            this.cond = cond;
            this.step = step;
            this.body = body;
            this.doWhile = doWhile;
            this.at = at;
        }

        /** Where a fork() left a loop ({@link ForkPoint}). */
        private static final int IN_INIT = 0, IN_COND = 1, IN_BODY = 2, IN_STEP = 3;

        @Override
        int exec(Frame f) {
            if (init != null) {
                try {
                    init.exec(f);
                } catch (ForkPoint k) {
                    throw k.save(this, IN_INIT);
                }
            }
            return iterate(f, doWhile);
        }

        private int iterate(Frame f, boolean first) {
            while (true) {
                if (!first && cond != null) {
                    boolean t;
                    try {
                        t = Expr.test(f, cond);
                    } catch (ForkPoint k) {
                        throw k.save(this, IN_COND);
                    }
                    if (!t) {
                        return NEXT;
                    }
                }
                first = false;
                int r;
                try {
                    r = body.exec(f);
                } catch (ForkPoint k) {
                    throw k.save(this, IN_BODY);
                }
                if (r == BREAK) {
                    return NEXT;
                }
                if (r == RETURN || r == GOTO) {
                    return r;
                }
                if (step != null) {
                    try {
                        step.eval(f);
                    } catch (ForkPoint k) {
                        throw k.save(this, IN_STEP);
                    }
                }
            }
        }

        @Override
        int resume(Frame f, ForkPoint k) {
            int phase = k.pop(this).phase();
            int r;
            switch (phase) {
                case IN_INIT -> {
                    try {
                        init.resume(f, k);
                    } catch (ForkPoint p) {
                        throw p.save(this, IN_INIT);
                    }
                    return iterate(f, doWhile);
                }
                case IN_COND -> {
                    boolean t;
                    try {
                        t = Expr.truth(cond.resume(f, k), cond.type);
                    } catch (ForkPoint p) {
                        throw p.save(this, IN_COND);
                    }
                    if (!t) {
                        return NEXT;
                    }
                    try {
                        r = body.exec(f);
                    } catch (ForkPoint p) {
                        throw p.save(this, IN_BODY);
                    }
                }
                case IN_BODY -> {
                    try {
                        r = body.resume(f, k);
                    } catch (ForkPoint p) {
                        throw p.save(this, IN_BODY);
                    }
                }
                default -> {
                    try {
                        step.resume(f, k);
                    } catch (ForkPoint p) {
                        throw p.save(this, IN_STEP);
                    }
                    return iterate(f, false);
                }
            }
            if (r == BREAK) {
                return NEXT;
            }
            if (r == RETURN || r == GOTO) {
                return r;
            }
            if (step != null) {
                try {
                    step.eval(f);
                } catch (ForkPoint p) {
                    throw p.save(this, IN_STEP);
                }
            }
            return iterate(f, false);
        }
    }

    static final class Switch extends Stmt {
        final Expr c;
        final Block body;

        Switch(Expr c, Block body, Tok at) {
            this.c = c;
            this.body = body;
            this.at = at;
        }

        @Override
        int exec(Frame f) {
            long v;
            try {
                v = f.memcheck ? decided(f) : c.eval(f);
            } catch (ForkPoint k) {
                throw k.save(this, 0);
            }
            return select(f, v);
        }

        /**
         * Under memcheck: the value switched on, reported if undefined as gcc -O0's code for the switch
         * uses it. One jump table of all the cases: the bounds check's jump, then, for a value within
         * it, the table's load at an address made from the value. A few cases gcc compares one by one
         * ({@link SwitchTree}): each compare's jump on the way to the value's case. Otherwise one jump.
         */
        private long decided(Frame f) {
            boolean before = f.undefined;
            f.undefined = false;
            long v = c.eval(f);
            if (f.undefined) {
                f.site = c.storeSite();
                long[] table = jumpTable();
                SwitchTree tree = table == null ? tree() : null;
                if (tree != null) {
                    for (Object jump : tree.jumps(v)) {
                        f.m.mc.branchedOnUndefined(jump);
                    }
                } else {
                    f.m.mc.branchedOnUndefined(c);
                }
                if (table != null && v >= table[0] && v <= table[1]) {
                    f.m.mc.addressUndefined(this);
                }
            }
            f.undefined = before;
            return v;
        }

        /** {@link #tree}'s answer, made at its first use ({@link SwitchTree#NONE}: not one). */
        private SwitchTree tree;

        private SwitchTree tree() {
            if (tree == null) {
                tree = SwitchTree.of(body.cases);
            }
            return tree == SwitchTree.NONE ? null : tree;
        }

        /** {@link #jumpTable}'s answer, made at its first use: {min, max}, or an empty array for none. */
        private long[] table;

        /**
         * The bounds of the jump table gcc -O0 makes of all the cases, or null if it makes none of them
         * all (GCC's switch lowering: at least 5 clusters, runs of consecutive values going to one
         * statement merged into one, and a range of values at most 8 times the comparisons the clusters
         * would take, one for a value, two for a run; a switch split into several clusters is not told).
         */
        private long[] jumpTable() {
            if (table == null) {
                java.util.TreeMap<Long, Integer> sorted = new java.util.TreeMap<>(body.cases);
                int clusters = 0;
                long comparisons = 0;
                Long runStart = null;
                Long previous = null;
                int previousTarget = -1;
                for (Map.Entry<Long, Integer> e : sorted.entrySet()) {
                    boolean continues = previous != null && e.getKey() == previous + 1 && e.getValue() == previousTarget;
                    if (!continues) {
                        if (runStart != null) {
                            comparisons += runStart.equals(previous) ? 1 : 2;
                        }
                        clusters++;
                        runStart = e.getKey();
                    }
                    previous = e.getKey();
                    previousTarget = e.getValue();
                }
                if (runStart != null) {
                    comparisons += runStart.equals(previous) ? 1 : 2;
                }
                boolean one = clusters >= 5 && sorted.lastKey() - sorted.firstKey() + 1 <= 8 * comparisons;
                table = one ? new long[] {sorted.firstKey(), sorted.lastKey()} : new long[0];
            }
            return table.length == 0 ? null : table;
        }

        private int select(Frame f, long v) {
            Integer i = body.cases.get(v);
            int from = i != null ? i : body.defaultIndex;
            if (from < 0) {
                return NEXT;
            }
            int r;
            try {
                r = body.run(f, from);
            } catch (ForkPoint k) {
                throw k.save(this, 1);
            }
            return r == BREAK ? NEXT : r;
        }

        @Override
        int resume(Frame f, ForkPoint k) {
            if (k.pop(this).phase() == 1) {
                int r;
                try {
                    r = body.resume(f, k);
                } catch (ForkPoint p) {
                    throw p.save(this, 1);
                }
                return r == BREAK ? NEXT : r;
            }
            long v;
            try {
                v = c.resume(f, k);
            } catch (ForkPoint p) {
                throw p.save(this, 0);
            }
            return select(f, v);
        }
    }

    static final class Jump extends Stmt {
        final int code;
        final String label;

        Jump(int code, String label, Tok at) {
            this.code = code;
            this.label = label;
            this.at = at;
        }

        @Override
        int exec(Frame f) {
            if (label != null) {
                f.label = label;
            }
            return code;
        }
    }

    static final class Return extends Stmt {
        final Expr e;

        Return(Expr e, Tok at) {
            this.e = e;
            this.at = at;
        }

        @Override
        int exec(Frame f) {
            if (e != null) {
                if (f.memcheck) {
                    f.undefined = false;
                    returning(f, e.eval(f));
                    f.returnUndefined = f.undefined; // the caller's value is as defined as this one
                    return RETURN;
                }
                returning(f, e.eval(f));
            }
            return RETURN;
        }

        @Override
        int resume(Frame f, ForkPoint k) {
            returning(f, e.resume(f, k));
            return RETURN;
        }

        private void returning(Frame f, long v) {
            f.ret = v;
            if (e.type.isRecord()) { // the value leaves in registers or through the hidden pointer
                f.retBytes = f.m.libc.readBytes(f.ret, (int) e.type.size);
            }
        }
    }

    /**
     * A variable-length array's declaration, as gcc -O0 runs it: the length evaluated, the upper
     * bound kept in its hidden local, the stack pointer lowered by the size rounded up to 16, the
     * array at the new stack pointer (its address kept in its hidden local): calls made while it
     * lives get frames below it.
     */
    static final class VlaAlloc extends Stmt {
        final Var var;
        final Expr length;

        VlaAlloc(Var var, Expr length, Tok at) {
            this.var = var;
            this.length = length;
            this.at = at;
        }

        @Override
        int exec(Frame f) {
            allocate(f, length.eval(f));
            return NEXT;
        }

        @Override
        int resume(Frame f, ForkPoint k) {
            allocate(f, length.resume(f, k));
            return NEXT;
        }

        private void allocate(Frame f, long n) {
            n = Expr.convert(n, length.type, CType.LONG);
            long bytes = n * var.type.base.size;
            Expr.store(f.mem, CType.LONG, f.rbp + var.vlaBound.offset, n - 1);
            long at = f.m.allocateOnStack(bytes, var.type.base.align);
            Expr.store(f.mem, CType.LONG, f.rbp + var.vlaPointer.offset, at);
        }
    }

    /** A block declaring a variable-length array: the stack pointer it had is restored when it ends (gcc keeps it in rbx). */
    static final class VlaScope extends Stmt {
        final Block body;

        VlaScope(Block body) {
            this.body = body;
            this.at = body.at;
        }

        @Override
        int exec(Frame f) {
            long saved = f.m.rsp;
            int r;
            try {
                r = body.exec(f);
            } catch (ForkPoint k) {
                throw k.save(this, 0, saved);
            }
            f.m.rsp = saved;
            return r;
        }

        @Override
        int resume(Frame f, ForkPoint k) {
            long saved = k.pop(this).a();
            int r;
            try {
                r = body.resume(f, k);
            } catch (ForkPoint p) {
                throw p.save(this, 0, saved);
            }
            f.m.rsp = saved;
            return r;
        }
    }

    static final class Empty extends Stmt {
        @Override
        int exec(Frame f) {
            return NEXT;
        }
    }
}
