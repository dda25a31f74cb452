package io.mallocscope.runtime.signal;

/**
 * A signal delivered to the simulated process: it ends the program the way the kernel would.
 * Thrown from deep inside the runtime and caught by {@link CProcess}, which turns it into the
 * exit status a shell would show (128 + signal number).
 */
public abstract class SimulatedSignal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SimulatedSignal(String message) {
        // With its stack trace: a signal ends the program, so it is filled once per process, and a
        // test tool (mallocscope-junit) reports the program's line where it happened from it. The
        // trace is never printed by the runtime: a signal is the program's fate, not a bug in the tool.
        super(message, null, false, true);
    }

    /** The signal number, as in {@code <signal.h>}. */
    public abstract int signalNumber();

    /** The name a shell prints for this signal ("Aborted", "Segmentation fault"). */
    public abstract String shellDescription();
}
