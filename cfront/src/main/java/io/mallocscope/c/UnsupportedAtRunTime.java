package io.mallocscope.c;

/**
 * A library call the front end cannot carry out, found only when it runs (a {@code scanf} or
 * {@code printf} format that is not a string literal, say, asking for a conversion not modelled):
 * {@link Machine#call} turns it into a {@link CompileError} at the call's line, which the program's run
 * prints as gcc would print a diagnostic, with status 1.
 */
final class UnsupportedAtRunTime extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UnsupportedAtRunTime(String detail) {
        super(detail);
    }
}
