package io.mallocscope.cli.render;

import io.mallocscope.cli.model.Changes;
import io.mallocscope.cli.model.HeapSnapshot;

import java.io.PrintWriter;
import java.util.List;

/** {@code diff}: the {@link Changes} from one state to another, under a banner; "no change" when none. */
public final class DiffRenderer {
    private final Changes changes = new Changes();

    public void render(HeapSnapshot a, HeapSnapshot b, PrintWriter out, Style style) {
        out.println(style.banner("step " + a.step() + " → step " + b.step()));
        List<String> lines = changes.between(a, b, style);
        if (lines.isEmpty()) {
            out.println("no change");
        }
        lines.forEach(out::println);
    }

    /** The changes from {@code a} to {@code b}, one line each; empty when nothing changed. */
    public List<String> changes(HeapSnapshot a, HeapSnapshot b, Style style) {
        return changes.between(a, b, style);
    }
}
