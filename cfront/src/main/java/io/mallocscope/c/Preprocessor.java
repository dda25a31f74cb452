package io.mallocscope.c;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * C's preprocessor: {@code #include} (the project's own standard headers, and {@code "local.h"}
 * next to the including file), object- and function-like {@code #define} with {@code #}, {@code ##}
 * and {@code __VA_ARGS__}, conditionals with {@code defined}, {@code __FILE__}/{@code __LINE__},
 * {@code #pragma once}. Expansion follows the standard's rescanning rule: a macro is not expanded
 * again inside its own expansion.
 */
final class Preprocessor {
    static final String HEADERS = "/io/mallocscope/c/include/";

    private record Macro(String name, boolean fn, List<String> params, boolean variadic, List<Tok> body) {
    }

    private final Map<String, Macro> macros = new HashMap<>();
    private final Set<String> once = new HashSet<>();
    private final Deque<Boolean> conds = new ArrayDeque<>();
    private int includeDepth;

    Preprocessor() {
        define("__x86_64__ 1");
        define("__x86_64 1");
        define("__LP64__ 1");
        define("_LP64 1");
        define("__linux__ 1");
        define("__unix__ 1");
        define("__GNUC__ 12");
        define("__GNUC_MINOR__ 2");
        define("__STDC__ 1");
        define("__STDC_VERSION__ 201710L");
        define("__STDC_HOSTED__ 1");
        define("__CHAR_BIT__ 8");
        define("__SIZEOF_POINTER__ 8");
        define("__SIZEOF_LONG__ 8");
        define("__SIZEOF_INT__ 4");
        define("__SIZEOF_SIZE_T__ 8");
        define("__GLIBC__ 2");
        define("__GLIBC_MINOR__ 36");
        define("__ORDER_LITTLE_ENDIAN__ 1234");
        define("__BYTE_ORDER__ 1234");
        define("__mallocscope__ 1");
    }

    /** {@code -D}-style definition: "NAME" or "NAME value". */
    void define(String def) {
        SourceFile f = new SourceFile("<command-line>", "#define " + def + "\n", null);
        run(f);
    }

    List<Tok> run(SourceFile file) {
        Deque<Tok> in = new ArrayDeque<>(new Lexer(file).tokens());
        List<Tok> out = new ArrayList<>();
        while (true) {
            Tok t = in.pollFirst();
            if (t.kind == Tok.Kind.EOF) {
                if (in.isEmpty()) {
                    if (!conds.isEmpty()) {
                        throw new CompileError(t, "unterminated conditional directive");
                    }
                    out.add(t);
                    return out;
                }
                continue; // end of an included file
            }
            if (t.bol && t.is("#") && t.hideset.isEmpty()) {
                directive(t, in);
                continue;
            }
            if (t.kind == Tok.Kind.IDENT && expand(t, in)) {
                continue;
            }
            out.add(t);
        }
    }

    private static List<Tok> restOfLine(Deque<Tok> in) {
        List<Tok> line = new ArrayList<>();
        while (!in.peekFirst().bol) {
            line.add(in.pollFirst());
        }
        return line;
    }

    private void directive(Tok hash, Deque<Tok> in) {
        Tok d = in.peekFirst();
        if (d.bol) {
            return; // the null directive
        }
        in.pollFirst();
        List<Tok> line = restOfLine(in);
        switch (d.text) {
            case "include" -> include(d, line, in);
            case "define" -> defineMacro(d, line);
            case "undef" -> {
                if (line.isEmpty() || line.get(0).kind != Tok.Kind.IDENT) {
                    throw new CompileError(d, "macro names must be identifiers");
                }
                macros.remove(line.get(0).text);
            }
            case "ifdef", "ifndef" -> {
                if (line.isEmpty() || line.get(0).kind != Tok.Kind.IDENT) {
                    throw new CompileError(d, "no macro name given in #" + d.text + " directive");
                }
                boolean defined = macros.containsKey(line.get(0).text);
                conditional(d.text.equals("ifdef") == defined, in);
            }
            case "if" -> conditional(evalCondition(d, line), in);
            case "elif", "else" -> {
                if (conds.isEmpty()) {
                    throw new CompileError(d, "#" + d.text + " without #if");
                }
                // the group before was taken: skip to #endif
                skip(in, true);
            }
            case "endif" -> {
                if (conds.isEmpty()) {
                    throw new CompileError(d, "#endif without #if");
                }
                conds.pop();
            }
            case "pragma" -> {
                if (!line.isEmpty() && line.get(0).is("once")) {
                    once.add(key(d.file));
                }
            }
            case "error" -> throw new CompileError(d, "#error " + spell(line, false));
            case "warning", "line", "ident" -> {
            }
            default -> throw new CompileError(d, "invalid preprocessing directive #" + d.text);
        }
    }

    private static String key(SourceFile f) {
        return f.dir() == null ? f.name() : f.dir().resolve(Path.of(f.name()).getFileName().toString()).toString() + "|" + f.name();
    }

    /** Enters an #if group: if it is false, skips to the #elif/#else/#endif that applies. */
    private void conditional(boolean taken, Deque<Tok> in) {
        conds.push(Boolean.TRUE);
        if (!taken) {
            skip(in, false);
        }
    }

    /**
     * Skips tokens of groups not taken. With {@code toEnd}, skips to the matching #endif (a group was
     * already taken); otherwise stops at an #elif whose condition holds or at #else.
     */
    private void skip(Deque<Tok> in, boolean toEnd) {
        int depth = 0;
        while (true) {
            Tok t = in.peekFirst();
            if (t.kind == Tok.Kind.EOF) {
                throw new CompileError(t, "unterminated conditional directive");
            }
            in.pollFirst();
            if (!(t.bol && t.is("#")) || in.peekFirst().bol) {
                continue;
            }
            Tok d = in.peekFirst();
            switch (d.text) {
                case "if", "ifdef", "ifndef" -> depth++;
                case "endif" -> {
                    if (depth == 0) {
                        in.pollFirst();
                        restOfLine(in);
                        conds.pop();
                        return;
                    }
                    depth--;
                }
                case "elif" -> {
                    if (depth == 0 && !toEnd) {
                        in.pollFirst();
                        if (evalCondition(d, restOfLine(in))) {
                            return;
                        }
                    }
                }
                case "else" -> {
                    if (depth == 0 && !toEnd) {
                        in.pollFirst();
                        restOfLine(in);
                        return;
                    }
                }
                default -> {
                }
            }
        }
    }

    // ---------------------------------------------------------------- #include

    private void include(Tok d, List<Tok> line, Deque<Tok> in) {
        if (line.isEmpty()) {
            throw new CompileError(d, "#include expects \"FILENAME\" or <FILENAME>");
        }
        String name;
        boolean system;
        Tok first = line.get(0);
        if (first.kind == Tok.Kind.STRING) {
            name = first.text.substring(1, first.text.length() - 1);
            system = false;
        } else if (first.is("<")) {
            StringBuilder sb = new StringBuilder();
            int i = 1;
            for (; i < line.size() && !line.get(i).is(">"); i++) {
                sb.append(line.get(i).space && sb.length() > 0 ? " " : "").append(line.get(i).text);
            }
            if (i == line.size()) {
                throw new CompileError(first, "missing terminating > character");
            }
            name = sb.toString();
            system = true;
        } else {
            List<Tok> expanded = expandList(line);
            if (!expanded.isEmpty() && expanded.get(0).kind == Tok.Kind.STRING) {
                include(d, expanded, in);
                return;
            }
            throw new CompileError(first, "#include expects \"FILENAME\" or <FILENAME>");
        }
        SourceFile f = null;
        if (!system && d.file.dir() != null) {
            Path p = d.file.dir().resolve(name);
            if (Files.isRegularFile(p)) {
                try {
                    String base = d.file.name();
                    int slash = base.lastIndexOf('/');
                    String shown = slash < 0 ? name : base.substring(0, slash + 1) + name;
                    f = new SourceFile(shown, Files.readString(p, StandardCharsets.UTF_8), p.toAbsolutePath().getParent());
                } catch (IOException e) {
                    throw new CompileError(first, name + ": " + e.getMessage());
                }
            }
        }
        if (f == null) {
            f = systemHeader(name);
        }
        if (f == null) {
            throw new CompileError(first, system && name.endsWith(".h")
                    ? "unsupported header <" + name + ">: mallocscope ships only the headers whose functions it implements (see docs/c.md)"
                    : name + ": No such file or directory");
        }
        if (once.contains(key(f))) {
            return;
        }
        if (++includeDepth > 200) {
            throw new CompileError(first, "#include nested depth 200 exceeds maximum");
        }
        List<Tok> toks = new Lexer(f).tokens();
        // the included file's tokens come next; its EOF marks where it ended
        for (int i = toks.size() - 1; i >= 0; i--) {
            in.addFirst(toks.get(i));
        }
        includeDepth--;
    }

    static SourceFile systemHeader(String name) {
        if (name.contains("..")) {
            return null;
        }
        try (InputStream s = Preprocessor.class.getResourceAsStream(HEADERS + name)) {
            if (s == null) {
                return null;
            }
            return new SourceFile("/usr/include/" + name, new String(s.readAllBytes(), StandardCharsets.UTF_8), null);
        } catch (IOException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- #define

    private void defineMacro(Tok d, List<Tok> line) {
        if (line.isEmpty() || line.get(0).kind != Tok.Kind.IDENT) {
            throw new CompileError(d, "macro names must be identifiers");
        }
        Tok name = line.get(0);
        if (name.text.equals("defined")) {
            throw new CompileError(name, "\"defined\" cannot be used as a macro name");
        }
        int i = 1;
        if (line.size() > 1 && line.get(1).is("(") && !line.get(1).space) {
            List<String> params = new ArrayList<>();
            boolean variadic = false;
            i = 2;
            while (true) {
                if (i >= line.size()) {
                    throw new CompileError(name, "missing ')' in macro parameter list");
                }
                Tok p = line.get(i);
                if (p.is(")")) {
                    i++;
                    break;
                }
                if (!params.isEmpty() || variadic) {
                    if (!p.is(",")) {
                        throw new CompileError(p, "expected ',' or ')' in macro parameter list");
                    }
                    p = line.get(++i);
                }
                if (p.is("...")) {
                    variadic = true;
                    i++;
                    continue;
                }
                if (p.kind != Tok.Kind.IDENT) {
                    throw new CompileError(p, "expected parameter name, found \"" + p.text + "\"");
                }
                params.add(p.text);
                i++;
            }
            macros.put(name.text, new Macro(name.text, true, params, variadic, new ArrayList<>(line.subList(i, line.size()))));
        } else {
            macros.put(name.text, new Macro(name.text, false, List.of(), false, new ArrayList<>(line.subList(i, line.size()))));
        }
    }

    // ---------------------------------------------------------------- expansion

    private static Set<String> plus(Set<String> hs, String name) {
        Set<String> s = new HashSet<>(hs);
        s.add(name);
        return Set.copyOf(s);
    }

    /** If {@code t} names a macro to expand here, pushes its expansion onto {@code in} and returns true. */
    private boolean expand(Tok t, Deque<Tok> in) {
        if (t.hideset.contains(t.text)) {
            return false;
        }
        if (t.text.equals("__FILE__")) {
            in.addFirst(literal(t, Tok.Kind.STRING, quote(t.file.name())));
            return true;
        }
        if (t.text.equals("__LINE__")) {
            in.addFirst(literal(t, Tok.Kind.NUMBER, Integer.toString(t.line)));
            return true;
        }
        Macro m = macros.get(t.text);
        if (m == null) {
            return false;
        }
        if (!m.fn) {
            Set<String> hs = plus(t.hideset, m.name);
            List<Tok> body = subst(m, List.of(), t);
            push(in, body, hs, t);
            return true;
        }
        Tok lp = in.peekFirst();
        if (!lp.is("(")) {
            return false;
        }
        in.pollFirst();
        List<List<Tok>> args = new ArrayList<>();
        List<Tok> cur = new ArrayList<>();
        int depth = 0;
        Tok rp;
        while (true) {
            Tok a = in.pollFirst();
            if (a.kind == Tok.Kind.EOF) {
                throw new CompileError(t, "unterminated argument list invoking macro \"" + m.name + "\"");
            }
            if (depth == 0 && a.is(")")) {
                rp = a;
                args.add(cur);
                break;
            }
            if (depth == 0 && a.is(",") && !(m.variadic && args.size() == m.params.size())) {
                args.add(cur);
                cur = new ArrayList<>();
                continue;
            }
            if (a.is("(")) {
                depth++;
            } else if (a.is(")")) {
                depth--;
            }
            cur.add(a);
        }
        int want = m.params.size() + (m.variadic ? 1 : 0);
        if (args.size() == 1 && args.get(0).isEmpty() && m.params.isEmpty()) {
            args.clear();
            if (m.variadic) {
                args.add(new ArrayList<>());
            }
        }
        if (m.variadic && args.size() == m.params.size()) {
            args.add(new ArrayList<>());
        }
        if (args.size() != want) {
            throw new CompileError(t, "macro \"" + m.name + "\" " + (args.size() > want ? "passed " + args.size()
                    + " arguments, but takes just " + want : "requires " + want + " arguments, but only " + args.size() + " given"));
        }
        Set<String> hs = new HashSet<>(t.hideset);
        hs.retainAll(rp.hideset);
        hs.add(m.name);
        push(in, subst(m, args, t), Set.copyOf(hs), t);
        return true;
    }

    private static void push(Deque<Tok> in, List<Tok> body, Set<String> hs, Tok at) {
        for (int i = body.size() - 1; i >= 0; i--) {
            Tok b = body.get(i).at(at);
            Set<String> s = new HashSet<>(b.hideset);
            s.addAll(hs);
            b.hideset = Set.copyOf(s);
            if (i == 0) {
                b.space = at.space;
            }
            in.addFirst(b);
        }
    }

    private static Tok literal(Tok at, Tok.Kind kind, String text) {
        Tok t = new Tok(kind, text, at.file, at.line, at.col);
        t.space = at.space;
        return t;
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            if (ch == '"' || ch == '\\') {
                sb.append('\\');
            }
            sb.append(ch);
        }
        return sb.append('"').toString();
    }

    private List<Tok> expandList(List<Tok> toks) {
        Deque<Tok> in = new ArrayDeque<>(toks);
        Tok eof = new Tok(Tok.Kind.EOF, "", null, 0, 0);
        in.addLast(eof);
        List<Tok> out = new ArrayList<>();
        while (true) {
            Tok t = in.pollFirst();
            if (t == eof) {
                return out;
            }
            if (t.kind == Tok.Kind.IDENT && expand(t, in)) {
                continue;
            }
            out.add(t);
        }
    }

    private int paramIndex(Macro m, Tok t) {
        if (t.kind != Tok.Kind.IDENT) {
            return -1;
        }
        if (m.variadic && t.text.equals("__VA_ARGS__")) {
            return m.params.size();
        }
        return m.params.indexOf(t.text);
    }

    private List<Tok> subst(Macro m, List<List<Tok>> args, Tok at) {
        List<Tok> body = m.body;
        List<Tok> out = new ArrayList<>();
        for (int i = 0; i < body.size(); i++) {
            Tok t = body.get(i);
            if (m.fn && t.is("#")) {
                int p = i + 1 < body.size() ? paramIndex(m, body.get(i + 1)) : -1;
                if (p < 0) {
                    throw new CompileError(t, "'#' is not followed by a macro parameter");
                }
                // spell(…, true) has already escaped the quotes and backslashes of the argument's literals
                Tok s = literal(at, Tok.Kind.STRING, "\"" + spell(args.get(p), true) + "\"");
                s.space = t.space;
                out.add(s);
                i++;
                continue;
            }
            if (t.is("##")) {
                if (out.isEmpty() || i + 1 >= body.size()) {
                    throw new CompileError(t, "'##' cannot appear at either end of a macro expansion");
                }
                Tok rhs = body.get(i + 1);
                int p = paramIndex(m, rhs);
                List<Tok> right = p >= 0 ? args.get(p) : List.of(rhs);
                i++;
                Tok left = out.get(out.size() - 1);
                // GNU: ", ## __VA_ARGS__" drops the comma when there are no variable arguments
                if (p == m.params.size() && m.variadic && left.is(",")) {
                    if (right.isEmpty()) {
                        out.remove(out.size() - 1);
                    } else {
                        for (Tok a : expandList(right)) {
                            out.add(a.copy());
                        }
                    }
                    continue;
                }
                if (right.isEmpty()) {
                    continue;
                }
                out.remove(out.size() - 1);
                out.add(paste(left, right.get(0)));
                for (int k = 1; k < right.size(); k++) {
                    out.add(right.get(k));
                }
                continue;
            }
            int p = paramIndex(m, t);
            if (p >= 0) {
                boolean pasted = i + 1 < body.size() && body.get(i + 1).is("##");
                List<Tok> arg = pasted ? args.get(p) : expandList(args.get(p));
                for (int k = 0; k < arg.size(); k++) {
                    Tok a = arg.get(k).copy();
                    if (k == 0) {
                        a.space = t.space;
                    }
                    out.add(a);
                }
                continue;
            }
            out.add(t.copy());
        }
        return out;
    }

    private static Tok paste(Tok l, Tok r) {
        String text = l.text + r.text;
        List<Tok> toks = new Lexer(new SourceFile(l.file == null ? "<paste>" : l.file.name(), text, null)).tokens();
        if (toks.size() != 2) {
            throw new CompileError(l, "pasting \"" + l.text + "\" and \"" + r.text + "\" does not give a valid preprocessing token");
        }
        Tok t = new Tok(toks.get(0).kind, text, l.file, l.line, l.col);
        t.space = l.space;
        t.hideset = l.hideset;
        return t;
    }

    /** Tokens spelled as the source had them, one space where there was whitespace. */
    static String spell(List<Tok> toks, boolean forStringize) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < toks.size(); i++) {
            Tok t = toks.get(i);
            if (i > 0 && t.space) {
                sb.append(' ');
            }
            if (forStringize && (t.kind == Tok.Kind.STRING || t.kind == Tok.Kind.CHAR)) {
                for (char ch : t.text.toCharArray()) {
                    if (ch == '"' || ch == '\\') {
                        sb.append('\\');
                    }
                    sb.append(ch);
                }
            } else {
                sb.append(t.text);
            }
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- #if

    private boolean evalCondition(Tok d, List<Tok> line) {
        List<Tok> resolved = new ArrayList<>();
        for (int i = 0; i < line.size(); i++) {
            Tok t = line.get(i);
            if (t.is("defined")) {
                boolean paren = i + 1 < line.size() && line.get(i + 1).is("(");
                int j = paren ? i + 2 : i + 1;
                if (j >= line.size() || line.get(j).kind != Tok.Kind.IDENT) {
                    throw new CompileError(t, "operator \"defined\" requires an identifier");
                }
                boolean def = macros.containsKey(line.get(j).text) || line.get(j).text.equals("__FILE__")
                        || line.get(j).text.equals("__LINE__");
                if (paren && (j + 1 >= line.size() || !line.get(j + 1).is(")"))) {
                    throw new CompileError(t, "missing ')' after \"defined\"");
                }
                resolved.add(literal(t, Tok.Kind.NUMBER, def ? "1" : "0"));
                i = paren ? j + 1 : j;
            } else {
                resolved.add(t);
            }
        }
        List<Tok> e = expandList(resolved);
        if (e.isEmpty()) {
            throw new CompileError(d, "#" + d.text + " with no expression");
        }
        CondEval ev = new CondEval(e, d);
        long v = ev.ternary();
        if (ev.pos < e.size()) {
            throw new CompileError(e.get(ev.pos), "missing binary operator before token \"" + e.get(ev.pos).text + "\"");
        }
        return v != 0;
    }

    /** Integer constant expressions of #if; identifiers left after expansion are 0. */
    private static final class CondEval {
        final List<Tok> t;
        final Tok d;
        int pos;

        CondEval(List<Tok> t, Tok d) {
            this.t = t;
            this.d = d;
        }

        boolean at(String s) {
            if (pos < t.size() && t.get(pos).kind == Tok.Kind.PUNCT && t.get(pos).text.equals(s)) {
                pos++;
                return true;
            }
            return false;
        }

        long ternary() {
            long c = binary(0);
            if (at("?")) {
                long a = ternary();
                if (!at(":")) {
                    throw new CompileError(d, "'?' without following ':' in #if");
                }
                long b = ternary();
                return c != 0 ? a : b;
            }
            return c;
        }

        static final String[][] LEVELS = {
            {"||"}, {"&&"}, {"|"}, {"^"}, {"&"}, {"==", "!="}, {"<", ">", "<=", ">="}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "%"},
        };

        long binary(int level) {
            if (level == LEVELS.length) {
                return unary();
            }
            long l = binary(level + 1);
            outer:
            while (true) {
                for (String op : LEVELS[level]) {
                    if (at(op)) {
                        long r = binary(level + 1);
                        l = switch (op) {
                            case "||" -> (l != 0 || r != 0) ? 1 : 0;
                            case "&&" -> (l != 0 && r != 0) ? 1 : 0;
                            case "|" -> l | r;
                            case "^" -> l ^ r;
                            case "&" -> l & r;
                            case "==" -> l == r ? 1 : 0;
                            case "!=" -> l != r ? 1 : 0;
                            case "<" -> l < r ? 1 : 0;
                            case ">" -> l > r ? 1 : 0;
                            case "<=" -> l <= r ? 1 : 0;
                            case ">=" -> l >= r ? 1 : 0;
                            case "<<" -> l << r;
                            case ">>" -> l >> r;
                            case "+" -> l + r;
                            case "-" -> l - r;
                            case "*" -> l * r;
                            default -> {
                                if (r == 0) {
                                    throw new CompileError(d, "division by zero in #" + d.text);
                                }
                                yield op.equals("/") ? l / r : l % r;
                            }
                        };
                        continue outer;
                    }
                }
                return l;
            }
        }

        long unary() {
            if (at("!")) {
                return unary() == 0 ? 1 : 0;
            }
            if (at("-")) {
                return -unary();
            }
            if (at("+")) {
                return unary();
            }
            if (at("~")) {
                return ~unary();
            }
            if (at("(")) {
                long v = ternary();
                if (!at(")")) {
                    throw new CompileError(d, "missing ')' in expression");
                }
                return v;
            }
            if (pos >= t.size()) {
                throw new CompileError(d, "#" + d.text + " with no expression");
            }
            Tok x = t.get(pos++);
            return switch (x.kind) {
                case NUMBER -> Literals.integer(x).value();
                case CHAR -> Literals.character(x);
                case IDENT -> 0;
                default -> throw new CompileError(x, "token \"" + x.text + "\" is not valid in preprocessor expressions");
            };
        }
    }
}
