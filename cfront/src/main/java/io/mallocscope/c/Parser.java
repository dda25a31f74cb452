package io.mallocscope.c;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A recursive-descent parser for the C subset mallocscope runs, checking types as it goes and
 * building executable {@link Expr}/{@link Stmt} trees. The first error stops it with a gcc-style
 * {@link CompileError}.
 */
final class Parser {
    private final List<Tok> toks;
    private int pos;
    private final Program prog;

    /** Ordinary identifiers: Var, Function, CType (typedef), Long (enum constant). */
    private final Deque<Map<String, Object>> scopes = new ArrayDeque<>();
    private final Deque<Map<String, CType>> tags = new ArrayDeque<>();

    private Function fn;
    private Block block;
    private int writeSeq;
    private int declSeq;
    private int loopDepth;
    private int switchDepth;
    private Deque<Stmt.Block> switchBodies = new ArrayDeque<>();
    private Set<String> labels;
    private List<Tok> gotos;
    private int staticCounter;
    /** Source-order counter of local reads/writes, for gcc -O0's order of SSA names. */
    private int seq;
    /** Loop and branch regions [start, end) of the function being parsed, in event numbers. */
    private final List<int[]> loops = new ArrayList<>();
    private final List<int[]> branches = new ArrayList<>();

    /** Lexical block of a function, for gcc -O0's frame layout. */
    static final class Block {
        /** A variable-length array is declared in it: the stack pointer is restored when it ends. */
        boolean hasVla;
        final List<Var> vars = new ArrayList<>();
        final List<Block> children = new ArrayList<>();
    }

    final Map<Function, Block> functionBlocks = new HashMap<>();

    Parser(List<Tok> toks, Program prog) {
        this.toks = joinStrings(toks);
        this.prog = prog;
        scopes.push(new HashMap<>());
        tags.push(new HashMap<>());
    }

    private static List<Tok> joinStrings(List<Tok> in) {
        return in;
    }

    // ================================================================ tokens

    private Tok peek() {
        return toks.get(pos);
    }

    private Tok peek(int k) {
        return toks.get(Math.min(pos + k, toks.size() - 1));
    }

    /** Tokens {@code from} to {@code to} (exclusive) as written, spaced only between words. */
    private String sourceText(int from, int to) {
        StringBuilder sb = new StringBuilder();
        Tok prev = null;
        for (int i = from; i < to && i < toks.size(); i++) {
            Tok t = toks.get(i);
            if (prev != null && prev.kind != Tok.Kind.PUNCT && t.kind != Tok.Kind.PUNCT) {
                sb.append(' ');
            }
            sb.append(t.text);
            prev = t;
        }
        return sb.toString();
    }

    private Tok next() {
        Tok t = toks.get(pos);
        if (t.kind != Tok.Kind.EOF) {
            pos++;
        }
        return t;
    }

    private boolean at(String s) {
        Tok t = peek();
        return t.kind != Tok.Kind.STRING && t.kind != Tok.Kind.CHAR && t.kind != Tok.Kind.NUMBER && t.text.equals(s);
    }

    private boolean accept(String s) {
        if (at(s)) {
            pos++;
            return true;
        }
        return false;
    }

    private Tok expect(String s) {
        if (!at(s)) {
            Tok t = peek();
            throw new CompileError(t, "expected '" + s + "' before " + describe(t));
        }
        return next();
    }

    private static String describe(Tok t) {
        return switch (t.kind) {
            case EOF -> "end of input";
            case NUMBER -> "numeric constant";
            case STRING -> "string constant";
            case CHAR -> "character constant";
            default -> "'" + t.text + "'";
        };
    }

    static CompileError error(Tok t, String msg) {
        return new CompileError(t, msg);
    }

    // ================================================================ scopes

    private void push() {
        scopes.push(new HashMap<>());
        tags.push(new HashMap<>());
    }

    private void pop() {
        scopes.pop();
        tags.pop();
    }

    private Object lookup(String name) {
        for (Map<String, Object> s : scopes) {
            Object o = s.get(name);
            if (o != null) {
                return o;
            }
        }
        return null;
    }

    private CType lookupTag(String name) {
        for (Map<String, CType> s : tags) {
            CType t = s.get(name);
            if (t != null) {
                return t;
            }
        }
        return null;
    }

    private boolean isTypedef(Tok t) {
        return t.kind == Tok.Kind.IDENT && lookup(t.text) instanceof TypedefName;
    }

    private record TypedefName(CType type) {
    }

    private static final Set<String> TYPE_WORDS = Set.of("void", "char", "short", "int", "long", "signed", "unsigned",
            "_Bool", "bool", "float", "double", "struct", "union", "enum", "const", "volatile", "restrict", "__restrict",
            "__restrict__", "static", "extern", "typedef", "inline", "__inline", "__inline__", "register", "auto",
            "_Noreturn", "__attribute__", "__extension__", "_Alignas", "__const", "__volatile__", "_Thread_local",
            "__thread", "_Complex", "__int128", "typeof", "__typeof__", "_Atomic", "_Static_assert");

    private static final Set<String> KEYWORDS = Set.of("if", "else", "while", "do", "for", "switch", "case", "default",
            "break", "continue", "goto", "return", "sizeof", "_Alignof");

    private boolean startsType(Tok t) {
        return t.kind == Tok.Kind.IDENT && (TYPE_WORDS.contains(t.text) || isTypedef(t));
    }

    // ================================================================ top level

    Program parse() {
        while (peek().kind != Tok.Kind.EOF) {
            if (accept(";")) {
                continue;
            }
            topLevel();
        }
        for (Function f : prog.functions.values()) {
            if (f.body == null && f.builtin == null && f.usedAt != null) {
                throw error(f.usedAt, "undefined reference to '" + f.name + "'");
            }
        }
        Builtins.settle(prog);
        return prog;
    }

    private static final class Spec {
        CType type;
        boolean isTypedef;
        boolean isStatic;
        boolean isExtern;
        int align;
        Tok at;
    }

    private void topLevel() {
        Tok start = peek();
        if (accept("_Static_assert")) {
            staticAssert(start);
            return;
        }
        Spec spec = declSpec(true);
        if (accept(";")) {
            return;
        }
        boolean first = true;
        while (true) {
            Decl d = declarator(spec.type, false);
            d.align = Math.max(d.align, spec.align);
            attributes(d);
            if (spec.isTypedef) {
                scopes.peek().put(d.name, new TypedefName(d.align > 0 ? d.type.withAlign(d.align) : d.type));
            } else if (d.type.k == CType.K.FUNC) {
                Function f = declareFunction(d, spec);
                if (first && at("{")) {
                    functionBody(f, d);
                    return;
                }
            } else {
                globalVar(d, spec);
            }
            first = false;
            if (accept(",")) {
                continue;
            }
            expect(";");
            return;
        }
    }

    private void staticAssert(Tok start) {
        expect("(");
        Expr e = conditional();
        Long c = e.constant();
        String msg = "";
        if (accept(",")) {
            msg = new String(stringLiteral(next()), java.nio.charset.StandardCharsets.UTF_8);
        }
        expect(")");
        expect(";");
        if (c == null) {
            throw error(start, "expression in static assertion is not constant");
        }
        if (c == 0) {
            throw error(start, "static assertion failed: \"" + msg + "\"");
        }
    }

    private Function declareFunction(Decl d, Spec spec) {
        Object o = scopes.getLast().get(d.name);
        Function f;
        if (o instanceof Function existing) {
            f = existing;
            if (!compatibleFunc(existing.type, d.type)) {
                throw error(d.at, "conflicting types for '" + d.name + "'; have '" + d.type + "'");
            }
            if (d.type.prototyped && !existing.type.prototyped) {
                existing.type = d.type;
            }
        } else {
            f = new Function(d.name, d.type, d.at);
            f.isStatic = spec.isStatic;
            f.builtin = Builtins.lookup(d.name);
            scopes.getLast().put(d.name, f);
            prog.functions.put(d.name, f);
        }
        if (scopes.size() > 1) {
            scopes.peek().put(d.name, f);
        }
        return f;
    }

    /** Where the rest of the file declares or defines a function {@code name} at file scope, or null. */
    private Tok declaredLater(String name) {
        int depth = 0; // braces open at each token, from the file's start
        for (int i = 0; i + 1 < toks.size(); i++) {
            Tok t = toks.get(i);
            if (t.kind == Tok.Kind.PUNCT) {
                depth += t.text.equals("{") ? 1 : t.text.equals("}") ? -1 : 0;
            } else if (i > pos && depth == 0 && t.kind == Tok.Kind.IDENT && t.text.equals(name) && toks.get(i + 1).is("(")) {
                return t;
            }
        }
        return null;
    }

    private static boolean compatibleFunc(CType a, CType b) {
        if (!a.prototyped || !b.prototyped) {
            return true;
        }
        if (a.params.size() != b.params.size() || a.variadic != b.variadic) {
            return false;
        }
        return sameType(a.base, b.base);
    }

    private static boolean sameType(CType a, CType b) {
        if (a == b) {
            return true;
        }
        if (a.k != b.k) {
            return false;
        }
        return switch (a.k) {
            case PTR -> sameType(a.base, b.base) || a.base.isVoid() || b.base.isVoid();
            case STRUCT, UNION -> a.fields == b.fields || (a.tag != null && a.tag.equals(b.tag));
            case ARRAY -> sameType(a.base, b.base);
            default -> a.size == b.size;
        };
    }

