package io.mallocscope.cli;

/**
 * A failure the user can act on: printed as one line ({@code mallocscope: MESSAGE}), no stack
 * trace, and the command ends with {@link #status()}: {@link Exit#DATA} (1) when the input or the
 * program said no, {@link Exit#USAGE} (2) when the command line asked for something impossible.
 */
public final class UserError extends RuntimeException {
    private final int status;

    public UserError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public static UserError data(String message) {
        return new UserError(Exit.DATA, message);
    }

    public static UserError usage(String message) {
        return new UserError(Exit.USAGE, message);
    }

    public int status() {
        return status;
    }
}
