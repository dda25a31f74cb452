package io.mallocscope.runtime.text;

/**
 * The one JSON string escaper, for the JSON Lines export, the Chrome trace and the HTML page's data.
 * {@code "} and {@code \} are escaped, {@code \n}, {@code \r} and {@code \t} by their short forms,
 * other control characters as {@code \\u} and four hex digits. {@link #quoteForScript} also escapes what must not
 * appear inside an HTML {@code <script>} element.
 */
public final class Json {
    private Json() {
    }

    /** {@code s} as a JSON string literal. */
    public static String quote(String s) {
        return quote(new StringBuilder(s.length() + 2), s).toString();
    }

    /** Appends {@code s} as a JSON string literal to {@code sb}; returns {@code sb}. */
    public static StringBuilder quote(StringBuilder sb, String s) {
        return quote(sb, s, false);
    }

    /**
     * Appends {@code s} as a JSON string literal that can sit inside a {@code <script>} element:
     * besides what JSON requires, {@code <}, {@code >}, {@code &} (so no {@code </script>} or
     * {@code <!--} can appear), U+2028/U+2029 (line ends to older JavaScript parsers) and DEL become
     * escapes of {@code \\u} and four hex digits.
     */
    public static StringBuilder quoteForScript(StringBuilder sb, String s) {
        return quote(sb, s, true);
    }

    private static StringBuilder quote(StringBuilder sb, String s, boolean script) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || script && (c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029'
                            || c == 0x7f)) {
                        unicode(sb, c);
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }

    private static void unicode(StringBuilder sb, char c) {
        String h = Integer.toHexString(c);
        sb.append("\\u").append("0".repeat(4 - h.length())).append(h);
    }
}