    private void globalVar(Decl d, Spec spec) {
        Object o = scopes.getLast().get(d.name);
        Var v;
        if (o instanceof Var existing) {
            v = existing;
            if (existing.type.k == CType.K.ARRAY && existing.type.len < 0 && d.type.k == CType.K.ARRAY) {
                existing.type = d.type;
            }
        } else if (o != null) {
            throw error(d.at, "'" + d.name + "' redeclared as different kind of symbol");
        } else {
            v = new Var(d.name, d.type, d.at, true);
            v.isStatic = spec.isStatic;
            scopes.getLast().put(d.name, v);
        }
        v.userAlign = Math.max(v.userAlign, d.align);
        if (spec.isExtern && !at("=")) {
            v.isExtern = true;
            return;
        }
        v.isExtern = false;
        if (accept("=")) {
            if (v.defined && v.init != null) {
                throw error(d.at, "redefinition of '" + d.name + "'");
            }
            v.init = initializer(v, true);
        }
        if (!v.defined) {
            v.defined = true;
            prog.globals.add(v);
        }
        if (v.type.k == CType.K.ARRAY && v.type.len < 0 && v.init == null) {
            v.type = CType.array(v.type.base, 1); // a tentative "int a[];" is one element
        }
        if (!v.type.complete) {
            throw error(d.at, "storage size of '" + d.name + "' isn't known");
        }
    }

    private void functionBody(Function f, Decl d) {
        if (f.body != null) {
            throw error(d.at, "redefinition of '" + f.name + "'");
        }
        if (f.builtin != null) {
            f.builtin = null; // the program defines its own
        }
        f.type = d.type;
        fn = f;
        writeSeq = 0;
        labels = new HashSet<>();
        gotos = new ArrayList<>();
        push();
        block = new Block();
        functionBlocks.put(f, block);
        for (int i = 0; i < d.type.params.size(); i++) {
            String name = d.type.paramNames.get(i);
            CType pt = d.type.params.get(i);
            if (pt.isRecord() && !pt.complete) {
                throw error(d.at, "parameter " + (i + 1) + " ('" + name + "') has incomplete type");
            }
            Var p = new Var(name == null ? "" : name, pt, d.at, false);
            p.param = true;
            f.params.add(p);
            if (name != null) {
                scopes.peek().put(name, p);
            }
        }
        Tok lb = expect("{");
        List<Stmt> body = new ArrayList<>();
        Stmt.Block b = blockItems(lb, body, false);
        pop();
        for (Tok g : gotos) {
            if (!labels.contains(g.text)) {
                throw error(g, "label '" + g.text + "' used but not defined");
            }
        }
        f.body = b;
        f.defOrder = functionBlocks.size();
        computePhis(f);
        loops.clear();
        branches.clear();
        fn = null;
        block = null;
    }

    /**
     * Which locals get a PHI node in gcc's (pruned) SSA form: set inside a loop and live at its head
     * (read in the loop before being set, or read after it), or set in a branch and read after the
     * join. Their SSA names are made before any other, so gcc -O0 gives them the first stack slots.
     */
    private void computePhis(Function f) {
        for (Var v : f.locals) {
            if (v.addressTaken || !v.type.isScalar() || v.writes.isEmpty()) {
                continue;
            }
            for (int[] r : loops) {
                if (v.declSeq >= r[0] && v.declSeq < r[1]) {
                    continue;
                }
                int firstW = firstIn(v.writes, r[0], r[1]);
                if (firstW < 0) {
                    continue;
                }
                if (firstIn(v.reads, r[0], firstW) >= 0 || liveAfter(v, r[1])) {
                    v.phi = true;
                }
            }
            for (int[] r : branches) {
                if (v.declSeq >= r[0] && v.declSeq < r[1]) {
                    continue;
                }
                if (firstIn(v.writes, r[0], r[1]) >= 0 && liveAfter(v, r[1])) {
                    v.phi = true;
                }
            }
        }
    }

    private static int firstIn(List<Integer> events, int from, int to) {
        int best = -1;
        for (int e : events) {
            if (e >= from && e < to && (best < 0 || e < best)) {
                best = e;
            }
        }
        return best;
    }

    /** The first access at or after {@code from} is a read. */
    private static boolean liveAfter(Var v, int from) {
        int r = firstIn(v.reads, from, Integer.MAX_VALUE);
        int w = firstIn(v.writes, from, Integer.MAX_VALUE);
        return r >= 0 && (w < 0 || r < w);
    }

    // ================================================================ declarations

    private Spec declSpec(boolean allowStorage) {
        Spec s = new Spec();
        s.at = peek();
        int longs = 0;
        boolean signed = false, unsigned = false, sawShort = false, sawChar = false, sawInt = false;
        CType base = null;
        boolean any = false;
        while (true) {
            Tok t = peek();
            if (t.kind != Tok.Kind.IDENT) {
                break;
            }
            String w = t.text;
            switch (w) {
                case "typedef" -> s.isTypedef = true;
                case "static" -> s.isStatic = true;
                case "extern" -> s.isExtern = true;
                case "const", "volatile", "restrict", "__restrict", "__restrict__", "inline", "__inline", "__inline__",
                     "register", "auto", "_Noreturn", "__extension__", "__const", "__volatile__", "_Thread_local", "__thread" -> {
                }
                case "__attribute__" -> {
                    next();
                    s.align = Math.max(s.align, attribute(t));
                    any = true;
                    continue;
                }
                case "_Alignas" -> {
                    next();
                    expect("(");
                    long a;
                    if (startsType(peek())) {
                        a = typeName().align;
                    } else {
                        a = constExpr();
                    }
                    expect(")");
                    s.align = Math.max(s.align, (int) a);
                    any = true;
                    continue;
                }
                case "void" -> base = CType.VOID;
                case "_Bool", "bool" -> base = CType.BOOL;
                case "char" -> sawChar = true;
                case "short" -> sawShort = true;
                case "int" -> sawInt = true;
                case "long" -> longs++;
                case "signed" -> signed = true;
                case "unsigned" -> unsigned = true;
                case "float" -> base = CType.FLOAT;
                case "double" -> base = CType.DOUBLE;
                case "_Complex", "__int128", "_Atomic" -> throw error(t, "unsupported: '" + w + "'");
                case "typeof", "__typeof__" -> {
                    next();
                    expect("(");
                    base = startsType(peek()) ? typeName() : expr().type;
                    expect(")");
                    any = true;
                    continue;
                }
                case "struct", "union" -> {
                    next();
                    base = recordSpec(w.equals("union"), t);
                    any = true;
                    continue;
                }
                case "enum" -> {
                    next();
                    base = enumSpec(t);
                    any = true;
                    continue;
                }
                default -> {
                    if (base == null && !sawChar && !sawShort && !sawInt && longs == 0 && !signed && !unsigned
                            && lookup(w) instanceof TypedefName td) {
                        base = td.type;
                        next();
                        any = true;
                        continue;
                    }
                    break;
                }
            }
            if (!TYPE_WORDS.contains(w)) {
                break;
            }
            next();
            any = true;
        }
        if (!any) {
            Tok t = peek();
            if (t.kind == Tok.Kind.IDENT) {
                throw error(t, "unknown type name '" + t.text + "'");
            }
            throw error(t, "expected declaration specifiers before " + describe(t));
        }
        if (base == null) {
            if (sawChar) {
                base = unsigned ? CType.UCHAR : signed ? CType.SCHAR : CType.CHAR;
            } else if (sawShort) {
                base = unsigned ? CType.USHORT : CType.SHORT;
            } else if (longs == 1) {
                base = unsigned ? CType.ULONG : CType.LONG;
            } else if (longs >= 2) {
                base = unsigned ? CType.ULLONG : CType.LLONG;
            } else {
                base = unsigned ? CType.UINT : CType.INT; // plain "unsigned", "signed", or implicit int
            }
        } else if (base == CType.DOUBLE && longs > 0) {
            base = CType.LDOUBLE;
        }
        if (!allowStorage && (s.isTypedef || s.isExtern)) {
            throw error(s.at, "storage class specified for a type name");
        }
        s.type = base;
        return s;
    }

    /** {@code __attribute__((…))}: returns an alignment it asks for (aligned(N)), 0 if none. */
    private int attribute(Tok at) {
        expect("(");
        expect("(");
        int align = 0;
        int depth = 0;
        while (true) {
            Tok t = next();
            if (t.kind == Tok.Kind.EOF) {
                throw error(at, "unterminated __attribute__");
            }
            if (t.is("(")) {
                depth++;
            } else if (t.is(")")) {
                if (depth == 0) {
                    expect(")");
                    return align;
                }
                depth--;
            } else if (depth == 0 && (t.is("aligned") || t.is("__aligned__"))) {
                if (accept("(")) {
                    align = (int) constExpr();
                    expect(")");
                } else {
                    align = 16;
                }
            } else if (depth == 0 && (t.is("packed") || t.is("__packed__"))) {
                packed = true;
            }
        }
    }

    private boolean packed;

    private void attributes(Decl d) {
        while (at("__attribute__") || at("__asm__") || at("asm")) {
            Tok t = next();
            if (t.is("__attribute__")) {
                d.align = Math.max(d.align, attribute(t));
            } else {
                expect("(");
                while (!at(")")) {
                    next();
                }
                expect(")");
            }
        }
    }

