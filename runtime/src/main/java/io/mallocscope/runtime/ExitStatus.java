package io.mallocscope.runtime;

import io.mallocscope.runtime.signal.Abort;
import io.mallocscope.runtime.signal.Segfault;
import io.mallocscope.runtime.signal.SimulatedSignal;

/**
 * How a program ended, as a shell sees it: {@code code} is 0–255; after a signal it is
 * 128 + the signal's number (134 for SIGABRT, 139 for SIGSEGV) and {@code signal} says which.
 */
public record ExitStatus(int code, SimulatedSignal signal, Throwable crash) {

    public static ExitStatus exited(int status) {
        return new ExitStatus(status & 0xff, null, null);
    }

    public static ExitStatus killed(SimulatedSignal signal) {
        return new ExitStatus(128 + signal.signalNumber(), signal, null);
    }

    /** The program threw a Java exception: reported like an uncaught exception, status 1. */
    public static ExitStatus crashed(Throwable t) {
        return new ExitStatus(1, null, t);
    }

    public boolean aborted() {
        return signal instanceof Abort;
    }

    public boolean segfaulted() {
        return signal instanceof Segfault;
    }

    @Override
    public String toString() {
        if (signal != null) {
            return signal.shellDescription() + " (status " + code + ")";
        }
        if (crash != null) {
            return "crashed with " + crash.getClass().getName() + " (status 1)";
        }
        return "exited with status " + code;
    }
}
