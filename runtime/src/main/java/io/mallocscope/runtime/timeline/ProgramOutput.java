package io.mallocscope.runtime.timeline;

/**
 * A piece of what the recorded process printed: one or more adjacent {@link EventKind#OUTPUT}
 * events on the same stream (on stdout, memory writes may sit between them: its buffer takes the
 * text as it goes out), from {@link Timeline#output()}, {@link Timeline#outputOfStep(int)} or
 * {@link Timeline#outputUpTo(int)}.
 *
 * @param seq    the index of its first event, to place it among the other events
 * @param step   the step it belongs to (0: printed before the first call)
 * @param depth  0 when the program printed it between calls, 1 when printed inside a recorded call
 *               (glibc's messages: malloc_printerr before an abort, malloc_stats, malloc_info)
 * @param stream 1 (stdout) or 2 (stderr), as C's file descriptors
 * @param text   the bytes as UTF-8 (a byte that is not UTF-8 reads as U+FFFD)
 */
public record ProgramOutput(int seq, int step, int depth, int stream, String text) {

    /** The stdout stream number. */
    public static final int STDOUT = TimelineFormat.STDOUT;
    /** The stderr stream number. */
    public static final int STDERR = TimelineFormat.STDERR;

    /** Whether it went to stderr. */
    public boolean isStderr() {
        return stream == STDERR;
    }

    /** "stdout" or "stderr". */
    public String streamName() {
        return streamName(stream);
    }

    static String streamName(int stream) {
        return stream == STDERR ? "stderr" : "stdout";
    }
}
