package io.mallocscope.c;

import java.util.ArrayList;
import java.util.List;

/** A C type on x86_64 Linux (LP64), with gcc's sizes and alignments. */
final class CType {
    enum K { VOID, BOOL, CHAR, UCHAR, SHORT, USHORT, INT, UINT, LONG, ULONG, FLOAT, DOUBLE, LDOUBLE, PTR, ARRAY, FUNC, STRUCT, UNION }

    /**
     * A member at {@code offset}; a bit-field also has its {@code width} in bits (-1 for other
     * members) and its first bit {@code bit} counted from {@code offset}'s byte, lowest first.
     */
    record Field(String name, CType type, long offset, int width, int bit) {
        Field(String name, CType type, long offset) {
            this(name, type, offset, -1, 0);
        }

        boolean isBitField() {
            return width >= 0;
        }
    }

    final K k;
    long size;
    int align;
    /** Pointed-to type (PTR), element type (ARRAY), return type (FUNC). */
    CType base;
    /** Elements of an array; -1 while incomplete. */
    long len;
    List<CType> params;
    List<String> paramNames;
    boolean variadic;
    boolean prototyped = true;
    List<Field> fields;
    boolean complete = true;
    /** A variable-length array's length, evaluated when its declaration runs (null: not one). */
    Expr vlaLength;
    String tag;
    /** "long long" and "long" are the same size; keep the spelling for diagnostics. */
    String spelling;
    /** An enum type (an int or unsigned int in memory). */
    boolean isEnum;

    private CType(K k, long size, int align, String spelling) {
        this.k = k;
        this.size = size;
        this.align = align;
        this.spelling = spelling;
    }

    static final CType VOID = new CType(K.VOID, 1, 1, "void");
    static final CType BOOL = new CType(K.BOOL, 1, 1, "_Bool");
    static final CType CHAR = new CType(K.CHAR, 1, 1, "char");
    static final CType SCHAR = new CType(K.CHAR, 1, 1, "signed char");
    static final CType UCHAR = new CType(K.UCHAR, 1, 1, "unsigned char");
    static final CType SHORT = new CType(K.SHORT, 2, 2, "short int");
    static final CType USHORT = new CType(K.USHORT, 2, 2, "short unsigned int");
    static final CType INT = new CType(K.INT, 4, 4, "int");
    static final CType UINT = new CType(K.UINT, 4, 4, "unsigned int");
    static final CType LONG = new CType(K.LONG, 8, 8, "long int");
    static final CType ULONG = new CType(K.ULONG, 8, 8, "long unsigned int");
    static final CType LLONG = new CType(K.LONG, 8, 8, "long long int");
    static final CType ULLONG = new CType(K.ULONG, 8, 8, "long long unsigned int");
    static final CType FLOAT = new CType(K.FLOAT, 4, 4, "float");
    static final CType DOUBLE = new CType(K.DOUBLE, 8, 8, "double");
    static final CType LDOUBLE = new CType(K.LDOUBLE, 16, 16, "long double");

    static CType ptr(CType to) {
        CType t = new CType(K.PTR, 8, 8, null);
        t.base = to;
        return t;
    }

    static CType array(CType of, long len) {
        CType t = new CType(K.ARRAY, len < 0 ? 0 : of.size * len, of.align, null);
        t.base = of;
        t.len = len;
        t.complete = len >= 0;
        return t;
    }

    static CType func(CType ret, List<CType> params, List<String> names, boolean variadic) {
        CType t = new CType(K.FUNC, 1, 1, null);
        t.base = ret;
        t.params = params;
        t.paramNames = names;
        t.variadic = variadic;
        return t;
    }

    static CType record(boolean union, String tag) {
        CType t = new CType(union ? K.UNION : K.STRUCT, 0, 1, null);
        t.tag = tag;
        t.complete = false;
        t.fields = new ArrayList<>();
        return t;
    }

    static CType enumType(boolean unsigned) {
        CType t = new CType(unsigned ? K.UINT : K.INT, 4, 4, null);
        t.isEnum = true;
        return t;
    }

    /** A copy with another alignment ({@code __attribute__((aligned(N)))} on a typedef). */
    CType withAlign(int a) {
        CType t = new CType(k, size, a, spelling);
        t.base = base;
        t.len = len;
        t.params = params;
        t.paramNames = paramNames;
        t.variadic = variadic;
        t.fields = fields;
        t.complete = complete;
        t.tag = tag;
        t.isEnum = isEnum;
        return t;
    }

    boolean isInteger() {
        return k.ordinal() >= K.BOOL.ordinal() && k.ordinal() <= K.ULONG.ordinal();
    }

    boolean isFloating() {
        return k == K.FLOAT || k == K.DOUBLE || k == K.LDOUBLE;
    }

    boolean isArithmetic() {
        return isInteger() || isFloating();
    }

