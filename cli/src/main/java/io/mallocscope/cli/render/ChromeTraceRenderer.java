package io.mallocscope.cli.render;

import io.mallocscope.runtime.text.Hex;
import io.mallocscope.cli.model.Op;
import io.mallocscope.runtime.text.Json;
import io.mallocscope.cli.model.EventText;
import io.mallocscope.runtime.event.EventKind;
import io.mallocscope.runtime.timeline.Event;

import java.io.PrintWriter;

/**
 * Chrome Trace Event JSON (opens in Perfetto and chrome://tracing): each top-level call is a slice
 * of 100 µs on a "program" track, one slot per call so the order reads left to right; its transitions
 * are 10 µs slices nested inside it. Time is the call's number, not wall-clock time: the timeline
 * records order, not durations.
 */
public final class ChromeTraceRenderer {
    private static final long SLOT = 100;
    private static final long SUB = 10;

    public void render(Iterable<Op> ops, PrintWriter out) {
        out.println("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[");
        out.print("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":1,\"args\":{\"name\":\"program\"}}");
        for (Op op : ops) {
            long ts = op.number() * SLOT;
            out.print(",\n{\"name\":" + str(op.call()) + ",\"cat\":\"call\",\"ph\":\"X\",\"ts\":" + ts + ",\"dur\":"
                    + (SLOT - 1) + ",\"pid\":1,\"tid\":1,\"args\":{\"step\":" + op.number()
                    + (op.result() == null ? "" : ",\"result\":" + str(op.result()))
                    + (op.site() == null ? "" : ",\"site\":" + str(op.site())) + "}}");
            // a timeline's events, or a trace's changes (as text)
            int count = op.events().size() + op.changes().size();
            long slot = Math.max(1, Math.min(SUB, (SLOT - 2) / Math.max(1, count)));
            for (int i = 0; i < count; i++) {
                Event e = i < op.events().size() ? op.events().get(i) : null;
                String text = e == null ? op.changes().get(i - op.events().size()) : EventText.of(e);
                boolean chunk = e != null && EventText.hasChunk(e);
                long size = chunk ? e.size() : e != null && e.kind() == EventKind.THRESHOLD ? e.oldValue() : 0;
                out.print(",\n{\"name\":" + str(text != null ? text : e.kind().wireName()) + ",\"cat\":\"transition\",\"ph\":\"X\",\"ts\":"
                        + (ts + 1 + i * slot) + ",\"dur\":" + Math.max(1, slot - 1) + ",\"pid\":1,\"tid\":1,\"args\":{"
                        + "\"chunk\":" + str(Hex.of(chunk ? e.chunk() : 0)) + ",\"size\":" + str(Hex.of(size))
                        + (text == null ? "" : ",\"text\":" + str(text)) + "}}");
            }
        }
        out.println("\n]}");
    }

    static String str(String s) {
        return Json.quote(s);
    }
}