    private CType recordSpec(boolean union, Tok kw) {
        packed = false;
        int align = 0;
        while (at("__attribute__")) {
            align = Math.max(align, attribute(next()));
        }
        String tag = null;
        if (peek().kind == Tok.Kind.IDENT && !at("{")) {
            tag = next().text;
        }
        if (tag != null && !at("{")) {
            CType t = lookupTag(tag);
            if (t != null) {
                if (t.isRecord() != true || (t.k == CType.K.UNION) != union) {
                    throw error(kw, "'" + tag + "' defined as wrong kind of tag");
                }
                return t;
            }
            CType fresh = CType.record(union, tag);
            tags.peek().put(tag, fresh);
            return fresh;
        }
        if (tag == null && !at("{")) {
            throw error(peek(), "expected '{' before " + describe(peek()));
        }
        CType t;
        CType existing = tag == null ? null : tags.peek().get(tag);
        if (existing != null && !existing.complete) {
            t = existing;
        } else {
            if (existing != null) {
                throw error(kw, "redefinition of '" + (union ? "union " : "struct ") + tag + "'");
            }
            t = CType.record(union, tag);
            if (tag != null) {
                tags.peek().put(tag, t);
            }
        }
        expect("{");
        List<CType.Field> members = new ArrayList<>();
        Set<Integer> explicitAlign = new HashSet<>();
        while (!accept("}")) {
            if (at("_Static_assert")) {
                staticAssert(next());
                continue;
            }
            Spec s = declSpec(false);
            if (accept(";")) {
                if (s.type.isRecord()) {
                    members.add(new CType.Field(null, s.type, 0)); // anonymous struct/union member
                    continue;
                }
                continue;
            }
            while (true) {
                if (at(":")) { // an unnamed bit-field
                    Tok colon = next();
                    members.add(new CType.Field(null, s.type, 0, bitWidth(colon, s.type, null), 0));
                    if (accept(",")) {
                        continue;
                    }
                    expect(";");
                    break;
                }
                Decl d = declarator(s.type, false);
                if (at(":")) {
                    next();
                    int width = bitWidth(d.at, d.type, d.name);
                    attributes(d);
                    members.add(new CType.Field(d.name, d.type, 0, width, 0));
                    if (accept(",")) {
                        continue;
                    }
                    expect(";");
                    break;
                }
                attributes(d);
                CType mt = d.type;
                int a = Math.max(s.align, d.align);
                if (a > 0) {
                    explicitAlign.add(members.size());
                }
                if (a > mt.align) {
                    mt = mt.withAlign(a);
                }
                if (!mt.complete && !(mt.k == CType.K.ARRAY && at(";") && peek(1).is("}"))) {
                    throw error(d.at, "field '" + d.name + "' has incomplete type");
                }
                if (mt.k == CType.K.ARRAY && mt.len < 0) {
                    mt = CType.array(mt.base, 0); // flexible array member
                }
                members.add(new CType.Field(d.name, mt, 0));
                if (accept(",")) {
                    continue;
                }
                expect(";");
                break;
            }
        }
        boolean isPacked = false;
        while (at("__attribute__")) {
            packed = false;
            align = Math.max(align, attribute(next()));
            isPacked |= packed;
        }
        t.layout(members, align, isPacked, explicitAlign);
        return t;
    }

    /** The width after a bit-field's ':' (gcc's checks: an integer type, 0 to its width, 0 only unnamed). */
    private int bitWidth(Tok colon, CType t, String name) {
        String who = name == null ? "<anonymous>" : "'" + name + "'";
        if (!t.isInteger()) {
            throw error(colon, "bit-field " + who + " has invalid type");
        }
        long w = constExpr();
        if (w < 0) {
            throw error(colon, "negative width in bit-field " + who);
        }
        if (w > t.size * 8) {
            throw error(colon, "width of " + who + " exceeds its type");
        }
        if (w == 0 && name != null) {
            throw error(colon, "zero width for bit-field " + who);
        }
        return (int) w;
    }

    private CType enumSpec(Tok kw) {
        String tag = null;
        if (peek().kind == Tok.Kind.IDENT && !at("{")) {
            tag = next().text;
        }
        if (!at("{")) {
            CType t = tag == null ? null : lookupTag(tag);
            if (t == null) {
                t = CType.enumType(true);
                t.tag = tag;
            }
            return t;
        }
        expect("{");
        long v = 0;
        boolean negative = false;
        List<String> names = new ArrayList<>();
        while (!accept("}")) {
            Tok name = next();
            if (name.kind != Tok.Kind.IDENT) {
                throw error(name, "expected identifier before " + describe(name));
            }
            if (accept("=")) {
                v = constExpr();
            }
            negative |= v < 0;
            scopes.peek().put(name.text, Long.valueOf(v));
            names.add(name.text);
            v++;
            if (!accept(",")) {
                expect("}");
                break;
            }
        }
        CType t = CType.enumType(!negative);
        t.tag = tag;
        if (tag != null) {
            tags.peek().put(tag, t);
        }
        return t;
    }

    private static final class Decl {
        String name;
        CType type;
        Tok at;
        int align;
    }

    /** A declarator over {@code base}; with {@code abstractOk} the name may be missing (type names, parameters). */
    private Decl declarator(CType base, boolean abstractOk) {
        CType t = base;
        while (accept("*")) {
            t = CType.ptr(t);
            while (at("const") || at("volatile") || at("restrict") || at("__restrict") || at("__restrict__")
                    || at("__attribute__") || at("_Atomic")) {
                Tok q = next();
                if (q.is("__attribute__")) {
                    attribute(q);
                }
            }
        }
        Decl d = new Decl();
        d.at = peek();
        if (at("(") && !(abstractOk && (startsType(peek(1)) || peek(1).is(")")))) {
            // a nested declarator: parse what follows it first, then apply it inside
            next();
            int innerStart = pos;
            skipBalanced();
            CType suffixed = typeSuffix(t);
            int after = pos;
            pos = innerStart;
            Decl inner = declarator(suffixed, abstractOk);
            expect(")");
            pos = after;
            return inner;
        }
        if (peek().kind == Tok.Kind.IDENT && !startsType(peek())) {
            d.name = next().text;
        } else if (!abstractOk) {
            throw error(peek(), "expected identifier or '(' before " + describe(peek()));
        }
        d.type = typeSuffix(t);
        return d;
    }

    private void skipBalanced() {
        int depth = 0;
        while (true) {
            Tok t = next();
            if (t.kind == Tok.Kind.EOF) {
                throw error(t, "expected ')' before end of input");
            }
            if (t.is("(")) {
                depth++;
            } else if (t.is(")")) {
                if (depth == 0) {
                    return;
                }
                depth--;
            }
        }
    }

    /** The declarator being parsed may be a variable-length array (a local's, outermost). */
    private boolean vlaOk;

    private CType typeSuffix(CType t) {
        boolean vla = vlaOk;
        vlaOk = false;
        if (accept("[")) {
            while (at("static") || at("const") || at("restrict")) {
                next();
            }
            long len = -1;
            Expr vlaLength = null;
            if (!at("]")) {
                Tok lt = peek();
                Expr e = assignment();
                Long c = e.constant();
                if (c == null && (!vla || !e.type.isInteger())) {
                    throw error(lt, "unsupported: variable-length array");
                }
                if (c == null) {
                    vlaLength = e;
                    c = 0L;
                }
                if (c < 0) {
                    throw error(lt, "size of array is negative");
                }
                len = c;
            }
            expect("]");
            CType inner = typeSuffix(t);
            if (inner.k == CType.K.FUNC) {
                throw error(peek(), "declaration as array of functions");
            }
            if (!inner.complete && inner.k != CType.K.ARRAY) {
                throw error(peek(), "array type has incomplete element type '" + inner + "'");
            }
            CType array = CType.array(inner, len);
            array.vlaLength = vlaLength;
            return array;
        }
        if (at("(")) {
            next();
            List<CType> params = new ArrayList<>();
            List<String> names = new ArrayList<>();
            boolean variadic = false;
            boolean prototyped = true;
            if (at("void") && peek(1).is(")")) {
                next();
            } else if (at(")")) {
                prototyped = false;
            } else {
                push();
                while (true) {
                    if (accept("...")) {
                        variadic = true;
                        break;
                    }
                    if (!startsType(peek())) {
                        throw error(peek(), "unsupported: old-style (K&R) parameter list");
                    }
                    Spec s = declSpec(false);
                    Decl d = declarator(s.type, true);
                    attributes(d);
                    CType pt = d.type;
                    if (pt.k == CType.K.ARRAY) {
                        pt = CType.ptr(pt.base);
                    } else if (pt.k == CType.K.FUNC) {
                        pt = CType.ptr(pt);
                    }
                    params.add(pt);
                    names.add(d.name);
                    if (!accept(",")) {
                        break;
                    }
                }
                pop();
            }
            expect(")");
            CType ret = typeSuffix(t);
            if (ret.k == CType.K.ARRAY) {
                throw error(peek(), "function cannot return array type");
            }
            CType f = CType.func(ret, params, names, variadic);
            f.prototyped = prototyped;
            return f;
        }
        return t;
    }

    private CType typeName() {
        Spec s = declSpec(false);
        Decl d = declarator(s.type, true);
        return s.align > d.type.align && s.align > 0 ? d.type.withAlign(s.align) : d.type;
    }

    // ================================================================ initializers

    private Init initializer(Var v, boolean global) {
        Init init = new Init();
        CType t = v.type;
        if (t.k == CType.K.ARRAY && t.len < 0) {
            // size from the initializer
            int save = pos;
            long n = countElements(t);
            pos = save;
            v.type = t = CType.array(t.base, n);
        }
        initInto(init, t, 0, global, true);
        if (t.k == CType.K.ARRAY || t.isRecord()) {
            init.aggregate = true;
        } else if (init.items.size() == 1 && init.items.get(0).value() != null) {
            Expr.Call call = Expr.Call.in(init.items.get(0).value());
            if (call != null) {
                call.receiver(v.name); // char *a = malloc(…)
            }
        }
        return init;
    }