    boolean isPointer() {
        return k == K.PTR;
    }

    boolean isScalar() {
        return isArithmetic() || isPointer();
    }

    boolean isRecord() {
        return k == K.STRUCT || k == K.UNION;
    }

    boolean isVoid() {
        return k == K.VOID;
    }

    boolean isUnsigned() {
        return k == K.BOOL || k == K.UCHAR || k == K.USHORT || k == K.UINT || k == K.ULONG || k == K.PTR;
    }

    /** Integer conversion rank, for the usual arithmetic conversions. */
    int rank() {
        return switch (k) {
            case BOOL -> 0;
            case CHAR, UCHAR -> 1;
            case SHORT, USHORT -> 2;
            case INT, UINT -> 3;
            default -> 4;
        };
    }

    Field field(String name) {
        for (Field f : fields) {
            if (f.name != null && f.name.equals(name)) {
                return f;
            }
        }
        for (Field f : fields) {
            if (f.name == null && f.type.isRecord()) { // anonymous struct/union member
                Field inner = f.type.field(name);
                if (inner != null) {
                    return new Field(name, inner.type, f.offset + inner.offset, inner.width, inner.bit);
                }
            }
        }
        return null;
    }

    /** Lays out a struct or union as gcc does: each member at its alignment, size rounded to the largest. */
    void layout(List<Field> members, int forcedAlign, boolean packed) {
        layout(members, forcedAlign, packed, new java.util.HashSet<>());
    }

    /**
     * {@code explicit}: members with an aligned attribute, which keep their alignment in a packed struct.
     * Bit-fields as gcc lays them out on x86-64 (the SysV ABI): each goes at the next free bit unless it
     * would cross a boundary of its declared type's size, then at that boundary; a zero-width one moves
     * to the next such boundary; named bit-fields count their type's alignment for the struct's, unnamed
     * ones do not; packed structs put them at the next bit, boundaries ignored.
     */
    void layout(List<Field> members, int forcedAlign, boolean packed, java.util.Set<Integer> explicit) {
        long bits = 0; // next free bit (structs)
        long size = 0;
        int maxAlign = 1;
        List<Field> out = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            Field m = members.get(i);
            int a = packed && !explicit.contains(i) ? 1 : m.type.align;
            if (m.isBitField()) {
                long unit = m.type.size * 8;
                if (m.name != null) {
                    maxAlign = Math.max(maxAlign, a);
                }
                if (k == K.UNION) {
                    out.add(new Field(m.name, m.type, 0, m.width, 0));
                    size = Math.max(size, (m.width + 7) / 8);
                    continue;
                }
                if (m.width == 0) {
                    bits = (bits + unit - 1) / unit * unit;
                } else if (!packed && bits / unit != (bits + m.width - 1) / unit) {
                    bits = (bits + unit - 1) / unit * unit;
                }
                if (m.width > 0) {
                    out.add(new Field(m.name, m.type, bits / 8, m.width, (int) (bits % 8)));
                }
                bits += m.width;
                size = (bits + 7) / 8;
                continue;
            }
            maxAlign = Math.max(maxAlign, a);
            if (k == K.UNION) {
                out.add(new Field(m.name, m.type, 0));
                size = Math.max(size, m.type.size);
            } else {
                long off = ((bits + 7) / 8 + a - 1) / a * a;
                out.add(new Field(m.name, m.type, off));
                bits = (off + m.type.size) * 8;
                size = off + m.type.size;
            }
        }
        maxAlign = Math.max(maxAlign, forcedAlign);
        this.fields = out;
        this.align = maxAlign;
        this.size = (size + maxAlign - 1) / maxAlign * maxAlign;
        this.complete = true;
    }

    /** How gcc names the type in diagnostics ("int *", "struct s"). */
    @Override
    public String toString() {
        return switch (k) {
            case PTR -> base.k == K.FUNC ? base.base + " (*)(" + paramList(base) + ")" : base + (base.k == K.PTR ? "*" : " *");
            case ARRAY -> base + "[" + (len >= 0 ? len : "") + "]";
            case FUNC -> base + " (" + paramList(this) + ")";
            case STRUCT -> "struct " + (tag == null ? "<anonymous>" : tag);
            case UNION -> "union " + (tag == null ? "<anonymous>" : tag);
            default -> isEnum ? "enum" + (tag == null ? " <anonymous>" : " " + tag) : spelling;
        };
    }

    private static String paramList(CType f) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < f.params.size(); i++) {
            sb.append(i > 0 ? ", " : "").append(f.params.get(i));
        }
        if (f.variadic) {
            sb.append(f.params.isEmpty() ? "..." : ", ...");
        }
        if (f.params.isEmpty() && !f.variadic) {
            sb.append(f.prototyped ? "void" : "");
        }
        return sb.toString();
    }
}
