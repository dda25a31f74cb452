package io.mallocscope.cli.render;

import io.mallocscope.cli.model.Emphasis;

/**
 * Terminal colours, or none. Renderers ask the style to paint a piece of text; with colours off
 * the text comes back unchanged, so the same renderer writes files and terminals.
 */
public record Style(boolean color) implements Emphasis {
    public static final Style PLAIN = new Style(false);
    public static final Style COLOR = new Style(true);

    private static final String RESET = "\u001b[0m";
    /** pwndbg's vis palette, one colour per chunk in turn. */
    private static final String[] CHUNK_COLOURS = {"\u001b[33m", "\u001b[36m", "\u001b[35m", "\u001b[32m", "\u001b[34m"};

    private String paint(String code, String text) {
        return color ? code + text + RESET : text;
    }

    public String banner(String text) {
        return paint("\u001b[1;33m", text);
    }

    public String hint(String text) {
        return paint("\u001b[33m", text);
    }

    public String address(String text) {
        return paint("\u001b[36m", text);
    }

    public String free(String text) {
        return paint("\u001b[32m", text);
    }

    public String bad(String text) {
        return paint("\u001b[31m", text);
    }

    public String dim(String text) {
        return paint("\u001b[2m", text);
    }

    public String bold(String text) {
        return paint("\u001b[1m", text);
    }

    /** What starts the colour of the {@code n}-th chunk of a hexdump ("" without colours); {@link #end()} ends it. */
    String chunkStart(int n) {
        return color ? CHUNK_COLOURS[Math.floorMod(n, CHUNK_COLOURS.length)] : "";
    }

    /** How many colours the chunks of a hexdump take in turn. */
    static int chunkColours() {
        return CHUNK_COLOURS.length;
    }

    /** What starts the colour of {@link #dim} ("" without colours); {@link #end()} ends it. */
    String dimStart() {
        return color ? "\u001b[2m" : "";
    }

    /** What ends a colour started by {@link #chunkStart} ("" without colours). */
    String end() {
        return color ? RESET : "";
    }

    /** The colour of the {@code n}-th chunk of a hexdump. */
    public String chunk(int n, String text) {
        return paint(CHUNK_COLOURS[Math.floorMod(n, CHUNK_COLOURS.length)], text);
    }
}
