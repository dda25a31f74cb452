package io.mallocscope.cli.model;

/** How words in a view's text are emphasised: plain, or with the terminal colours of a {@code Style}. */
public interface Emphasis {
    /** No emphasis at all. */
    Emphasis PLAIN = new Emphasis() {
        @Override
        public String bold(String text) {
            return text;
        }

        @Override
        public String free(String text) {
            return text;
        }
    };

    /** Something new or in use. */
    String bold(String text);

    /** Something freed or gone. */
    String free(String text);
}
