package io.mallocscope.runtime;

/**
 * Thrown by {@link LibC#exit(int)} to unwind the program; {@link CProcess#run} turns it into an
 * {@link ExitStatus}. Code that calls LibC directly (a test) sees it and can assert the status:
 * {@code assertEquals(3, assertThrows(ProgramExit.class, () -> c.exit(3)).status())}.
 */
public final class ProgramExit extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    ProgramExit(int status) {
        super("exit(" + status + ")", null, false, false);
        this.status = status;
    }

    /** The status passed to {@code exit}; the shell sees {@code status() & 0xff}. */
    public int status() {
        return status;
    }
}