    private long countElements(CType t) {
        if (peek().kind == Tok.Kind.STRING && t.base.size == 1) {
            return stringLiteral(peek()).length + 1;
        }
        Init probe = new Init();
        CType big = CType.array(t.base, Integer.MAX_VALUE / Math.max(1, t.base.size));
        long[] max = {0};
        initArray(probe, big, 0, false, max);
        return max[0];
    }

    private void initInto(Init init, CType t, long off, boolean global, boolean top) {
        if (t.k == CType.K.ARRAY) {
            if (t.base.size == 1 && t.base.isInteger() && (peek().kind == Tok.Kind.STRING
                    || at("{") && peek(1).kind == Tok.Kind.STRING && peek(2).is("}"))) {
                boolean braced = accept("{");
                byte[] s = stringLiteral(next());
                if (braced) {
                    expect("}");
                }
                long n = Math.min(t.len, s.length + 1L);
                byte[] b = new byte[(int) n];
                System.arraycopy(s, 0, b, 0, (int) Math.min(n, s.length));
                init.items.add(new Init.Item(off, t, null, b));
                init.aggregate = true;
                return;
            }
            if (!at("{")) {
                throw error(peek(), "invalid initializer");
            }
            initArray(init, t, off, global, new long[] {0});
            init.aggregate = true;
            return;
        }
        if (t.isRecord()) {
            if (at("{")) {
                initRecord(init, t, off, global);
                init.aggregate = true;
                return;
            }
            Expr e = assignment();
            if (!e.type.isRecord() || !sameType(e.type, t)) {
                throw error(e.at, "invalid initializer");
            }
            init.items.add(new Init.Item(off, t, e, null));
            return;
        }
        boolean braced = accept("{");
        Tok et = peek();
        Expr e = assignConvert(rv(assignment()), t, et, "initialization");
        if (global && e.constant() == null && !isAddressConstant(e)) {
            throw error(et, "initializer element is not constant");
        }
        if (braced) {
            accept(",");
            expect("}");
        }
        init.items.add(new Init.Item(off, t, e, null));
    }

    private boolean isAddressConstant(Expr e) {
        if (e instanceof Expr.Cast c) {
            return isAddressConstant(c.e) || c.e.constant() != null;
        }
        if (e instanceof Expr.Decay d) {
            return d.e instanceof Expr.Global || d.e instanceof Expr.Str || d.e instanceof Expr.FuncRef
                    || d.e instanceof Expr.Member || d.e instanceof Expr.Temp;
        }
        if (e instanceof Expr.AddrOf a) {
            return !(a.e instanceof Expr.Local);
        }
        if (e instanceof Expr.PtrAdd p) {
            return isAddressConstant(p.p) && p.i.constant() != null;
        }
        return e instanceof Expr.Str || e instanceof Expr.FuncRef;
    }

    private void initArray(Init init, CType t, long off, boolean global, long[] max) {
        expect("{");
        long idx = 0;
        while (!accept("}")) {
            if (accept("[")) {
                idx = constExpr();
                expect("]");
                accept("=");
            }
            if (idx >= t.len) {
                throw error(peek(), "excess elements in array initializer");
            }
            initElement(init, t.base, off + idx * t.base.size, global);
            idx++;
            max[0] = Math.max(max[0], idx);
            if (!accept(",")) {
                expect("}");
                break;
            }
        }
    }

    /** An element: braced, or (brace elision) taken from the enclosing list. */
    private void initElement(Init init, CType t, long off, boolean global) {
        if ((t.k == CType.K.ARRAY || t.isRecord()) && !at("{") && !(t.k == CType.K.ARRAY && peek().kind == Tok.Kind.STRING)) {
            if (t.isRecord()) {
                int save = pos;
                Expr e = assignment();
                if (e.type.isRecord()) {
                    init.items.add(new Init.Item(off, t, e, null));
                    return;
                }
                pos = save;
            }
            throw error(peek(), "unsupported: initializer without braces for a nested " + (t.isRecord() ? "struct" : "array"));
        }
        initInto(init, t, off, global, false);
    }

    private void initRecord(Init init, CType t, long off, boolean global) {
        expect("{");
        int i = 0;
        List<CType.Field> fs = t.fields;
        while (!accept("}")) {
            CType.Field f;
            if (accept(".")) {
                Tok name = next();
                f = t.field(name.text);
                if (f == null) {
                    throw error(name, "'" + t + "' has no member named '" + name.text + "'");
                }
                expect("=");
                i = indexOf(fs, name.text) + 1;
            } else {
                if (i >= fs.size()) {
                    throw error(peek(), "excess elements in " + (t.k == CType.K.UNION ? "union" : "struct") + " initializer");
                }
                f = fs.get(i++);
                if (t.k == CType.K.UNION) {
                    i = fs.size();
                }
            }
            int before = init.items.size();
            initElement(init, f.type(), off + f.offset(), global);
            if (f.isBitField() && init.items.size() == before + 1) {
                Init.Item it = init.items.get(before);
                init.items.set(before, new Init.Item(it.offset(), it.type(), it.value(), null, f.width(), f.bit()));
            }
            if (!accept(",")) {
                expect("}");
                break;
            }
        }
    }

    private static int indexOf(List<CType.Field> fs, String name) {
        for (int i = 0; i < fs.size(); i++) {
            if (name.equals(fs.get(i).name())) {
                return i;
            }
        }
        return fs.size() - 1;
    }

    // ================================================================ statements

    private Stmt.Block blockItems(Tok lb, List<Stmt> body, boolean newScope) {
        Stmt.Block b;
        Map<String, Integer> labelIdx = new HashMap<>();
        Map<Long, Integer> cases = new HashMap<>();
        int[] def = {-1};
        while (!accept("}")) {
            if (peek().kind == Tok.Kind.EOF) {
                throw error(peek(), "expected declaration or statement at end of input");
            }
            // labels and case labels at this level are jump targets of this block
            while (true) {
                if (peek().kind == Tok.Kind.IDENT && peek(1).is(":") && !isTypedef(peek()) && !at("default")) {
                    Tok name = next();
                    next();
                    if (!labels.add(name.text)) {
                        throw error(name, "duplicate label '" + name.text + "'");
                    }
                    labelIdx.put(name.text, body.size());
                    continue;
                }
                if (at("case") && !switchBodies.isEmpty() && switchDepthHere()) {
                    Tok ct = next();
                    long v = constExpr();
                    if (accept("...")) {
                        throw error(ct, "unsupported: case ranges");
                    }
                    expect(":");
                    if (cases.put(switchValue(v), body.size()) != null) {
                        throw error(ct, "duplicate case value");
                    }
                    continue;
                }
                if (at("default") && peek(1).is(":") && !switchBodies.isEmpty() && switchDepthHere()) {
                    Tok dt = next();
                    next();
                    if (def[0] >= 0) {
                        throw error(dt, "multiple default labels in one switch");
                    }
                    def[0] = body.size();
                    continue;
                }
                break;
            }
            if (at("}")) {
                body.add(new Stmt.Empty());
                continue;
            }
            if (peek().kind == Tok.Kind.IDENT && peek(1).kind == Tok.Kind.IDENT && lookup(peek().text) == null
                    && !TYPE_WORDS.contains(peek().text) && !KEYWORDS.contains(peek().text)) {
                throw error(peek(), "unknown type name '" + peek().text + "'");
            }
            if (startsType(peek()) && !(peek(1).is(":"))) {
                localDeclaration(body);
            } else {
                body.add(statement());
            }
        }
        b = new Stmt.Block(body, lb);
        b.labels.putAll(labelIdx);
        b.cases.putAll(cases);
        b.defaultIndex = def[0];
        return b;
    }

    /** Case labels belong to the switch whose body block is being parsed right now. */
    private int blockDepthInSwitch;

    private boolean switchDepthHere() {
        return blockDepthInSwitch == 0;
    }

    private CType switchType;

    private long switchValue(long v) {
        return Expr.convert(v, CType.LONG, switchType);
    }

    private Stmt compound() {
        Tok lb = expect("{");
        push();
        Block saved = block;
        Block child = new Block();
        block.children.add(child);
        block = child;
        blockDepthInSwitch++;
        Stmt.Block b = blockItems(lb, new ArrayList<>(), true);
        blockDepthInSwitch--;
        block = saved;
        pop();
        return child.hasVla ? new Stmt.VlaScope(b) : b;
    }

    /**
     * A variable-length array as gcc -O0 makes one: two hidden locals (its upper bound, then its
     * address: scalars in gcc's SSA order), the array itself below the stack pointer when the
     * declaration runs, the stack pointer restored when its block ends.
     */
    private Stmt variableLengthArray(Var v) {
        Var bound = new Var(v.name + ".bound", CType.LONG, v.at, false);
        Var pointer = new Var(v.name + ".address", CType.ptr(v.type.base), v.at, false);
        for (Var h : new Var[] {bound, pointer}) {
            h.used = true;
            h.declOrder = declSeq++;
            h.declSeq = seq;
            h.firstWrite = writeSeq++;
            h.writes.add(seq++);
            fn.locals.add(h);
            block.vars.add(h);
        }
        v.vlaBound = bound;
        v.vlaPointer = pointer;
        v.used = true;
        fn.vlaCount++;
        fn.vlaInLoop |= loopDepth > 0;
        block.hasVla = true;
        return new Stmt.VlaAlloc(v, v.type.vlaLength, v.at);
    }

