package io.mallocscope.c;

/** A C source or header: the name diagnostics and {@code __FILE__} use, and its text. */
record SourceFile(String name, String text, java.nio.file.Path dir) {
    /** Line {@code n} (1-based) without its newline, for a diagnostic's quote. */
    String line(int n) {
        int start = 0;
        for (int i = 1; i < n; i++) {
            int nl = text.indexOf('\n', start);
            if (nl < 0) {
                return "";
            }
            start = nl + 1;
        }
        int end = text.indexOf('\n', start);
        return text.substring(start, end < 0 ? text.length() : end);
    }
}
