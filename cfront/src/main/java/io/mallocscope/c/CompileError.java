package io.mallocscope.c;

/**
 * A diagnostic in gcc's form: {@code prog.c:12:5: error: message}, then the source line and a caret
 * under the column. Thrown for the first error; the program does not run.
 */
public final class CompileError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final int line;
    private final int col;
    private final String detail;
    private final String quote;

    CompileError(SourceFile file, int line, int col, String detail) {
        super(file.name() + ":" + line + ":" + col + ": error: " + detail, null, false, false);
        this.file = file.name();
        this.line = line;
        this.col = col;
        this.detail = detail;
        this.quote = file.line(line);
    }

    CompileError(Tok at, String detail) {
        this(at.file, at.line, at.col, detail);
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }

    public int column() {
        return col;
    }

    /** The message without the position. */
    public String detail() {
        return detail;
    }

    /** The whole diagnostic as gcc prints it: the error line, the source line, a caret. */
    public String diagnostic() {
        StringBuilder caret = new StringBuilder();
        for (int i = 0; i < col - 1 && i < quote.length(); i++) {
            caret.append(quote.charAt(i) == '\t' ? '\t' : ' ');
        }
        return getMessage() + "\n" + String.format("%5d | %s%n      | %s^%n", line, quote, caret);
    }
}