    private void localDeclaration(List<Stmt> out) {
        Tok start = peek();
        if (accept("_Static_assert")) {
            staticAssert(start);
            return;
        }
        Spec spec = declSpec(true);
        if (accept(";")) {
            return;
        }
        while (true) {
            vlaOk = !spec.isTypedef && !spec.isStatic && !spec.isExtern;
            Decl d = declarator(spec.type, false);
            vlaOk = false;
            d.align = Math.max(d.align, spec.align);
            attributes(d);
            if (spec.isTypedef) {
                scopes.peek().put(d.name, new TypedefName(d.align > 0 ? d.type.withAlign(d.align) : d.type));
            } else if (d.type.k == CType.K.FUNC) {
                declareFunction(d, spec);
            } else if (spec.isExtern) {
                Object o = scopes.getLast().get(d.name);
                Var g;
                if (o instanceof Var existing) {
                    g = existing;
                } else {
                    g = new Var(d.name, d.type, d.at, true);
                    g.isExtern = true;
                    scopes.getLast().put(d.name, g);
                }
                scopes.peek().put(d.name, g);
            } else if (spec.isStatic) {
                Var g = new Var(d.name, d.type, d.at, true);
                g.isStatic = true;
                g.userAlign = d.align;
                scopes.peek().put(d.name, g);
                if (accept("=")) {
                    g.init = initializer(g, true);
                }
                g.defined = true;
                prog.staticLocals.add(g);
            } else {
                if (scopes.peek().get(d.name) instanceof Var prev && !prev.global && !prev.param) {
                    throw error(d.at, "redeclaration of '" + d.name + "' with no linkage");
                }
                Var v = new Var(d.name, d.type, d.at, false);
                v.userAlign = d.align;
                v.declOrder = declSeq++;
                v.declSeq = seq++;
                scopes.peek().put(d.name, v);
                fn.locals.add(v);
                block.vars.add(v);
                if (v.type.vlaLength != null) {
                    if (at("=")) {
                        throw error(peek(), "variable-sized object may not be initialized");
                    }
                    out.add(variableLengthArray(v));
                }
                if (accept("=")) {
                    v.init = initializer(v, false);
                    v.firstWrite = Math.min(v.firstWrite, writeSeq++);
                    v.writes.add(seq++);
                    v.used = true;
                    out.add(new Stmt.InitLocal(v));
                }
                if (!v.type.complete) {
                    throw error(d.at, "storage size of '" + d.name + "' isn't known");
                }
                if (v.type.isVoid()) {
                    throw error(d.at, "variable or field '" + d.name + "' declared void");
                }
            }
            if (accept(",")) {
                continue;
            }
            expect(";");
            return;
        }
    }

    private Stmt statement() {
        Tok t = peek();
        if (at("{")) {
            return compound();
        }
        if (accept(";")) {
            return new Stmt.Empty();
        }
        if (t.kind == Tok.Kind.IDENT) {
            switch (t.text) {
                case "if" -> {
                    next();
                    expect("(");
                    Expr c = scalarCond(expr(), t);
                    expect(")");
                    int s0 = seq;
                    Stmt a = subStatement();
                    Stmt b = accept("else") ? subStatement() : null;
                    branches.add(new int[] {s0, seq});
                    return new Stmt.If(c, a, b, t);
                }
                case "while" -> {
                    next();
                    int s0 = seq;
                    expect("(");
                    Expr c = scalarCond(expr(), t);
                    expect(")");
                    loopDepth++;
                    Stmt body = subStatement();
                    loopDepth--;
                    loops.add(new int[] {s0, seq});
                    return new Stmt.Loop(null, c, null, body, false, t);
                }
                case "do" -> {
                    next();
                    int s0 = seq;
                    loopDepth++;
                    Stmt body = subStatement();
                    loopDepth--;
                    expect("while");
                    expect("(");
                    Expr c = scalarCond(expr(), t);
                    expect(")");
                    expect(";");
                    loops.add(new int[] {s0, seq});
                    return new Stmt.Loop(null, c, null, body, true, t);
                }
                case "for" -> {
                    next();
                    expect("(");
                    push();
                    Block saved = block;
                    Block child = new Block();
                    block.children.add(child);
                    block = child;
                    Stmt init = null;
                    if (startsType(peek())) {
                        List<Stmt> inits = new ArrayList<>();
                        localDeclaration(inits);
                        init = new Stmt.Block(inits, t);
                    } else if (!accept(";")) {
                        init = new Stmt.ExprStmt(expr());
                        expect(";");
                    }
                    int s0 = seq;
                    Expr c = at(";") ? null : scalarCond(expr(), t);
                    expect(";");
                    Expr step = at(")") ? null : expr();
                    if (step != null) {
                        Builtins.valueUnused(step);
                    }
                    expect(")");
                    loopDepth++;
                    Stmt body = subStatement();
                    loopDepth--;
                    loops.add(new int[] {s0, seq});
                    block = saved;
                    pop();
                    return new Stmt.Loop(init, c, step, body, false, t);
                }
                case "switch" -> {
                    next();
                    expect("(");
                    Expr c = rv(expr());
                    if (!c.type.isInteger()) {
                        throw error(t, "switch quantity not an integer");
                    }
                    c = promote(c);
                    expect(")");
                    if (!at("{")) {
                        throw error(peek(), "unsupported: a switch body that is not a braced block");
                    }
                    CType savedType = switchType;
                    int savedDepth = blockDepthInSwitch;
                    switchType = c.type;
                    blockDepthInSwitch = -1; // the body's block is depth 0
                    switchBodies.push(new Stmt.Block(List.of(), t));
                    switchDepth++;
                    int s0 = seq;
                    Stmt body = compound();
                    branches.add(new int[] {s0, seq});
                    switchDepth--;
                    switchBodies.pop();
                    blockDepthInSwitch = savedDepth;
                    switchType = savedType;
                    if (!(body instanceof Stmt.Block sb)) {
                        throw error(t, "unsupported: a variable-length array declared in a switch body");
                    }
                    return new Stmt.Switch(c, sb, t);
                }
                case "case", "default" -> throw error(t, switchBodies.isEmpty()
                        ? "case label not within a switch statement"
                        : "unsupported: a case label nested inside another statement of the switch body");
                case "break" -> {
                    next();
                    if (loopDepth == 0 && switchDepth == 0) {
                        throw error(t, "break statement not within loop or switch");
                    }
                    expect(";");
                    return new Stmt.Jump(Stmt.BREAK, null, t);
                }
                case "continue" -> {
                    next();
                    if (loopDepth == 0) {
                        throw error(t, "continue statement not within a loop");
                    }
                    expect(";");
                    return new Stmt.Jump(Stmt.CONTINUE, null, t);
                }
                case "goto" -> {
                    next();
                    Tok l = next();
                    if (l.kind != Tok.Kind.IDENT) {
                        throw error(l, l.is("*") ? "unsupported: computed goto" : "expected identifier before " + describe(l));
                    }
                    gotos.add(l);
                    expect(";");
                    return new Stmt.Jump(Stmt.GOTO, l.text, t);
                }
                case "return" -> {
                    next();
                    if (accept(";")) {
                        return new Stmt.Return(null, t);
                    }
                    Expr e = rv(expr());
                    expect(";");
                    CType rt = fn.type.base;
                    if (rt.isVoid()) {
                        return new Stmt.Return(new Expr.Comma(e, new Expr.Const(0, CType.VOID, t)), t);
                    }
                    return new Stmt.Return(assignConvert(e, rt, t, "return"), t);
                }
                default -> {
                }
            }
        }
        Expr e = expr();
        expect(";");
        return new Stmt.ExprStmt(e);
    }

    /** The statement of an if/loop: a label or case label directly here is not supported. */
    private Stmt subStatement() {
        if (peek().kind == Tok.Kind.IDENT && peek(1).is(":") && !at("default")) {
            throw error(peek(), "unsupported: a label on the body of an if, loop or switch (put it inside braces)");
        }
        if (at("{")) {
            return compound();
        }
        if (startsType(peek())) {
            throw error(peek(), "expected expression before " + describe(peek()));
        }
        blockDepthInSwitch++;
        Stmt s = statement();
        blockDepthInSwitch--;
        return s;
    }

    private Expr scalarCond(Expr e, Tok t) {
        e = rv(e);
        if (!e.type.isScalar()) {
            throw error(e.at, "used " + (e.type.isRecord() ? "struct type value" : "'" + e.type + "'") + " where scalar is required");
        }
        return e;
    }

    // ================================================================ expressions

    private long constExpr() {
        Tok t = peek();
        Expr e = conditional();
        Long c = e.constant();
        if (c == null) {
            throw error(t, "expression is not an integer constant");
        }
        return c;
    }

    Expr expr() {
        Expr e = assignment();
        while (at(",")) {
            next();
            Expr r = assignment();
            e = new Expr.Comma(rv(e), rv(r));
        }
        return e;
    }

    private static final Set<String> ASSIGN_OPS = Set.of("=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=");

