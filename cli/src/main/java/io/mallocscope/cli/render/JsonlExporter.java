package io.mallocscope.cli.render;

import io.mallocscope.cli.model.Op;
import io.mallocscope.runtime.event.EventKind;
import io.mallocscope.runtime.text.Hex;
import io.mallocscope.runtime.timeline.Event;
import io.mallocscope.runtime.timeline.Functions;
import io.mallocscope.runtime.timeline.Timeline;
import io.mallocscope.runtime.timeline.TimelineHeader;
import io.mallocscope.runtime.text.Json;

import java.io.IOException;
import java.io.Writer;
import java.util.Map;

/**
 * {@code timeline --format jsonl}: one JSON Lines schema for recorded timelines and {@code .rep} traces
 * (docs/timeline-format.md, "JSON Lines"). A {@code "kind":"header"} object, then one object per event
 * with {@code seq}, {@code kind}, {@code depth} and the fields its kind has. A timeline writes its own
 * events; a trace, which records none, writes each call as a {@code call} and a {@code return} with the
 * same fields as a timeline's, and between them one {@code change} per line of what the call changed.
 * Addresses are {@code "0x…"} strings; sizes and counts are numbers.
 */
public final class JsonlExporter {
    private JsonlExporter() {
    }

    /** Writes every event of {@code timeline} to {@code out} (not closed; flushed). */
    public static void export(Timeline timeline, Writer out) throws IOException {
        StringBuilder sb = new StringBuilder(256);
        header(timeline, sb);
        out.write(sb.toString());
        for (int i = 0; i < timeline.size(); i++) {
            sb.setLength(0);
            event(timeline.event(i), sb);
            out.write(sb.toString());
        }
        out.flush();
    }

    /** The header line: {@code {"kind":"header", …}} followed by a newline. */
    public static String headerJson(Timeline timeline) {
        StringBuilder sb = new StringBuilder(256);
        header(timeline, sb);
        return sb.toString();
    }

    /** One event as a JSON object followed by a newline. */
    public static String toJson(Event e) {
        StringBuilder sb = new StringBuilder(128);
        event(e, sb);
        return sb.toString();
    }

    /** The program's pid, as a recording names its first process (docs/timeline-format.md). */
    private static final int PROGRAM_PID = 2;

