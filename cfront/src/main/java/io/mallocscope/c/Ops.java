package io.mallocscope.c;

import io.mallocscope.runtime.signal.FloatingPointException;

/** C's arithmetic on longs holding values of a given type. */
final class Ops {
    private Ops() {
    }

    static final int ADD = 1, SUB = 2, MUL = 3, DIV = 4, MOD = 5, AND = 6, OR = 7, XOR = 8, SHL = 9, SHR = 10;
    static final int EQ = 11, NE = 12, LT = 13, GT = 14, LE = 15, GE = 16;

    static int code(String op) {
        return switch (op) {
            case "+", "+=" -> ADD;
            case "-", "-=" -> SUB;
            case "*", "*=" -> MUL;
            case "/", "/=" -> DIV;
            case "%", "%=" -> MOD;
            case "&", "&=" -> AND;
            case "|", "|=" -> OR;
            case "^", "^=" -> XOR;
            case "<<", "<<=" -> SHL;
            case ">>", ">>=" -> SHR;
            case "==" -> EQ;
            case "!=" -> NE;
            case "<" -> LT;
            case ">" -> GT;
            case "<=" -> LE;
            case ">=" -> GE;
            default -> 0;
        };
    }

    static long arith(int op, CType t, long x, long y, Tok at) {
        if (t.isFloating()) {
            double a = Double.longBitsToDouble(x);
            double b = Double.longBitsToDouble(y);
            double r = switch (op) {
                case ADD -> a + b;
                case SUB -> a - b;
                case MUL -> a * b;
                case DIV -> a / b;
                default -> throw new IllegalStateException("operator on floating type");
            };
            if (t.k == CType.K.FLOAT) {
                r = (float) r;
            }
            return Double.doubleToRawLongBits(r);
        }
        boolean unsigned = t.isUnsigned();
        boolean wide = t.size == 8;
        long r = switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV, MOD -> {
                if (y == 0 || (!unsigned && y == -1 && x == (wide ? Long.MIN_VALUE : Integer.MIN_VALUE))) {
                    throw new FloatingPointException("SIGFPE: integer division by zero or overflow at "
                            + at.file.name() + ":" + at.line);
                }
                if (unsigned && wide) {
                    yield op == DIV ? Long.divideUnsigned(x, y) : Long.remainderUnsigned(x, y);
                }
                yield op == DIV ? x / y : x % y;
            }
            case AND -> x & y;
            case OR -> x | y;
            case XOR -> x ^ y;
            case SHL -> x << (y & (wide ? 63 : 31));
            case SHR -> {
                int s = (int) (y & (wide ? 63 : 31));
                yield unsigned ? x >>> s : x >> s;
            }
            default -> throw new IllegalStateException("operator " + op);
        };
        return Expr.narrow(r, t);
    }

    static boolean compare(int op, CType t, long x, long y) {
        int c;
        if (t.isFloating()) {
            double a = Double.longBitsToDouble(x);
            double b = Double.longBitsToDouble(y);
            return switch (op) {
                case EQ -> a == b;
                case NE -> a != b;
                case LT -> a < b;
                case GT -> a > b;
                case LE -> a <= b;
                default -> a >= b;
            };
        }
        c = t.isUnsigned() ? Long.compareUnsigned(x, y) : Long.compare(x, y);
        return switch (op) {
            case EQ -> c == 0;
            case NE -> c != 0;
            case LT -> c < 0;
            case GT -> c > 0;
            case LE -> c <= 0;
            default -> c >= 0;
        };
    }
}
