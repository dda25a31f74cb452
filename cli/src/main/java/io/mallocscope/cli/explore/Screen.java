package io.mallocscope.cli.explore;

import java.util.ArrayList;
import java.util.List;

/**
 * The explorer's screen as rows of text, {@code width} columns by {@code height} rows: a title bar, the
 * call pane (the step's heading and narration), the heap walk beside the bins, the hexdump, the message
 * line and the key line (or the prompt being typed). Each row carries what it is, so the terminal can
 * style it; its text is exactly what appears on the screen.
 */
final class Screen {
    /** What a row is, for styling. */
    enum Kind { title, header, text, message, keys }

    record Row(String text, Kind kind) {
    }

    static final String KEYS = "n/→ next  p/← back  g step  c follow chunk  ]/[ its steps  "
            + "r/f back/forward to a change  Tab j/k scroll  q quit";

    private Screen() {
    }

    /** The screen of {@code e}; {@code prompt} is the line being typed (null: the key line). */
    static List<Row> compose(Explorer e, int width, int height, String prompt) {
        int w = Math.max(20, width);
        int h = Math.max(10, height);
        List<Row> rows = new ArrayList<>(h);
        rows.add(new Row(fit(" mallocscope explore  " + e.name() + "   step " + e.step() + " / " + e.steps()
                + (e.followed() >= 0 ? "   following " + io.mallocscope.runtime.text.Hex.of(e.followed()) : ""), w),
                Kind.title));

        List<String> call = new ArrayList<>();
        call.add(e.heading());
        for (String l : e.narration()) {
            wrap("    " + l, w, call);
        }
        List<String> message = new ArrayList<>();
        wrap(e.message(), w, message);
        if (message.size() > 2) {
            message = new ArrayList<>(message.subList(0, 2));
            message.set(1, fit(message.get(1), w - 1) + "…");
        }
        int body = h - 2 - message.size(); // title, message, keys
        int callRows = Math.min(call.size(), Math.max(2, body / 3 - 1));
        rows.add(new Row(rule("-- call ", '-', w), Kind.header));
        for (int i = 0; i < callRows; i++) {
            String l = call.get(i);
            if (i == callRows - 1 && call.size() > callRows) {
                l = "    … " + (call.size() - callRows + 1) + " more lines (timeline --from " + e.step() + " --to "
                        + e.step() + ")";
            }
            rows.add(new Row(fit(l, w), Kind.text));
        }
        int rest = body - 1 - callRows;
        int middle = Math.max(3, rest / 2);
        int bottom = rest - middle;

        int left = (w - 1) * 11 / 20;
        int right = w - 1 - left;
        List<String> heap = e.heapLines();
        List<String> bins = e.binLines();
        rows.add(new Row(header("heap", e, Explorer.Pane.heap, left) + "+" + header("bins", e, Explorer.Pane.bins, right),
                Kind.header));
        int hs = window(e.scroll(Explorer.Pane.heap), heap.size(), middle - 1);
        int bs = window(e.scroll(Explorer.Pane.bins), bins.size(), middle - 1);
        for (int i = 0; i < middle - 1; i++) {
            String l = hs + i < heap.size() ? heap.get(hs + i) : "";
            String r = bs + i < bins.size() ? bins.get(bs + i) : "";
            rows.add(new Row(fit(l, left) + "|" + fit(r, right), Kind.text));
        }

        List<String> vis = e.visLines();
        rows.add(new Row(header("vis", e, Explorer.Pane.vis, w), Kind.header));
        int visRows = bottom - 1;
        int start = e.scroll(Explorer.Pane.vis);
        int followedRow = e.visRowOfFollowed(vis);
        if (start == 0 && followedRow > visRows / 2) {
            start = followedRow - 1; // the followed chunk in view
        }
        start = window(start, vis.size(), visRows);
        for (int i = 0; i < visRows; i++) {
            rows.add(new Row(fit(start + i < vis.size() ? vis.get(start + i) : "", w), Kind.text));
        }
        for (String m : message) {
            rows.add(new Row(fit(m, w), Kind.message));
        }
        rows.add(new Row(fit(prompt != null ? prompt : KEYS, w), prompt != null ? Kind.message : Kind.keys));
        while (rows.size() > h) {
            rows.remove(rows.size() - 2 - message.size()); // a screen too short: the vis pane gives way
        }
        return rows;
    }

    /** {@code line} in rows of {@code w} columns, the rows after the first indented under its text. */
    static void wrap(String line, int w, List<String> out) {
        int indent = 0;
        while (indent < line.length() && line.charAt(indent) == ' ') {
            indent++;
        }
        String more = " ".repeat(Math.min(indent + 2, w / 2));
        String rest = line;
        boolean first = true;
        while (rest.length() > w) {
            int cut = rest.lastIndexOf(' ', w);
            if (cut <= (first ? indent : more.length())) {
                cut = w;
            }
            out.add(rest.substring(0, cut));
            rest = more + rest.substring(cut).stripLeading();
            first = false;
        }
        out.add(rest);
    }

    /** A pane's rule: {@code == heap (j/k scroll) ===} when it takes the scroll keys, {@code -- bins ---} otherwise. */
    private static String header(String name, Explorer e, Explorer.Pane p, int w) {
        boolean focused = e.focus() == p;
        return rule(focused ? "== " + name + " (j/k scroll) " : "-- " + name + " ", focused ? '=' : '-', w);
    }

    private static String rule(String start, char c, int w) {
        return start.length() >= w ? start.substring(0, w) : start + String.valueOf(c).repeat(w - start.length());
    }

    /** The first row to show of {@code size} rows in {@code rows}, from {@code wanted}, not past the end. */
    private static int window(int wanted, int size, int rows) {
        return Math.max(0, Math.min(wanted, size - rows));
    }

    /** {@code s} cut or padded to exactly {@code w} columns (one column per char: the views print no wide ones). */
    static String fit(String s, int w) {
        if (s.length() > w) {
            return s.substring(0, Math.max(0, w - 1)) + "…";
        }
        return s + " ".repeat(w - s.length());
    }
}
