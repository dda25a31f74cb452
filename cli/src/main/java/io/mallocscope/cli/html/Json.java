package io.mallocscope.cli.html;

/**
 * A minimal JSON writer for the page's data. Strings are escaped so the result can sit inside a
 * {@code <script>} element: besides what JSON requires, {@code <}, {@code >} and {@code &} become
 * {@code \u003c}-style escapes (so no {@code </script>} or {@code <!--} can appear) and U+2028/U+2029
 * are escaped because older JavaScript parsers treat them as line ends.
 */
final class Json {
    private final StringBuilder out;
    private boolean needComma;

    Json(StringBuilder out) {
        this.out = out;
    }

    Json beginObject() {
        comma();
        out.append('{');
        needComma = false;
        return this;
    }

    Json endObject() {
        out.append('}');
        needComma = true;
        return this;
    }

    Json beginArray() {
        comma();
        out.append('[');
        needComma = false;
        return this;
    }

    Json endArray() {
        out.append(']');
        needComma = true;
        return this;
    }

    /** The name of the next member of an object. */
    Json name(String name) {
        comma();
        quote(name);
        out.append(':');
        needComma = false;
        return this;
    }

    Json value(String s) {
        comma();
        quote(s);
        needComma = true;
        return this;
    }

    Json value(long n) {
        comma();
        out.append(n);
        needComma = true;
        return this;
    }

    private void comma() {
        if (needComma) {
            out.append(',');
        }
    }

    private void quote(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> unicode(c);
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        unicode(c);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private void unicode(char c) {
        out.append("\\u");
        String h = Integer.toHexString(c);
        out.append("0".repeat(4 - h.length())).append(h);
    }
}
