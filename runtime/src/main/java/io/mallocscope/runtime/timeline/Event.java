package io.mallocscope.runtime.timeline;

import io.mallocscope.runtime.event.EventKind;
import io.mallocscope.runtime.malloc.BinKind;
import io.mallocscope.runtime.malloc.Transitions;

import java.util.Arrays;

/**
 * One event of a {@link Timeline}, as an immutable value made on demand by
 * {@link Timeline#event(int)}. The numbers an event carries depend on its kind; the named accessors
 * below return them, and throw {@link IllegalStateException} when asked for something the kind does
 * not have.
 *
 * <table>
 * <caption>values by kind</caption>
 * <tr><td>call</td><td>{@link #fn()}, {@link #args()}, {@link #site()}</td></tr>
 * <tr><td>return</td><td>{@link #fn()}, {@link #ret()} when {@link #hasRet()}, {@link #signal()} when unwound</td></tr>
 * <tr><td>tcache_put/get</td><td>{@link #chunk()}, {@link #size()}, {@link #index()}, {@link #count()}</td></tr>
 * <tr><td>bin_insert/remove</td><td>{@link #bin()}, {@link #index()}, {@link #chunk()}, {@link #size()}, {@link #reason()}</td></tr>
 * <tr><td>split</td><td>{@link #chunk()}, {@link #size()}, {@link #other()}, {@link #otherSize()} (the remainder)</td></tr>
 * <tr><td>coalesce</td><td>chunk, size, other/otherSize (the neighbour), {@link #merged()}, {@link #mergedSize()}</td></tr>
 * <tr><td>top_extend</td><td>chunk/size: the new top; other/otherSize: the old top</td></tr>
 * <tr><td>top_shrink</td><td>chunk: the top; size: its new size; otherSize: the old size</td></tr>
 * <tr><td>mmap_chunk/munmap_chunk</td><td>chunk, size</td></tr>
 * <tr><td>syscall</td><td>fn, args, ret</td></tr>
 * <tr><td>threshold</td><td>{@link #thresholdName()}, {@link #oldValue()}, {@link #newValue()}</td></tr>
 * <tr><td>abort</td><td>{@link #message()}</td></tr>
 * <tr><td>segv</td><td>{@link #address()}, {@link #isWrite()}, {@link #width()}, {@link #message()} (the reason)</td></tr>
 * <tr><td>write</td><td>{@link #address()}, {@link #length()}, {@link #bytes()} (or {@link #fillValue()} for a memset), {@link #site()}</td></tr>
 * <tr><td>output</td><td>{@link #stream()}, {@link #text()}, {@link #length()}, {@link #bytes()}</td></tr>
 * <tr><td>context</td><td>{@link #pid()}, {@link #thread()}</td></tr>
 * </table>
 */
public final class Event {
    private final int seq;
    private final EventKind kind;
    private final int depth;
    private final int fn;
    private final long[] v;
    private final String site;
    private final String text;
    private final byte[] bytes;
    private final int signal;

    Event(int seq, EventKind kind, int depth, int fn, long[] values, String site, String text, byte[] bytes,
          int signal) {
        this.seq = seq;
        this.kind = kind;
        this.depth = depth;
        this.fn = fn;
        this.v = values;
        this.site = site;
        this.text = text;
        this.bytes = bytes;
        this.signal = signal;
    }

    /**
     * An allocator transition as a hook reports it, outside any timeline (seq 0, depth 1): for views and
     * tests that need events without recording them.
     *
     * @param values the hook's arguments, as {@link EventKind#fields()} lists them
     * @throws IllegalArgumentException for a kind that is not a transition, or the wrong number of values
     */
    public static Event transition(EventKind kind, long... values) {
        if (!kind.isTransition() || values.length != kind.fields().length()) {
            throw new IllegalArgumentException(kind.wireName() + " takes " + (kind.isTransition()
                    ? kind.fields().length() + " values, not " + values.length : "a record of its own"));
        }
        return new Event(0, kind, 1, -1, values.clone(), null, null, null, -1);
    }

    /** Position in the timeline, from 0. */
    public int seq() {
        return seq;
    }

    public EventKind kind() {
        return kind;
    }

    /** 0 for a top-level call and its return, 1 for what happened inside it. */
    public int depth() {
        return depth;
    }

    /** The function of a call, return or syscall (see {@link Functions}). */
    public int fn() {
        need(kind == EventKind.CALL || kind == EventKind.RETURN || kind == EventKind.SYSCALL);
        return fn;
    }

    /** The C name of {@link #fn()}. */
    public String fnName() {
        return Functions.name(fn());
    }

