package io.mallocscope.runtime.signal;

/**
 * A signal delivered to the simulated process: it ends the program the way the kernel would.
 * Thrown from deep inside the runtime and caught by {@link CProcess}, which turns it into the
 * exit status a shell would show (128 + signal number).
 */
public abstract class SimulatedSignal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SimulatedSignal(String message) {
        // No stack trace: a signal is the program's fate, not a bug in the tool, and the allocator
        // raises it on hot paths (corruption checks) where filling a trace would be wasted work.
        super(message, null, false, false);
    }

    /** The signal number, as in {@code <signal.h>}. */
    public abstract int signalNumber();

    /** The name a shell prints for this signal ("Aborted", "Segmentation fault"). */
    public abstract String shellDescription();
}
