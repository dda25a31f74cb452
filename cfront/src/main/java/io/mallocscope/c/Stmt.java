package io.mallocscope.c;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A C statement; {@link #exec} tells the enclosing statement how it ended. */
abstract class Stmt {
    static final int NEXT = 0, BREAK = 1, CONTINUE = 2, RETURN = 3, GOTO = 4;

    Tok at;

    abstract int exec(Frame f);

    static final class ExprStmt extends Stmt {
        final Expr e;

        ExprStmt(Expr e) {
            this.e = e;
            this.at = e.at;
        }

        @Override
        int exec(Frame f) {
            e.eval(f);
            return NEXT;
        }
    }

    /** A local's initialization where it is declared. */
    static final class InitLocal extends Stmt {
        final Var var;

        InitLocal(Var var) {
            this.var = var;
            this.at = var.at;
        }

        @Override
        int exec(Frame f) {
            var.init.apply(f, f.rbp + var.offset, var.type.size, var.addressTaken || !var.type.isScalar());
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
            Stmt[] b = body;
            for (int i = from; i < b.length; i++) {
                int r = b[i].exec(f);
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
            if (Expr.truth(c.eval(f), c.type)) {
                return a.exec(f);
            }
            return b == null ? NEXT : b.exec(f);
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

        @Override
        int exec(Frame f) {
            if (init != null) {
                init.exec(f);
            }
            boolean first = doWhile;
            while (true) {
                if (!first && cond != null && !Expr.truth(cond.eval(f), cond.type)) {
                    return NEXT;
                }
                first = false;
                int r = body.exec(f);
                if (r == BREAK) {
                    return NEXT;
                }
                if (r == RETURN || r == GOTO) {
                    return r;
                }
                if (step != null) {
                    step.eval(f);
                }
            }
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
            long v = c.eval(f);
            Integer i = body.cases.get(v);
            int from = i != null ? i : body.defaultIndex;
            if (from < 0) {
                return NEXT;
            }
            int r = body.run(f, from);
            return r == BREAK ? NEXT : r;
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
                f.ret = e.eval(f);
                if (e.type.isRecord()) { // the value leaves in registers or through the hidden pointer
                    f.retBytes = f.m.libc.readBytes(f.ret, (int) e.type.size);
                }
            }
            return RETURN;
        }
    }

    static final class Empty extends Stmt {
        @Override
        int exec(Frame f) {
            return NEXT;
        }
    }
}
