package io.mallocscope.cli;

/** What the CLI knows about where its output goes. */
final class Terminal {
    private Terminal() {
    }

    /** Whether stdout (and stdin) is a terminal: Java 17 only exposes that through {@code System.console()}. */
    static boolean isTerminal() {
        return System.console() != null;
    }

    static boolean colorsWanted() {
        String noColor = System.getenv("NO_COLOR");
        String term = System.getenv("TERM");
        return isTerminal() && (noColor == null || noColor.isEmpty()) && !"dumb".equals(term);
    }
}
