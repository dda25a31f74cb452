package io.mallocscope.c;

import java.util.ArrayList;
import java.util.List;

/** Splits a source file into preprocessing tokens: splices lines, drops comments, keeps positions. */
final class Lexer {
    private static final String[] PUNCTS = {
        "<<=", ">>=", "...", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "*=", "/=", "%=",
        "+=", "-=", "&=", "^=", "|=", "##",
    };

    private final SourceFile file;
    private final char[] c;
    private final int[] lines;
    private final int[] cols;
    private final int n;

    Lexer(SourceFile file) {
        this.file = file;
        String t = file.text();
        char[] buf = new char[t.length() + 1];
        int[] ls = new int[t.length() + 1];
        int[] cs = new int[t.length() + 1];
        int k = 0;
        int line = 1;
        int col = 1;
        for (int i = 0; i < t.length(); i++) {
            char ch = t.charAt(i);
            if (ch == '\\' && i + 1 < t.length() && (t.charAt(i + 1) == '\n'
                    || t.charAt(i + 1) == '\r' && i + 2 < t.length() && t.charAt(i + 2) == '\n')) {
                i += t.charAt(i + 1) == '\r' ? 2 : 1;
                line++;
                col = 1;
                continue;
            }
            if (ch == '\r') {
                continue;
            }
            buf[k] = ch;
            ls[k] = line;
            cs[k] = col;
            k++;
            if (ch == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        buf[k] = '\n';
        ls[k] = line;
        cs[k] = col;
        this.c = buf;
        this.lines = ls;
        this.cols = cs;
        this.n = k;
    }

    private CompileError error(int i, String msg) {
        return new CompileError(file, lines[Math.min(i, n)], cols[Math.min(i, n)], msg);
    }

    List<Tok> tokens() {
        List<Tok> out = new ArrayList<>();
        boolean bol = true;
        boolean space = false;
        int i = 0;
        while (i < n) {
            char ch = c[i];
            if (ch == '\n') {
                bol = true;
                space = false;
                i++;
                continue;
            }
            if (ch == ' ' || ch == '\t' || ch == '\f' || ch == '\u000b') {
                space = true;
                i++;
                continue;
            }
            if (ch == '/' && c[i + 1] == '/') {
                while (i < n && c[i] != '\n') {
                    i++;
                }
                space = true;
                continue;
            }
            if (ch == '/' && c[i + 1] == '*') {
                int start = i;
                i += 2;
                while (i < n && !(c[i] == '*' && c[i + 1] == '/')) {
                    i++;
                }
                if (i >= n) {
                    throw error(start, "unterminated comment");
                }
                i += 2;
                space = true;
                continue;
            }
            int start = i;
            Tok.Kind kind;
            if (Character.isDigit(ch) || ch == '.' && Character.isDigit(c[i + 1])) {
                i++;
                while (i < n) {
                    char d = c[i];
                    if ((d == '+' || d == '-') && "eEpP".indexOf(c[i - 1]) >= 0) {
                        i++;
                    } else if (Character.isLetterOrDigit(d) || d == '.' || d == '_') {
                        i++;
                    } else {
                        break;
                    }
                }
                kind = Tok.Kind.NUMBER;
            } else if (Character.isLetter(ch) || ch == '_' || ch == '$') {
                while (i < n && (Character.isLetterOrDigit(c[i]) || c[i] == '_' || c[i] == '$')) {
                    i++;
                }
                kind = Tok.Kind.IDENT;
                // encoding prefixes of string and character literals
                String id = new String(c, start, i - start);
                if ((c[i] == '"' || c[i] == '\'') && (id.equals("L") || id.equals("u8") || id.equals("u") || id.equals("U"))) {
                    throw error(start, "unsupported: wide and Unicode string literals");
                }
            } else if (ch == '"' || ch == '\'') {
                i++;
                while (c[i] != ch) {
                    if (c[i] == '\n' || i >= n) {
                        throw error(start, "missing terminating " + ch + " character");
                    }
                    if (c[i] == '\\') {
                        i++;
                    }
                    i++;
                }
                i++;
                kind = ch == '"' ? Tok.Kind.STRING : Tok.Kind.CHAR;
            } else {
                String p = null;
                for (String cand : PUNCTS) {
                    if (matches(i, cand)) {
                        p = cand;
                        break;
                    }
                }
                if (p == null) {
                    if ("+-*/%&|^~!<>=?:;,.()[]{}#".indexOf(ch) < 0) {
                        throw error(i, "stray '" + ch + "' in program");
                    }
                    p = String.valueOf(ch);
                }
                i += p.length();
                kind = Tok.Kind.PUNCT;
            }
            Tok t = new Tok(kind, new String(c, start, i - start), file, lines[start], cols[start]);
            t.bol = bol;
            t.space = space;
            bol = false;
            space = false;
            out.add(t);
        }
        Tok eof = new Tok(Tok.Kind.EOF, "", file, lines[n], cols[n]);
        eof.bol = true;
        out.add(eof);
        return out;
    }

    private boolean matches(int i, String s) {
        for (int k = 0; k < s.length(); k++) {
            if (i + k >= n || c[i + k] != s.charAt(k)) {
                return false;
            }
        }
        return true;
    }
}
