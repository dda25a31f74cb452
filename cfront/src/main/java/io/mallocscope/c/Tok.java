package io.mallocscope.c;

import java.util.Set;

/** One preprocessing token, with where it was written (after macro expansion: where the macro was used). */
final class Tok {
    enum Kind { IDENT, NUMBER, CHAR, STRING, PUNCT, EOF }

    final Kind kind;
    final String text;
    final SourceFile file;
    final int line;
    final int col;
    /** First token on its line (a '#' here starts a directive). */
    boolean bol;
    /** Whitespace came before it (for stringification). */
    boolean space;
    /** Macros that must not expand this token again (C's "painted blue" rule). */
    Set<String> hideset = Set.of();

    Tok(Kind kind, String text, SourceFile file, int line, int col) {
        this.kind = kind;
        this.text = text;
        this.file = file;
        this.line = line;
        this.col = col;
    }

    Tok copy() {
        Tok t = new Tok(kind, text, file, line, col);
        t.bol = bol;
        t.space = space;
        t.hideset = hideset;
        return t;
    }

    /** A copy that reports the position of {@code at} (a macro's use site). */
    Tok at(Tok at) {
        Tok t = new Tok(kind, text, at.file, at.line, at.col);
        t.bol = false;
        t.space = space;
        t.hideset = hideset;
        return t;
    }

    boolean is(String s) {
        return (kind == Kind.PUNCT || kind == Kind.IDENT) && text.equals(s);
    }

    @Override
    public String toString() {
        return text;
    }
}
