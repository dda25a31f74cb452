package io.mallocscope.cli.render;

import io.mallocscope.runtime.text.Hex;
import io.mallocscope.cli.model.Op;
import io.mallocscope.runtime.text.Json;
import io.mallocscope.cli.model.EventText;
import io.mallocscope.runtime.event.EventKind;
import io.mallocscope.runtime.timeline.Event;

import java.io.PrintWriter;
import java.util.HashSet;
import java.util.Set;

/**
 * Chrome Trace Event JSON (opens in Perfetto and chrome://tracing): each top-level call is a slice
 * of 100 µs on a "program" track, one slot per call so the order reads left to right; its transitions
 * are 10 µs slices nested inside it. Time is the call's number, not wall-clock time: the timeline
 * records order, not durations.
 *
 * <p>A source with threads or processes ({@link Op#who()} set) draws each thread on a track of its own,
 * named as {@code timeline} names it ({@code t1}, {@code pid 3}, {@code pid 3 t1}): thread K is tid K + 1
 * (main keeps tid 1), a process is the pid it has in the simulation (a source of one process keeps
 * pid 1). Each track is named by a metadata event just before its first slice.
 */
public final class ChromeTraceRenderer {
    private static final long SLOT = 100;
    private static final long SUB = 10;

    public void render(Iterable<Op> ops, PrintWriter out) {
        out.println("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[");
        Set<String> named = new HashSet<>();
        Set<Integer> processes = new HashSet<>();
        boolean first = true;
        for (Op op : ops) {
            Track t = Track.of(op.who());
            if (named.add(op.who() == null ? "" : op.who())) {
                if (!first) {
                    out.print(",\n");
                }
                if (t.pid != 1 && processes.add(t.pid)) {
                    out.print("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":" + t.pid + ",\"args\":{\"name\":"
                            + str("pid " + t.pid) + "}},\n");
                }
                out.print(meta(t.pid, t.tid, op.who() == null ? "program" : op.who()));
            }
            first = false;
            String track = ",\"pid\":" + t.pid + ",\"tid\":" + t.tid;
            long ts = op.number() * SLOT;
            out.print(",\n{\"name\":" + str(op.call()) + ",\"cat\":\"call\",\"ph\":\"X\",\"ts\":" + ts + ",\"dur\":"
                    + (SLOT - 1) + track + ",\"args\":{\"step\":" + op.number()
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
                        + (ts + 1 + i * slot) + ",\"dur\":" + Math.max(1, slot - 1) + track + ",\"args\":{"
                        + "\"chunk\":" + str(Hex.of(chunk ? e.chunk() : 0)) + ",\"size\":" + str(Hex.of(size))
                        + (text == null ? "" : ",\"text\":" + str(text)) + "}}");
            }
        }
        if (first) { // no call: the program's track alone
            out.print(meta(1, 1, "program"));
        }
        out.println("\n]}");
    }

    private static String meta(int pid, int tid, String name) {
        return "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":" + pid + ",\"tid\":" + tid + ",\"args\":{\"name\":"
                + str(name) + "}}";
    }

    /** The track of a call made by {@code who} ({@code t2}, {@code pid 3}, {@code pid 3 t1}, or null). */
    private record Track(int pid, int tid) {
        static Track of(String who) {
            if (who == null) {
                return new Track(1, 1);
            }
            int pid = 1;
            int thread = 0;
            String[] w = who.split(" ");
            for (int i = 0; i < w.length; i++) {
                if (w[i].equals("pid") && i + 1 < w.length) {
                    pid = Integer.parseInt(w[++i]);
                } else if (w[i].startsWith("t")) {
                    thread = Integer.parseInt(w[i].substring(1));
                }
            }
            return new Track(pid, thread + 1);
        }
    }

    static String str(String s) {
        return Json.quote(s);
    }
}
