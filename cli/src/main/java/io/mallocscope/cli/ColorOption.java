package io.mallocscope.cli;

import io.mallocscope.cli.render.Style;
import picocli.CommandLine.Option;

/**
 * {@code --color=auto|always|never}, shared by the commands that print views. {@code auto} colours
 * only when stdout is a terminal and {@code NO_COLOR} is unset (https://no-color.org).
 */
final class ColorOption {
    enum When { auto, always, never }

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto",
            description = "Colour the output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}; auto honours NO_COLOR).")
    When when = When.auto;

    Style style() {
        return switch (when) {
            case always -> Style.COLOR;
            case never -> Style.PLAIN;
            case auto -> Terminal.colorsWanted() ? Style.COLOR : Style.PLAIN;
        };
    }
}