    private Expr assignment() {
        int start = pos;
        Expr l = conditional();
        int end = pos;
        Tok op = peek();
        if (op.kind == Tok.Kind.PUNCT && ASSIGN_OPS.contains(op.text)) {
            next();
            Expr r = rv(assignment());
            if (!l.isLvalue() || l.type.k == CType.K.ARRAY || l.type.k == CType.K.FUNC) {
                throw error(op, l.type.k == CType.K.ARRAY ? "assignment to expression with array type"
                        : "lvalue required as left operand of assignment");
            }
            if (op.text.equals("=")) {
                wrote(l, false);
                Expr.Call call = Expr.Call.in(r);
                if (call != null) {
                    call.receiver(sourceText(start, end));
                    if (call.type.isRecord() && call.type.size > 16 && fn != null) {
                        // gcc -O0 has the callee fill a temporary of the caller's frame, then copies it
                        Var tmp = new Var("", call.type, op, false);
                        tmp.declOrder = declSeq++;
                        tmp.addressTaken = true;
                        tmp.used = true;
                        // a local whose address is never taken gets the result straight (return slot optimisation)
                        tmp.returnSlotOf = l instanceof Expr.Local lo ? lo.var : null;
                        fn.locals.add(tmp);
                        block.vars.add(tmp);
                    }
                }
                return new Expr.Assign(l, assignConvert(r, l.type, op, "assignment"), op);
            }
            wrote(l, true);
            int code = Ops.code(op.text);
            if (l.type.isPointer() && (code == Ops.ADD || code == Ops.SUB) && r.type.isInteger()) {
                return new Expr.CompoundAssign(l, code, r, l.type, elemSize(l.type, op), op);
            }
            if (!l.type.isArithmetic() || !r.type.isArithmetic()) {
                throw error(op, "invalid operands to binary " + op.text.substring(0, op.text.length() - 1)
                        + " (have '" + l.type + "' and '" + r.type + "')");
            }
            CType ct;
            if (code == Ops.SHL || code == Ops.SHR) {
                ct = promotedType(l.type);
                r = promote(r);
            } else {
                ct = common(l.type, r.type);
            }
            checkIntegerOp(code, ct, op, l.type, r.type);
            return new Expr.CompoundAssign(l, code, r, ct, 0, op);
        }
        return l;
    }

    private void checkIntegerOp(int code, CType ct, Tok op, CType a, CType b) {
        if (ct.isFloating() && (code == Ops.MOD || code >= Ops.AND && code <= Ops.SHR)) {
            throw error(op, "invalid operands to binary " + op.text.replace("=", "") + " (have '" + a + "' and '" + b + "')");
        }
    }

    /** Notes a write to a local (gcc -O0 lays out non-addressed scalars in the order they are first set). */
    private void wrote(Expr l) {
        wrote(l, false);
    }

    /** {@code alsoRead}: compound assignment and ++/--, which read the old value too. */
    private void wrote(Expr l, boolean alsoRead) {
        if (l instanceof Expr.Local loc) {
            Var v = loc.var;
            v.firstWrite = Math.min(v.firstWrite, writeSeq++);
            if (!alsoRead) {
                v.reads.remove(Integer.valueOf(loc.readSeq)); // the lvalue is written, not read
            }
            v.writes.add(seq++);
        }
    }

    private Expr conditional() {
        Expr c = binary(0);
        if (!at("?")) {
            return c;
        }
        Tok q = next();
        c = scalarCond(c, q);
        Expr a = at(":") ? c : rv(expr()); // GNU a ?: b
        expect(":");
        Expr b = rv(conditional());
        CType t;
        if (a.type.isArithmetic() && b.type.isArithmetic()) {
            t = common(a.type, b.type);
            a = cast(a, t);
            b = cast(b, t);
        } else if (a.type.isPointer() && b.type.isPointer()) {
            t = a.type.base.isVoid() ? b.type : a.type;
        } else if (a.type.isPointer() && isNullConstant(b)) {
            t = a.type;
            b = cast(b, t);
        } else if (b.type.isPointer() && isNullConstant(a)) {
            t = b.type;
            a = cast(a, t);
        } else if (a.type.isVoid() || b.type.isVoid()) {
            t = CType.VOID;
        } else if (a.type.isRecord() && sameType(a.type, b.type)) {
            t = a.type;
        } else if (a.type.isPointer() && b.type.isInteger() || a.type.isInteger() && b.type.isPointer()) {
            t = a.type.isPointer() ? a.type : b.type;
            a = cast(a, t);
            b = cast(b, t);
        } else {
            throw error(q, "type mismatch in conditional expression");
        }
        return new Expr.Cond(c, a, b, t);
    }

