package io.mallocscope.cli;

import java.util.Map;

/**
 * What the CLI knows about where its output goes, decided per stream. Java 17 cannot ask whether one
 * file descriptor is a terminal ({@code System.console()} needs stdin and stdout both to be one), so
 * the {@code mallocscope} launcher asks the shell ({@code [ -t 1 ]}, {@code [ -t 2 ]}) and passes
 * {@code mallocscope.tty.stdout} and {@code mallocscope.tty.stderr}; without them (the jar run by
 * hand) {@code System.console()} stands for both.
 */
final class Terminal {
    static final String STDOUT_PROPERTY = "mallocscope.tty.stdout";
    static final String STDERR_PROPERTY = "mallocscope.tty.stderr";
    static final String STDIN_PROPERTY = "mallocscope.tty.stdin";

    private Terminal() {
    }

    /** Whether stdout is a terminal (where the program's output and the colours go). */
    static boolean isTerminal() {
        return decide(System.getProperty(STDOUT_PROPERTY));
    }

    /** Whether stderr is a terminal (where replay's progress bar goes). */
    static boolean stderrIsTerminal() {
        return decide(System.getProperty(STDERR_PROPERTY));
    }

    /** Whether stdin is a terminal (where explore reads its keys). */
    static boolean stdinIsTerminal() {
        return decide(System.getProperty(STDIN_PROPERTY));
    }

    private static boolean decide(String told) {
        return told != null ? Boolean.parseBoolean(told) : System.console() != null;
    }

    static boolean colorsWanted() {
        return colorsWanted(isTerminal(), System.getenv());
    }

    /**
     * Colours on a terminal unless {@code NO_COLOR} is set to a non-empty value (no-color.org: "when
     * present and not an empty string") or {@code TERM} is {@code dumb}.
     */
    static boolean colorsWanted(boolean stdoutIsTerminal, Map<String, String> env) {
        String noColor = env.get("NO_COLOR");
        return stdoutIsTerminal && (noColor == null || noColor.isEmpty()) && !"dumb".equals(env.get("TERM"));
    }
}
