package io.mallocscope.runtime.signal;

/**
 * SIGABRT: {@code abort()} was called, by the program or by glibc after a failed integrity check.
 * The message is what glibc printed on stderr before aborting (without the trailing newline), or
 * empty for a plain {@code abort()}.
 */
public final class Abort extends SimulatedSignal {
    private static final long serialVersionUID = 1L;

    public Abort(String message) {
        super(message);
    }

    @Override
    public int signalNumber() {
        return 6;
    }

    @Override
    public String shellDescription() {
        return "Aborted";
    }
}
