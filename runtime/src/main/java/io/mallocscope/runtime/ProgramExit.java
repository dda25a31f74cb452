package io.mallocscope.runtime;

/** Thrown by {@link LibC#exit(int)} to unwind the program; {@link CProcess} turns it into a status. */
final class ProgramExit extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    ProgramExit(int status) {
        super("exit(" + status + ")", null, false, false);
        this.status = status;
    }
}
