package io.mallocscope.runtime.signal;

/** SIGPIPE: the process wrote to a pipe that no process has open for reading. */
public final class BrokenPipe extends SimulatedSignal {
    private static final long serialVersionUID = 1L;

    public BrokenPipe(String pipe) {
        super("SIGPIPE: write to " + pipe + " with no reader");
    }

    @Override
    public int signalNumber() {
        return 13;
    }

    /** What {@code strsignal} says; a shell prints nothing when SIGPIPE ends a program. */
    @Override
    public String shellDescription() {
        return "Broken pipe";
    }
}
