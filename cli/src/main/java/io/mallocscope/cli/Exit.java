package io.mallocscope.cli;

/** The exit statuses of {@code mallocscope} (a run ends with the program's own status instead). */
public final class Exit {
    private Exit() {
    }

    public static final int OK = 0;
    /** The data said no: a trace line that does not parse, a corrupt timeline, something not available. */
    public static final int DATA = 1;
    /** The command line is wrong: unknown command or option, a bad value, a missing file, a step out of range. */
    public static final int USAGE = 2;
}