    /** The arguments of a call or syscall. */
    public long[] args() {
        need(kind == EventKind.CALL || kind == EventKind.SYSCALL);
        return Arrays.copyOf(v, Functions.arity(fn));
    }

    /** Whether this return or syscall carries a result. */
    public boolean hasRet() {
        return (kind == EventKind.RETURN && v.length == 1) || kind == EventKind.SYSCALL;
    }

    public long ret() {
        need(hasRet());
        return v[v.length - 1];
    }

    /** For a return ended by a signal: 6 (SIGABRT), 11 (SIGSEGV), 0 for a Java exception; -1 otherwise. */
    public int signal() {
        return signal;
    }

    /**
     * Where the program made this call or write: {@code File.java:LINE} ({@code prog.c:LINE}), or ""
     * when unknown (a write recorded before format version 5, or under {@code sites=stack}).
     */
    public String site() {
        need(kind == EventKind.CALL || kind == EventKind.WRITE);
        return site;
    }

    public long chunk() {
        return switch (kind) {
            case TCACHE_PUT, TCACHE_GET, SPLIT, COALESCE, TOP_SHRINK, MMAP_CHUNK, MUNMAP_CHUNK -> v[0];
            case BIN_INSERT, BIN_REMOVE -> v[2];
            case TOP_EXTEND -> v[2];
            default -> throw wrong();
        };
    }

    public long size() {
        return switch (kind) {
            case TCACHE_PUT, TCACHE_GET, SPLIT, COALESCE, MMAP_CHUNK, MUNMAP_CHUNK -> v[1];
            case BIN_INSERT, BIN_REMOVE -> v[3];
            case TOP_EXTEND -> v[3];
            case TOP_SHRINK -> v[2];
            default -> throw wrong();
        };
    }

    /** The remainder (split), the neighbour (coalesce), the old top (top_extend). */
    public long other() {
        return switch (kind) {
            case SPLIT, COALESCE, TOP_EXTEND -> v[kind == EventKind.TOP_EXTEND ? 0 : 2];
            default -> throw wrong();
        };
    }

    public long otherSize() {
        return switch (kind) {
            case SPLIT, COALESCE -> v[3];
            case TOP_EXTEND, TOP_SHRINK -> v[1];
            default -> throw wrong();
        };
    }

    public long merged() {
        need(kind == EventKind.COALESCE);
        return v[4];
    }

    public long mergedSize() {
        need(kind == EventKind.COALESCE);
        return v[5];
    }

    /** The bin kind ({@link BinKind}) of a bin event; {@link BinKind#TCACHE} for tcache events. */
    public int binKind() {
        return switch (kind) {
            case BIN_INSERT, BIN_REMOVE -> (int) v[0];
            case TCACHE_PUT, TCACHE_GET -> BinKind.TCACHE;
            default -> throw wrong();
        };
    }

    /** "tcache", "fastbin", "unsorted", "smallbin", "largebin". */
    public String bin() {
        return BinKind.name(binKind());
    }

    /** The tcache or bin index. */
    public int index() {
        return switch (kind) {
            case TCACHE_PUT, TCACHE_GET -> (int) v[2];
            case BIN_INSERT, BIN_REMOVE -> (int) v[1];
            default -> throw wrong();
        };
    }

    /** The tcache count after the event. */
    public int count() {
        need(kind == EventKind.TCACHE_PUT || kind == EventKind.TCACHE_GET);
        return (int) v[3];
    }

    /** The reason constant of a bin event ({@link Transitions#FREE} …). */
    public int reasonCode() {
        need(kind == EventKind.BIN_INSERT || kind == EventKind.BIN_REMOVE);
        return (int) v[4];
    }

    /** "free", "sort", "exact_fit" … */
    public String reason() {
        return Transitions.reasonName(reasonCode());
    }

    /** "mmap" or "trim". */
    public String thresholdName() {
        need(kind == EventKind.THRESHOLD);
        return Transitions.thresholdName((int) v[0]);
    }

    public long oldValue() {
        need(kind == EventKind.THRESHOLD);
        return v[1];
    }

    public long newValue() {
        need(kind == EventKind.THRESHOLD);
        return v[2];
    }

    /** glibc's abort message, or the segv or sigbus reason. */
    public String message() {
        need(kind == EventKind.ABORT || kind == EventKind.SEGV || kind == EventKind.SIGBUS);
        return text;
    }

    /** A file event's path (open, close, file_map, page_private, write_back). */
    public String path() {
        need(kind.isFileEvent() && kind != EventKind.SIGBUS);
        return text;
    }

    /** A file event's address: the mapping (file_map), the page (page_private, the first written back), the fault (sigbus). */
    public long fileAddress() {
        need(kind.isFileEvent());
        return v[0];
    }

