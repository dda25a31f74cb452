package io.mallocscope.runtime.signal;

/**
 * SIGFPE: an integer division by zero (or {@code INT_MIN / -1}), which x86_64 traps on. The shell
 * says "Floating point exception" for it, whatever the arithmetic was.
 */
public final class FloatingPointException extends SimulatedSignal {
    private static final long serialVersionUID = 1L;

    public FloatingPointException(String message) {
        super(message);
    }

    @Override
    public int signalNumber() {
        return 8;
    }

    @Override
    public String shellDescription() {
        return "Floating point exception";
    }
}
