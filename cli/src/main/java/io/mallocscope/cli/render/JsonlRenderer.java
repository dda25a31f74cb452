package io.mallocscope.cli.render;

import io.mallocscope.runtime.text.Hex;
import io.mallocscope.cli.model.Op;
import io.mallocscope.cli.model.Transition;

import java.io.PrintWriter;

/** JSON Lines: one object per call, then one per transition it caused (with the call's step). */
public final class JsonlRenderer {
    public void render(Iterable<Op> ops, PrintWriter out) {
        for (Op op : ops) {
            out.println("{\"step\":" + op.number() + ",\"event\":\"call\",\"fn\":" + ChromeTraceRenderer.str(op.function())
                    + ",\"args\":[" + String.join(",", op.args().stream().map(ChromeTraceRenderer::str).toList()) + "]"
                    + (op.result() == null ? "" : ",\"result\":" + ChromeTraceRenderer.str(op.result()))
                    + (op.site() == null ? "" : ",\"site\":" + ChromeTraceRenderer.str(op.site())) + "}");
            for (Transition t : op.transitions()) {
                out.println("{\"step\":" + op.number() + ",\"event\":" + ChromeTraceRenderer.str(t.kind())
                        + ",\"chunk\":\"" + Hex.of(t.chunk()) + "\",\"size\":\"" + Hex.of(t.size()) + "\""
                        + (t.other() == 0 ? "" : ",\"other\":\"" + Hex.of(t.other()) + "\",\"other_size\":\""
                        + Hex.of(t.otherSize()) + "\"")
                        + (t.text() == null ? "" : ",\"text\":" + ChromeTraceRenderer.str(t.text())) + "}");
            }
        }
    }
}