    private static final String[][] LEVELS = {
        {"||"}, {"&&"}, {"|"}, {"^"}, {"&"}, {"==", "!="}, {"<", ">", "<=", ">="}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "%"},
    };

    private Expr binary(int level) {
        if (level == LEVELS.length) {
            return cast();
        }
        Expr l = binary(level + 1);
        outer:
        while (true) {
            Tok t = peek();
            if (t.kind == Tok.Kind.PUNCT) {
                for (String op : LEVELS[level]) {
                    if (t.text.equals(op)) {
                        next();
                        Expr r = binary(level + 1);
                        l = makeBinary(op, l, r, t);
                        continue outer;
                    }
                }
            }
            return l;
        }
    }

    Expr makeBinary(String op, Expr l, Expr r, Tok t) {
        l = rv(l);
        r = rv(r);
        switch (op) {
            case "||", "&&" -> {
                scalarCond(l, t);
                scalarCond(r, t);
                return new Expr.Logical(op.equals("&&"), l, r, t);
            }
            case "+" -> {
                if (l.type.isPointer() && r.type.isInteger()) {
                    return new Expr.PtrAdd(l, r, elemSize(l.type, t), false, l.type, t);
                }
                if (r.type.isPointer() && l.type.isInteger()) {
                    return new Expr.PtrAdd(r, l, elemSize(r.type, t), false, r.type, t);
                }
            }
            case "-" -> {
                if (l.type.isPointer() && r.type.isInteger()) {
                    return new Expr.PtrAdd(l, r, elemSize(l.type, t), true, l.type, t);
                }
                if (l.type.isPointer() && r.type.isPointer()) {
                    return new Expr.PtrDiff(l, r, elemSize(l.type, t), t);
                }
            }
            case "==", "!=", "<", ">", "<=", ">=" -> {
                int code = Ops.code(op);
                if (l.type.isPointer() || r.type.isPointer()) {
                    if ((l.type.isPointer() || l.type.isInteger()) && (r.type.isPointer() || r.type.isInteger())) {
                        return new Expr.Compare(code, l, r, CType.ULONG, t);
                    }
                    throw error(t, "invalid operands to binary " + op + " (have '" + l.type + "' and '" + r.type + "')");
                }
                if (!l.type.isArithmetic() || !r.type.isArithmetic()) {
                    throw error(t, "invalid operands to binary " + op + " (have '" + l.type + "' and '" + r.type + "')");
                }
                CType ct = common(l.type, r.type);
                return new Expr.Compare(code, cast(l, ct), cast(r, ct), ct, t);
            }
            default -> {
            }
        }
        if (!l.type.isArithmetic() || !r.type.isArithmetic()) {
            throw error(t, "invalid operands to binary " + op + " (have '" + l.type + "' and '" + r.type + "')");
        }
        int code = Ops.code(op);
        if (code == Ops.SHL || code == Ops.SHR) {
            Expr pl = promote(l);
            checkIntegerOp(code, pl.type, t, l.type, r.type);
            return new Expr.Binary(code, pl, promote(r), pl.type, t);
        }
        CType ct = common(l.type, r.type);
        checkIntegerOp(code, ct, t, l.type, r.type);
        return new Expr.Binary(code, cast(l, ct), cast(r, ct), ct, t);
    }

    private long elemSize(CType p, Tok t) {
        CType b = p.base;
        if (b.isVoid() || b.k == CType.K.FUNC) {
            return 1; // GNU: arithmetic on void * and function pointers steps by 1
        }
        if (!b.complete) {
            throw error(t, "invalid use of undefined type '" + b + "'");
        }
        return b.size;
    }

    private Expr cast() {
        if (at("(") && startsType(peek(1))) {
            Tok lp = next();
            CType t = typeName();
            expect(")");
            if (at("{")) {
                return postfix(compoundLiteral(t, lp));
            }
            Expr e = rv(cast());
            if (t.isVoid()) {
                Builtins.valueUnused(e);
                return new Expr.Cast(e, t, lp);
            }
            if (!t.isScalar()) {
                throw error(lp, "conversion to non-scalar type requested");
            }
            if (!e.type.isScalar()) {
                throw error(lp, "used " + (e.type.isRecord() ? "struct type value" : "'" + e.type + "'") + " where scalar is required");
            }
            if (t.isFloating() && e.type.isPointer() || t.isPointer() && e.type.isFloating()) {
                throw error(lp, "pointer value used where a floating-point was expected");
            }
            return new Expr.Cast(e, t, lp);
        }
        return unary();
    }

    private Expr compoundLiteral(CType t, Tok at) {
        if (fn == null) {
            Var g = new Var("__compound_literal." + staticCounter++, t, at, true);
            g.init = initializer(g, true);
            g.defined = true;
            prog.staticLocals.add(g);
            return new Expr.Global(g, at);
        }
        Var v = new Var("", t, at, false);
        v.declOrder = declSeq++;
        v.addressTaken = true;
        v.used = true;
        fn.locals.add(v);
        block.vars.add(v);
        v.init = initializer(v, false);
        v.init.aggregate = true;
        return new Expr.Temp(v, at);
    }

    private Expr unary() {
        Tok t = peek();
        if (t.kind == Tok.Kind.PUNCT) {
            switch (t.text) {
                case "++", "--" -> {
                    next();
                    Expr e = unary();
                    return incDec(e, true, t.text.equals("++"), t);
                }
                case "&" -> {
                    next();
                    Expr e = cast();
                    if (e instanceof Expr.FuncRef fr) {
                        markFunctionUsed(fr.fn, t);
                        return new Expr.AddrOf(e, CType.ptr(e.type), t);
                    }
                    if (!e.isLvalue()) {
                        throw error(t, "lvalue required as unary '&' operand");
                    }
                    if (e instanceof Expr.BitField bf) {
                        throw error(t, "cannot take address of bit-field '" + bf.at.text + "'");
                    }
                    markAddressTaken(e);
                    return new Expr.AddrOf(e, CType.ptr(e.type), t);
                }
                case "*" -> {
                    next();
                    Expr e = rv(cast());
                    if (!e.type.isPointer()) {
                        throw error(t, "invalid type argument of unary '*' (have '" + e.type + "')");
                    }
                    if (e.type.base.k == CType.K.FUNC) {
                        return e; // *fp is the function again
                    }
                    return new Expr.Deref(e, e.type.base, t);
                }
                case "+", "-", "~" -> {
                    next();
                    Expr e = rv(cast());
                    if (!e.type.isArithmetic() || t.is("~") && !e.type.isInteger()) {
                        throw error(t, "wrong type argument to " + (t.is("~") ? "bit-complement" : "unary " + (t.is("-") ? "minus" : "plus")));
                    }
                    e = promote(e);
                    if (t.is("+")) {
                        return e;
                    }
                    return new Expr.Neg(t.text.charAt(0), e, e.type, t);
                }
                case "!" -> {
                    next();
                    Expr e = scalarCond(cast(), t);
                    return new Expr.Not(e, t);
                }
                default -> {
                }
            }
        }
        if (t.kind == Tok.Kind.IDENT) {
            switch (t.text) {
                case "sizeof" -> {
                    next();
                    CType ty;
                    if (at("(") && startsType(peek(1))) {
                        next();
                        ty = typeName();
                        expect(")");
                        if (at("{")) {
                            ty = compoundLiteral(ty, t).type;
                        }
                    } else {
                        Expr operand = unarySizeofOperand();
                        if (operand instanceof Expr.VlaLocal vla) { // computed when it runs, from the bound gcc keeps
                            return new Expr.VlaSize(vla.var, t);
                        }
                        ty = operand.type;
                    }
                    if (ty.k == CType.K.FUNC) {
                        return new Expr.Const(1, CType.ULONG, t);
                    }
                    if (!ty.complete) {
                        throw error(t, "invalid application of 'sizeof' to incomplete type '" + ty + "'");
                    }
                    return new Expr.Const(ty.size, CType.ULONG, t);
                }
                case "_Alignof", "__alignof__", "__alignof" -> {
                    next();
                    expect("(");
                    CType ty = startsType(peek()) ? typeName() : expr().type;
                    expect(")");
                    return new Expr.Const(ty.align, CType.ULONG, t);
                }
                case "__extension__" -> {
                    next();
                    return cast();
                }
                default -> {
                }
            }
        }
        return postfix(primary());
    }

    /** sizeof expr: the operand is not evaluated, and locals it names are not "used". */
    private Expr unarySizeofOperand() {
        boolean savedNoUse = noUse;
        noUse = true;
        try {
            return unary();
        } finally {
            noUse = savedNoUse;
        }
    }

    private boolean noUse;

    private void markAddressTaken(Expr e) {
        while (true) {
            if (e instanceof Expr.Local l) {
                l.var.addressTaken = true;
                return;
            }
            if (e instanceof Expr.Member m) {
                e = m.base;
                continue;
            }
            return;
        }
    }

    private Expr incDec(Expr e, boolean pre, boolean inc, Tok t) {
        if (!e.isLvalue() || e.type.k == CType.K.ARRAY) {
            throw error(t, "lvalue required as " + (inc ? "increment" : "decrement") + " operand");
        }
        if (!e.type.isScalar()) {
            throw error(t, "wrong type argument to " + (inc ? "increment" : "decrement"));
        }
        long d = e.type.isPointer() ? elemSize(e.type, t) : 1;
        wrote(e, true);
        return new Expr.IncDec(e, pre, inc ? d : -d, t);
    }

    private Expr postfix(Expr e) {
        while (true) {
            Tok t = peek();
            if (t.kind != Tok.Kind.PUNCT) {
                return e;
            }
            switch (t.text) {
                case "[" -> {
                    next();
                    Expr idx = rv(expr());
                    expect("]");
                    Expr base = rv(e);
                    if (!base.type.isPointer() && idx.type.isPointer()) {
                        Expr tmp = base;
                        base = idx;
                        idx = tmp;
                    }
                    if (!base.type.isPointer()) {
                        throw error(t, "subscripted value is neither array nor pointer nor vector");
                    }
                    if (!idx.type.isInteger()) {
                        throw error(t, "array subscript is not an integer");
                    }
                    if (base.type.base.isVoid()) {
                        throw error(t, "dereferencing 'void *' pointer");
                    }
                    e = new Expr.Deref(new Expr.PtrAdd(base, idx, elemSize(base.type, t), false, base.type, t), base.type.base, t);
                }
                case "(" -> e = call(e, t);
                case "." -> {
                    next();
                    Tok name = next();
                    if (!e.type.isRecord()) {
                        throw error(t, "request for member '" + name.text + "' in something not a structure or union");
                    }
                    if (e instanceof Expr.Call && e.type.size > 16 && fn != null) {
                        // gcc -O0 has the callee fill a temporary of the caller's frame, read from there
                        Var tmp = new Var("", e.type, t, false);
                        tmp.declOrder = declSeq++;
                        tmp.addressTaken = true;
                        tmp.used = true;
                        fn.locals.add(tmp);
                        fn.callTemps.add(tmp);
                    }
                    e = member(e, e.type, name);
                }
                case "->" -> {
                    next();
                    Tok name = next();
                    Expr p = rv(e);
                    if (!p.type.isPointer() || !p.type.base.isRecord()) {
                        throw error(t, "invalid type argument of '->' (have '" + p.type + "')");
                    }
                    e = member(new Expr.Deref(p, p.type.base, t), p.type.base, name);
                }
                case "++", "--" -> {
                    next();
                    e = incDec(e, false, t.is("++"), t);
                }
                default -> {
                    return e;
                }
            }
        }
    }

    private Expr member(Expr base, CType rec, Tok name) {
        if (!rec.complete) {
            throw error(name, "invalid use of undefined type '" + rec + "'");
        }
        CType.Field f = rec.field(name.text);
        if (f == null) {
            throw error(name, "'" + rec + "' has no member named '" + name.text + "'");
        }
        if (f.isBitField()) {
            return new Expr.BitField(base, f.offset(), f.type(), f.width(), f.bit(), name);
        }
        return new Expr.Member(base, f.offset(), f.type(), name);
    }

    /** A va_list operand: a pointer to the ABI's __va_list_tag (a va_list decays to one). */
    private Expr vaList(Expr ap, Tok at) {
        if (!ap.type.isPointer() || !ap.type.base.isRecord() || !"__va_list_tag".equals(ap.type.base.tag)) {
            throw error(at, "first argument to '" + at.text.replace("__builtin_", "") + "' not of type 'va_list'");
        }
        return ap;
    }

    private Expr call(Expr callee, Tok lp) {
        next();
        List<Expr> args = new ArrayList<>();
        List<Tok> argToks = new ArrayList<>();
        while (!accept(")")) {
            argToks.add(peek());
            args.add(rv(assignment()));
            if (!accept(",")) {
                expect(")");
                break;
            }
        }
        Function direct = callee instanceof Expr.FuncRef fr ? fr.fn : null;
        if (direct != null) {
            prog.nameUses.computeIfAbsent(direct.name, k -> new int[2])[1]++;
        }
        Expr f = rv(callee);
        CType ft;
        if (f.type.isPointer() && f.type.base.k == CType.K.FUNC) {
            ft = f.type.base;
        } else {
            throw error(lp, "called object is not a function or function pointer");
        }
        String name = direct != null ? direct.name : "function";
        if (ft.prototyped) {
            if (args.size() < ft.params.size()) {
                throw error(lp, "too few arguments to function '" + name + "'");
            }
            if (args.size() > ft.params.size() && !ft.variadic) {
                throw error(argToks.get(ft.params.size()), "too many arguments to function '" + name + "'");
            }
        }
        Expr[] a = new Expr[args.size()];
        for (int i = 0; i < args.size(); i++) {
            Expr x = args.get(i);
            if (x.type.isRecord() && (!ft.prototyped || i >= ft.params.size())) {
                throw error(argToks.get(i), "unsupported: passing a struct by value to '...' or an unprototyped function");
            }
            if (x.type.isVoid()) {
                throw error(argToks.get(i), "invalid use of void expression");
            }
            if (ft.prototyped && i < ft.params.size()) {
                a[i] = assignConvert(x, ft.params.get(i), argToks.get(i), "argument");
            } else {
                a[i] = defaultPromote(x);
            }
        }
        Expr.Call call = new Expr.Call(f, direct, a, ft.base, lp);
        if (direct != null) {
            markFunctionUsed(direct, lp);
            if (direct.builtin != null) {
                Builtins.check(direct.name, a, argToks, lp, prog, call);
            }
        }
        return call;
    }

    private void markFunctionUsed(Function f, Tok at) {
        if (f.usedAt == null) {
            f.usedAt = at;
        }
    }

    private Expr defaultPromote(Expr x) {
        if (x.type.k == CType.K.FLOAT) {
            return cast(x, CType.DOUBLE);
        }
        if (x.type.isInteger()) {
            return promote(x);
        }
        return x;
    }

    private Expr primary() {
        Tok t = next();
        switch (t.kind) {
            case NUMBER -> {
                if (Literals.isFloating(t.text)) {
                    CType ty = t.text.toLowerCase().endsWith("f") && !t.text.toLowerCase().startsWith("0x") ? CType.FLOAT : CType.DOUBLE;
                    return new Expr.Const(Double.doubleToRawLongBits(Literals.floating(t)), ty, t);
                }
                Literals.Int v = Literals.integer(t);
                return new Expr.Const(v.value(), v.type(), t);
            }
            case CHAR -> {
                return new Expr.Const(Literals.character(t), CType.INT, t);
            }
            case STRING -> {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                b.writeBytes(Literals.string(t));
                while (peek().kind == Tok.Kind.STRING) {
                    b.writeBytes(Literals.string(next()));
                }
                Expr.Str s = new Expr.Str(b.toByteArray(), t);
                prog.strings.add(s);
                return s;
            }
            case PUNCT -> {
                if (t.is("(")) {
                    if (at("{")) {
                        return statementExpression(t);
                    }
                    Expr e = expr();
                    expect(")");
                    return e;
                }
                throw error(t, "expected expression before " + describe(t));
            }
            case EOF -> throw error(t, "expected expression before end of input");
            default -> {
            }
        }
        switch (t.text) {
            case "__func__", "__FUNCTION__", "__PRETTY_FUNCTION__" -> {
                byte[] name = (fn == null ? "" : fn.name).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                Expr.Str s = new Expr.Str(name, t);
                prog.strings.add(s);
                return s;
            }
            case "__builtin_frame_address", "__builtin_return_address" -> {
                expect("(");
                long level = constExpr();
                expect(")");
                if (level != 0) {
                    throw error(t, "unsupported: " + t.text + " with a level other than 0");
                }
                boolean frame = t.text.equals("__builtin_frame_address");
                return new Builtins.FrameAddress(frame, t);
            }
            case "__builtin_expect" -> {
                expect("(");
                Expr e = assignment();
                expect(",");
                assignment();
                expect(")");
                return e;
            }
            case "__builtin_offsetof", "offsetof" -> {
                if (!(lookup(t.text) == null && t.text.equals("__builtin_offsetof"))) {
                    break;
                }
                expect("(");
                CType ty = typeName();
                expect(",");
                long off = 0;
                CType cur = ty;
                while (true) {
                    Tok name = next();
                    if (!cur.isRecord()) {
                        throw error(name, "request for member '" + name.text + "' in something not a structure or union");
                    }
                    CType.Field f = cur.field(name.text);
                    if (f == null) {
                        throw error(name, "'" + cur + "' has no member named '" + name.text + "'");
                    }
                    off += f.offset();
                    cur = f.type();
                    while (accept("[")) {
                        long i = constExpr();
                        expect("]");
                        off += i * cur.base.size;
                        cur = cur.base;
                    }
                    if (!accept(".")) {
                        break;
                    }
                }
                expect(")");
                return new Expr.Const(off, CType.ULONG, t);
            }
            case "__builtin_va_start" -> {
                expect("(");
                Expr ap = rv(assignment());
                expect(",");
                assignment();
                expect(")");
                if (fn == null || !fn.type.variadic) {
                    throw error(t, "'va_start' used in function with fixed arguments");
                }
                return new Variadic.Start(vaList(ap, t), Variadic.named(fn.type.params), t);
            }
            case "__builtin_va_arg" -> {
                expect("(");
                Expr ap = rv(assignment());
                expect(",");
                CType ty = typeName();
                expect(")");
                if (ty.isRecord() || ty.k == CType.K.LDOUBLE) {
                    throw error(t, "unsupported: va_arg of type '" + ty + "'");
                }
                return new Variadic.Arg(vaList(ap, t), ty, t);
            }
            case "__builtin_va_end" -> {
                expect("(");
                Expr ap = rv(assignment());
                expect(")");
                vaList(ap, t);
                return new Expr.Const(0, CType.VOID, t);
            }
            case "__builtin_va_copy" -> {
                expect("(");
                Expr d = rv(assignment());
                expect(",");
                Expr s = rv(assignment());
                expect(")");
                return new Variadic.Copy(vaList(d, t), vaList(s, t), t);
            }
            default -> {
            }
        }
        Object o = lookup(t.text);
        if (o == null) {
            if (at("(")) {
                Tok later = declaredLater(t.text);
                throw error(t, "implicit declaration of function '" + t.text + "'"
                        + (later != null ? " (it is declared on line " + later.line + ", after this call: declare it"
                        + " before the call)"
                        : Builtins.known(t.text) ? " (declared in a header you did not include)"
                        : " (not declared by mallocscope's headers; see docs/c.md for the C library it provides)"));
            }
            throw error(t, "'" + t.text + "' undeclared" + (fn == null ? " here (not in a function)" : " (first use in this function)"));
        }
        if (o instanceof Var v) {
            if (!noUse) {
                v.used = true;
            }
            if (v.global) {
                if (Builtins.isLibcObject(v.name) && v.isExtern) {
                    prog.copyRelocs.add(v.name);
                }
                if (v.isExtern) {
                    prog.externs.add(v);
                }
                return new Expr.Global(v, t);
            }
            if (v.vlaPointer != null) {
                return new Expr.VlaLocal(v, t);
            }
            Expr.Local loc = new Expr.Local(v, t);
            if (!noUse) {
                loc.readSeq = seq;
                v.reads.add(seq++);
            }
            return loc;
        }
        if (o instanceof Function f) {
            prog.nameUses.computeIfAbsent(f.name, k -> new int[2])[0]++;
            return new Expr.FuncRef(f, t);
        }
        if (o instanceof Long c) {
            return new Expr.Const(c, CType.INT, t);
        }
        throw error(t, "expected expression before '" + t.text + "'");
    }

    private Expr statementExpression(Tok lp) {
        if (fn == null) {
            throw error(lp, "braced-group within expression allowed only inside a function");
        }
        Tok lb = expect("{");
        push();
        List<Stmt> body = new ArrayList<>();
        Expr last = null;
        while (!at("}")) {
            if (startsType(peek())) {
                localDeclaration(body);
                last = null;
            } else {
                Tok st = peek();
                Stmt s = statement();
                if (s instanceof Stmt.ExprStmt es && at("}")) {
                    last = es.e;
                } else {
                    body.add(s);
                }
            }
        }
        expect("}");
        expect(")");
        pop();
        return new Expr.StmtExpr(new Stmt.Block(body, lb), last == null ? null : rv(last), lp);
    }

    static byte[] stringLiteral(Tok t) {
        if (t.kind != Tok.Kind.STRING) {
            throw error(t, "expected string literal before " + describe(t));
        }
        return Literals.string(t);
    }

    // ================================================================ conversions

    /** An rvalue: arrays and functions decay to pointers. */
    Expr rv(Expr e) {
        if (e.type.k == CType.K.ARRAY) {
            return new Expr.Decay(e, CType.ptr(e.type.base));
        }
        if (e.type.k == CType.K.FUNC) {
            if (e instanceof Expr.FuncRef fr) {
                markFunctionUsed(fr.fn, e.at);
            }
            return new Expr.Decay(e, CType.ptr(e.type));
        }
        return e;
    }

    static CType promotedType(CType t) {
        if (t.isInteger() && t.rank() < 3) {
            return CType.INT;
        }
        return t;
    }

    Expr promote(Expr e) {
        CType p = promotedType(e.type);
        return p == e.type ? e : new Expr.Cast(e, p, e.at);
    }

    static CType common(CType a, CType b) {
        if (a.k == CType.K.LDOUBLE || b.k == CType.K.LDOUBLE) {
            return CType.DOUBLE;
        }
        if (a.k == CType.K.DOUBLE || b.k == CType.K.DOUBLE) {
            return CType.DOUBLE;
        }
        if (a.k == CType.K.FLOAT || b.k == CType.K.FLOAT) {
            return CType.FLOAT;
        }
        a = promotedType(a);
        b = promotedType(b);
        if (a.size == b.size && a.isUnsigned() == b.isUnsigned()) {
            return a.k == b.k ? (a == CType.LLONG || b == CType.LLONG ? CType.LLONG : a.isEnum ? b : a) : a;
        }
        if (a.isUnsigned() == b.isUnsigned()) {
            return a.size > b.size ? a : b;
        }
        CType u = a.isUnsigned() ? a : b;
        CType s = a.isUnsigned() ? b : a;
        if (u.size >= s.size) {
            return u.k == CType.K.UINT && u.isEnum ? CType.UINT : u;
        }
        return s; // long can hold every unsigned int
    }

    private static Expr cast(Expr e, CType t) {
        if (e.type == t || e.type.k == t.k && e.type.size == t.size && !t.isRecord() && !t.isPointer()) {
            return e;
        }
        return new Expr.Cast(e, t, e.at);
    }

    private static boolean isNullConstant(Expr e) {
        Long c = e.constant();
        return c != null && c == 0 && (e.type.isInteger() || e.type.isPointer() && e.type.base.isVoid());
    }

    /** The conversion "as if by assignment" (C11 6.5.16.1), with gcc's errors for what it refuses. */
    Expr assignConvert(Expr e, CType to, Tok at, String context) {
        CType from = e.type;
        if (to.isArithmetic() && from.isArithmetic()) {
            return cast(e, to);
        }
        if (to.isPointer() && from.isPointer()) {
            return e.type == to ? e : new Expr.Cast(e, to, at);
        }
        if (to.isPointer() && from.isInteger()) {
            return new Expr.Cast(e, to, at); // gcc warns (int-conversion) and converts
        }
        if (to.k == CType.K.BOOL && from.isPointer()) {
            return new Expr.Cast(e, to, at);
        }
        if (to.isInteger() && from.isPointer()) {
            return new Expr.Cast(e, to, at); // gcc warns and converts
        }
        if (to.isRecord() && from.isRecord() && sameType(to, from)) {
            return e;
        }
        if (from.isVoid()) {
            throw error(at, "void value not ignored as it ought to be");
        }
        String what = switch (context) {
            case "return" -> "incompatible types when returning type '" + from + "' but '" + to + "' was expected";
            case "initialization" -> "incompatible types when initializing type '" + to + "' using type '" + from + "'";
            case "argument" -> "incompatible type for argument (have '" + from + "', expected '" + to + "')";
            default -> "incompatible types when assigning to type '" + to + "' from type '" + from + "'";
        };
        throw error(at, what);
    }
}
