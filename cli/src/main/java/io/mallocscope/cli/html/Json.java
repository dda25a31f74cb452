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
        io.mallocscope.runtime.text.Json.quoteForScript(out, s);
    }
}
