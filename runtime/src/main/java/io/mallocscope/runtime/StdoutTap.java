package io.mallocscope.runtime;

import java.io.PrintStream;

/**
 * A stdout stream that records what the program prints (the agent's tee). {@link LibC} tells it each
 * piece of stdout output when the program prints it ({@link #printed}), and writes the bytes to
 * {@link #sink()}, the stream beneath the tap, when glibc would write them (stdout's buffer full, a
 * newline on a terminal, fflush, exit). So a recording shows the output at the call that printed it,
 * while the process's real stdout gets it at glibc's flush points and never gets what {@code _exit}
 * or a signal loses. Anything written to the tap itself is recorded and passed on at once.
 */
public interface StdoutTap {
    /** The program printed {@code len} bytes of {@code b} on stdout (record them; do not write them). */
    void printed(byte[] b, int off, int len);

    /** The stream the tap writes to: the process's real stdout. */
    PrintStream sink();
}