    /** The descriptor an open or close event names. */
    public int fd() {
        need(kind == EventKind.OPEN || kind == EventKind.CLOSE);
        return (int) v[1];
    }

    /** open's flags. */
    public int openFlags() {
        need(kind == EventKind.OPEN);
        return (int) v[2];
    }

    /** file_map: the mapping's length. */
    public long mapLength() {
        need(kind == EventKind.FILE_MAP);
        return v[1];
    }

    /** file_map and page_private: the file offset of the mapping or the page. */
    public long fileOffset() {
        need(kind == EventKind.FILE_MAP || kind == EventKind.PAGE_PRIVATE);
        return kind == EventKind.FILE_MAP ? v[2] & Long.MAX_VALUE : v[1];
    }

    /** file_map: MAP_SHARED (else MAP_PRIVATE). */
    public boolean isSharedMap() {
        need(kind == EventKind.FILE_MAP);
        return v[2] < 0;
    }

    /** write_back: how many dirty pages went back. */
    public long pages() {
        need(kind == EventKind.WRITE_BACK);
        return v[1];
    }

    /** write_back: why ("msync", "munmap", "exit", "fsync", "msync MS_ASYNC"). */
    public String cause() {
        need(kind == EventKind.WRITE_BACK);
        return WRITE_BACK_CAUSES.get((int) Math.min(v[2], WRITE_BACK_CAUSES.size() - 1));
    }

    /** The causes a write_back event stores by number (only ever appended). */
    public static final java.util.List<String> WRITE_BACK_CAUSES = java.util.List.of("msync", "msync MS_ASYNC",
            "munmap", "exit", "fsync", "?");

    /** context: the process whose events follow. */
    public int pid() {
        need(kind == EventKind.CONTEXT);
        return (int) v[0];
    }

    /** context: the thread whose events follow (0 the main thread, then 1, 2 … in order of creation). */
    public int thread() {
        need(kind == EventKind.CONTEXT);
        return (int) v[1];
    }

    /** The faulting address (segv) or the first byte written (write). */
    public long address() {
        need(kind == EventKind.SEGV || kind == EventKind.WRITE);
        return v[0];
    }

    public boolean isWrite() {
        need(kind == EventKind.SEGV);
        return v[1] != 0;
    }

    public int width() {
        need(kind == EventKind.SEGV);
        return (int) v[2];
    }

    /** How many bytes a write stored, or an output printed. */
    public long length() {
        need(kind == EventKind.WRITE || kind == EventKind.OUTPUT);
        return v[1];
    }

    /** Whether the write was a memset (every byte {@link #fillValue()}). */
    public boolean isFill() {
        need(kind == EventKind.WRITE);
        return bytes == null;
    }

    public int fillValue() {
        need(isFill());
        return (int) v[2];
    }

    /** The bytes stored by a write (for a fill, {@link #length()} copies of the value), or printed by an output. */
    public byte[] bytes() {
        need(kind == EventKind.WRITE || kind == EventKind.OUTPUT);
        if (bytes == null) {
            byte[] b = new byte[(int) Math.min(v[1], Integer.MAX_VALUE - 8)];
            Arrays.fill(b, (byte) v[2]);
            return b;
        }
        return bytes.clone();
    }

    /** The stream an output went to: 1 (stdout) or 2 (stderr). */
    public int stream() {
        need(kind == EventKind.OUTPUT);
        return (int) v[0];
    }

    /** "stdout" or "stderr". */
    public String streamName() {
        return ProgramOutput.streamName(stream());
    }

    /**
     * What an output printed, as UTF-8. A character printed a byte at a time spans several events;
     * {@link Timeline#output()} joins adjacent output events before decoding.
     */
    public String text() {
        need(kind == EventKind.OUTPUT);
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    private void need(boolean ok) {
        if (!ok) {
            throw wrong();
        }
    }

    private IllegalStateException wrong() {
        String name = kind.wireName();
        return new IllegalStateException(("aeiou".indexOf(name.charAt(0)) >= 0 ? "an " : "a ") + name
                + " event has no such value");
    }

    @Override
    public String toString() {
        if (kind == EventKind.OUTPUT) {
            return "#" + seq + " output " + streamName() + " " + io.mallocscope.runtime.text.Json.quote(text());
        }
        return "#" + seq + " " + kind.wireName() + (kind == EventKind.CALL || kind == EventKind.RETURN
                || kind == EventKind.SYSCALL ? " " + Functions.name(fn) : "") + " " + Arrays.toString(v)
                + (text != null ? " " + text : "");
    }
}