    /**
     * Writes a replayed trace's calls in the timeline's schema: a header naming the trace ({@code
     * program}), its glibc and tunables and how many {@code steps} it has, then per call a {@code call},
     * its {@code change}s (depth 1) and its {@code return} ({@code signal}: what stopped the process). A
     * trace with thread lines has a {@code context} record where the thread changes, as a recording has;
     * its {@code T K} lines to a thread that exists are steps but no calls.
     */
    public static void exportTrace(String program, String glibc, String tunables, int steps, Iterable<Op> ops,
                                   Writer out) throws IOException {
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"kind\":\"header\",\"glibc\":");
        str(sb, glibc);
        sb.append(",\"tunables\":");
        str(sb, tunables);
        sb.append(",\"program\":");
        str(sb, program);
        sb.append(",\"steps\":").append(steps).append("}\n");
        out.write(sb.toString());
        int seq = 0;
        int thread = 0;
        for (Op op : ops) {
            sb.setLength(0);
            int fn = Functions.byName(op.function());
            if (fn < 0) {
                continue; // a trace's T line to a thread that runs already: no call, the next call's context says it
            }
            int t = op.who() != null && op.who().startsWith("t") ? Integer.parseInt(op.who().substring(1)) : thread;
            if (t != thread) {
                // a trace with thread lines: where the thread changes, as a recording's context record
                start(sb, seq++, "context", 0);
                sb.append(",\"pid\":").append(PROGRAM_PID).append(",\"thread\":").append(t).append("}\n");
                thread = t;
            }
            start(sb, seq++, "call", 0);
            long[] args = new long[op.args().size()];
            for (int i = 0; i < args.length; i++) {
                args[i] = parse(op.args().get(i));
            }
            fnArgs(sb, fn, args);
            if (op.site() != null) {
                sb.append(",\"site\":");
                str(sb, op.site());
            }
            sb.append("}\n");
            for (String change : op.changes()) {
                start(sb, seq++, "change", 1);
                sb.append(",\"text\":");
                str(sb, change);
                sb.append("}\n");
            }
            start(sb, seq++, "return", 0);
            sb.append(",\"fn\":\"").append(Functions.name(fn)).append('"');
            String r = op.result();
            if (r != null && r.startsWith("<")) {
                sb.append(",\"signal\":");
                str(sb, r.substring(1, r.length() - 1));
            } else if (r != null) {
                sb.append(",\"ret\":");
                number(sb, parse(r), Functions.isPointerResult(fn), Functions.isSignedResult(fn));
            }
            sb.append("}\n");
            out.write(sb.toString());
        }
        out.flush();
    }

    /** A number as the views write it: {@code 0x…} in hex, otherwise decimal. */
    private static long parse(String v) {
        return v.startsWith("0x") ? Long.parseUnsignedLong(v.substring(2), 16) : Long.parseLong(v);
    }

    private static void start(StringBuilder sb, int seq, String kind, int depth) {
        sb.append("{\"seq\":").append(seq).append(",\"kind\":\"").append(kind).append("\",\"depth\":").append(depth);
    }

    private static void header(Timeline t, StringBuilder sb) {
        TimelineHeader h = t.header();
        sb.append("{\"kind\":\"header\",\"version\":").append(h.version());
        for (Map.Entry<String, String> f : h.fields().entrySet()) {
            sb.append(',');
            str(sb, f.getKey());
            sb.append(':');
            if (f.getKey().equals(TimelineHeader.ARGV)) {
                sb.append('[');
                boolean first = true;
                for (String a : h.argv()) {
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    str(sb, a);
                }
                sb.append(']');
            } else {
                str(sb, f.getValue());
            }
        }
        sb.append(",\"events\":").append(t.size()).append(",\"steps\":").append(t.steps());
        t.problem().ifPresent(p -> {
            sb.append(",\"problem\":");
            str(sb, p);
        });
        sb.append("}\n");
    }

    private static void event(Event e, StringBuilder sb) {
        start(sb, e.seq(), e.kind().wireName(), e.depth());
        switch (e.kind()) {
            case CALL -> {
                fnArgs(e, sb);
                if (!e.site().isEmpty()) {
                    sb.append(",\"site\":");
                    str(sb, e.site());
                }
            }
            case RETURN -> {
                sb.append(",\"fn\":\"").append(e.fnName()).append('"');
                if (e.hasRet()) {
                    sb.append(",\"ret\":");
                    number(sb, e.ret(), Functions.isPointerResult(e.fn()), Functions.isSignedResult(e.fn()));
                } else if (e.signal() >= 0) {
                    sb.append(",\"signal\":\"").append(e.signal() == 6 ? "SIGABRT" : e.signal() == 11 ? "SIGSEGV"
                            : e.signal() == 0 ? "exception" : "signal " + e.signal()).append('"');
                }
            }
            case TCACHE_PUT, TCACHE_GET -> {
                chunkSize(e, sb);
                sb.append(",\"bin\":\"tcache\",\"index\":").append(e.index()).append(",\"count\":").append(e.count());
            }
            case BIN_INSERT, BIN_REMOVE -> {
                chunkSize(e, sb);
                sb.append(",\"bin\":\"").append(e.bin()).append("\",\"index\":").append(e.index())
                        .append(",\"reason\":\"").append(e.reason()).append('"');
            }
            case SPLIT -> {
                chunkSize(e, sb);
                hex(sb, "remainder", e.other());
                sb.append(",\"remainder_size\":").append(Long.toUnsignedString(e.otherSize()));
            }
            case COALESCE -> {
                chunkSize(e, sb);
                hex(sb, "neighbour", e.other());
                sb.append(",\"neighbour_size\":").append(Long.toUnsignedString(e.otherSize()));
                hex(sb, "merged", e.merged());
                sb.append(",\"merged_size\":").append(Long.toUnsignedString(e.mergedSize()));
            }
            case TOP_EXTEND -> {
                chunkSize(e, sb);
                hex(sb, "old_chunk", e.other());
                sb.append(",\"old_size\":").append(Long.toUnsignedString(e.otherSize()));
            }
            case TOP_SHRINK -> {
                chunkSize(e, sb);
                sb.append(",\"old_size\":").append(Long.toUnsignedString(e.otherSize()));
            }
            case MMAP_CHUNK, MUNMAP_CHUNK -> chunkSize(e, sb);
            case CONSOLIDATE -> {
            }
            case SYSCALL -> {
                fnArgs(e, sb);
                sb.append(",\"ret\":");
                number(sb, e.ret(), Functions.isPointerResult(e.fn()), Functions.isSignedResult(e.fn()));
            }
            case THRESHOLD -> sb.append(",\"threshold\":\"").append(e.thresholdName()).append("\",\"old\":")
                    .append(e.oldValue()).append(",\"new\":").append(e.newValue());
            case ABORT -> {
                sb.append(",\"message\":");
                str(sb, e.message());
            }
            case SEGV -> {
                hex(sb, "addr", e.address());
                sb.append(",\"access\":\"").append(e.isWrite() ? "write" : "read").append("\",\"width\":")
                        .append(e.width()).append(",\"reason\":");
                str(sb, e.message());
            }
            case OUTPUT -> {
                sb.append(",\"stream\":\"").append(e.streamName()).append("\",\"text\":");
                str(sb, e.text());
            }
            case OPEN, CLOSE -> {
                sb.append(",\"fd\":").append(e.fd());
                if (e.kind() == EventKind.OPEN) {
                    sb.append(",\"flags\":").append(e.openFlags());
                }
                sb.append(",\"path\":");
                str(sb, e.path());
            }
            case FILE_MAP -> {
                hex(sb, "addr", e.fileAddress());
                sb.append(",\"len\":").append(e.mapLength()).append(",\"offset\":").append(e.fileOffset())
                        .append(",\"shared\":").append(e.isSharedMap()).append(",\"path\":");
                str(sb, e.path());
            }
            case PAGE_PRIVATE -> {
                hex(sb, "addr", e.fileAddress());
                sb.append(",\"offset\":").append(e.fileOffset()).append(",\"path\":");
                str(sb, e.path());
            }
            case WRITE_BACK -> {
                hex(sb, "addr", e.fileAddress());
                sb.append(",\"pages\":").append(e.pages()).append(",\"cause\":");
                str(sb, e.cause());
                sb.append(",\"path\":");
                str(sb, e.path());
            }
            case CONTEXT -> sb.append(",\"pid\":").append(e.pid()).append(",\"thread\":").append(e.thread());
            case SIGBUS -> {
                hex(sb, "addr", e.fileAddress());
                sb.append(",\"reason\":");
                str(sb, e.message());
            }
            case WRITE -> {
                hex(sb, "addr", e.address());
                sb.append(",\"len\":").append(e.length());
                if (e.isFill()) {
                    sb.append(",\"fill\":").append(e.fillValue());
                } else {
                    sb.append(",\"bytes\":\"");
                    for (byte b : e.bytes()) {
                        sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
                    }
                    sb.append('"');
                }
                if (!e.site().isEmpty()) {
                    sb.append(",\"site\":");
                    str(sb, e.site());
                }
            }
            default -> {
            }
        }
        sb.append("}\n");
    }

    private static void fnArgs(Event e, StringBuilder sb) {
        fnArgs(sb, e.fn(), e.args());
    }

    private static void fnArgs(StringBuilder sb, int fn, long[] args) {
        sb.append(",\"fn\":\"").append(Functions.name(fn)).append("\",\"args\":[");
        for (int i = 0; i < args.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            number(sb, args[i], Functions.isPointerArg(fn, i), Functions.isSignedArg(fn, i));
        }
        sb.append(']');
    }

    private static void chunkSize(Event e, StringBuilder sb) {
        hex(sb, "chunk", e.chunk());
        sb.append(",\"size\":").append(Long.toUnsignedString(e.size()));
    }

    private static void number(StringBuilder sb, long v, boolean pointer, boolean signed) {
        if (pointer) {
            sb.append('"').append(Hex.of(v)).append('"');
        } else if (signed) {
            sb.append(v);
        } else {
            sb.append(Long.toUnsignedString(v));
        }
    }

    private static void hex(StringBuilder sb, String key, long v) {
        sb.append(",\"").append(key).append("\":\"").append(Hex.of(v)).append('"');
    }

    private static void str(StringBuilder sb, String s) {
        Json.quote(sb, s);
    }
}
