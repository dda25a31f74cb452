package io.mallocscope.runtime.trace;

/** A trace line that could not be read; the message is {@code FILE:LINE: what was expected}. */
public final class TraceFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;

    public TraceFormatException(String file, int line, String what) {
        super(file + ":" + line + ": " + what);
        this.file = file;
        this.line = line;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }
}
