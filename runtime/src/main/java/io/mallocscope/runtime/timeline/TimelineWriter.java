package io.mallocscope.runtime.timeline;

import io.mallocscope.runtime.event.EventKind;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * Appends events to a timeline file (format: docs/timeline-format.md). The recording thread encodes
 * each event into a page (a block buffer) it owns and publishes how far the page holds whole events
 * with one release store: no lock per event. A page is handed over once its events reach about
 * 64 KiB (the pages form a list, in the file's order); a background thread writes each handed-over
 * page as one CRC block, and every {@code flushMillis} also the whole events of the page being filled
 * (a block cut there); so a process killed at any moment leaves a file whose every block up to the
 * last flush is readable, and a block never holds half an event. A block is written from the page
 * itself: its 8-byte header goes into the bytes just before the events it frames (room kept at a
 * page's start, and bytes already in the file after a flush). Memory stays bounded: at most
 * {@value #PAGES} standard pages exist (and an event too big for one gets a page of its own); when the
 * disk is that far behind, the recording thread waits for a written page.
 *
 * <p>Events come from one thread at a time: calls on different threads must be ordered by
 * happens-before (as the simulated scheduler's baton orders the simulated threads), since nothing
 * here locks per event. {@link #flush()}, {@link #close()} and the getters may be called from any
 * thread; an event encoded while another thread closes the writer may be left out, as if the
 * process had been killed then.
 *
 * <p>An I/O error (or any other failure of the writing side) never reaches the caller: it is reported
 * once through {@code onError}, and from then on events are dropped.
 */
public final class TimelineWriter implements Closeable {
    static final int BLOCK_TARGET = 64 * 1024;
    private static final int MAX_WRITE_PIECE = 1 << 20;
    /** Largest output record: a printf of a whole file still leaves blocks near their 64 KiB target. */
    static final int MAX_OUTPUT_PIECE = 32 * 1024;
    /** A standard page's room for events: a block's bytes and the event that reaches the target. */
    private static final int PAGE = BLOCK_TARGET + 256;
    /** Room every event may take without asking (the largest fixed-size record is well below it). */
    private static final int MARGIN = 160;
    /** Bytes before a page's events: a block header's room. */
    private static final int H = TimelineFormat.BLOCK_HEADER;
    /** How many standard pages may exist at once. */
    static final int PAGES = 32;
    /** The recording thread wakes the writer thread every this many pages (and whenever it waits for one). */
    private static final int WAKE_EVERY = 4;

    /**
     * A block buffer: {@link #H} bytes of room, then events. The recording thread appends to
     * {@code data} and publishes the end of its last whole event in {@code committed} (release store);
     * the bytes before it never change again but for a block header the flushing side puts just
     * before the bytes it writes. When the recording thread moves on to another page it sets
     * {@code next}, after the last commit. The flushing side owns {@code taken}: where the bytes not yet
     * in the file begin.
     */
    private static final class Page {
        final byte[] data;
        final AtomicInteger committed = new AtomicInteger(H);
        int taken = H;
        volatile Page next;

        Page(int room) {
            data = new byte[H + room];
        }
    }

    private final OutputStream out;
    private final String target;
    private final Consumer<String> onError;
    /** Written standard pages, for the recording thread to reuse: the last one written first. */
    private final LinkedBlockingDeque<Page> pool = new LinkedBlockingDeque<>(PAGES);
    private final Thread thread;
    private final long flushMillis;
    /** Serialises the flushing side (the background thread, flush(), close()), never the recording thread. */
    private final Object flushLock = new Object();
    private final Object failLock = new Object();
    private volatile boolean closed;
    private volatile boolean failed;
    /** Closed or failed: what the recording thread checks, one load per event. */
    private volatile boolean stopped;
    /** Whether the writer thread is parked (or about to park) waiting for a full page or the next flush. */
    private volatile boolean parked;
    private final AtomicLong bytesWritten = new AtomicLong();

    // the recording thread's
    private Page page = new Page(PAGE);
    private byte[] buf = page.data;
    private AtomicInteger committed = page.committed;
    private int pos = H;
    /** Where the event being encoded began in {@link #buf}: the end of the last whole one. */
    private int mark = H;
    private long lastAddr;
    private long events;
    private int allocated = 1;
    private int handedOver;

    // the flushing side's (under flushLock)
    /** The first page not yet written whole. */
    private Page readPage = page;
    private final CRC32 crc = new CRC32();
    /** close() has written the last block: nothing is written after it. */
    private boolean finished;

    /**
     * Creates (or truncates) {@code file} and writes the preamble and header.
     *
     * @throws IOException if the file cannot be created or the header not written
     */
    public static TimelineWriter open(Path file, TimelineHeader header, long flushMillis, Consumer<String> onError)
            throws IOException {
        OutputStream os = Files.newOutputStream(file);
        try {
            return new TimelineWriter(os, file.toString(), header, flushMillis, onError);
        } catch (IOException | RuntimeException e) {
            os.close();
            throw e;
        }
    }

    /** A writer on any stream (tests); {@code target} names it in error messages. */
    public TimelineWriter(OutputStream out, String target, TimelineHeader header, long flushMillis,
                          Consumer<String> onError) throws IOException {
        this.out = out;
        this.target = target;
        this.onError = onError;
        this.flushMillis = Math.max(1, flushMillis);
        byte[] preamble = new byte[TimelineFormat.PREAMBLE];
        System.arraycopy(TimelineFormat.MAGIC, 0, preamble, 0, TimelineFormat.MAGIC.length);
        preamble[TimelineFormat.MAGIC.length] = (byte) TimelineFormat.VERSION;
        out.write(preamble);
        // the header block, encoded in a buffer of its own size
        int size = 16;
        for (var e : header.fields().entrySet()) {
            size += 10 + utf8(e.getKey()).length + utf8(e.getValue()).length;
        }
        buf = new byte[H + size];
        byte1(TimelineFormat.TAG_HEADER);
        varint(header.fields().size());
        for (var e : header.fields().entrySet()) {
            bytes(utf8(e.getKey()));
            bytes(utf8(e.getValue()));
        }
        int n = frame(buf, H, pos);
        out.write(buf, 0, n);
        out.flush();
        buf = page.data;
        pos = H;
        bytesWritten.set(preamble.length + n);
        thread = new Thread(new Runnable() { // not a lambda: nothing spun when a recording starts
            @Override
            public void run() {
                drain();
            }
        }, "mallocscope-timeline-writer");
        thread.setDaemon(true);
        thread.start();
    }

    // ================================================================ events (the recording thread)

    /** Defines site {@code id} (a {@code File.java:LINE} string) before its first use by a call. */
    public void defineSite(int id, String text) {
        byte[] b = utf8(Objects.requireNonNull(text, "a site's text"));
        if (skip()) {
            return;
        }
        byte1(TimelineFormat.TAG_SITE);
        varint(id);
        string(b);
        done();
        events--; // a definition, not an event
    }

    /** A top-level call of function {@code fn} (see {@link Functions}); unused arguments are ignored. */
    public void call(int fn, int site, long a0, long a1, long a2, long a3, long a4, long a5) {
        char[] kinds = Functions.ARGS[fn];
        int p = begin();
        if (p < 0) {
            return;
        }
        byte[] b = buf;
        b[p] = (byte) K_CALL;
        p = varint(b, p + 1, fn);
        p = varint(b, p, site);
        switch (fn) { // the commonest functions' arguments (Functions.ARGS) spelled out
            case Functions.MALLOC -> p = varint(b, p, a0);
            case Functions.FREE -> p = pointer(b, p, a0);
            case Functions.CALLOC -> p = varint(b, varint(b, p, a0), a1);
            case Functions.REALLOC -> p = varint(b, pointer(b, p, a0), a1);
            default -> {
                pos = p;
                values(kinds, a0, a1, a2, a3, a4, a5);
                p = pos;
            }
        }
        commit(p);
    }

    /** The call of {@code fn} returned {@code value} (ignored for void functions). */
    public void ret(int fn, long value) {
        char k = Functions.RESULTS[fn];
        int p = begin();
        if (p < 0) {
            return;
        }
        byte[] b = buf;
        switch (k) {
            case 'P' -> {
                b[p] = (byte) K_RETURN;
                p = pointer(b, p + 1, value);
            }
            case '-' -> {
                b[p] = (byte) TimelineFormat.TAG_RETURN_UNWOUND;
                b[p + 1] = 0;
                p += 2;
            }
            case 'U' -> {
                b[p] = (byte) K_RETURN;
                p = varint(b, p + 1, value);
            }
            default -> { // 'S'
                b[p] = (byte) K_RETURN;
                p = varint(b, p + 1, (value << 1) ^ (value >> 63));
            }
        }
        commit(p);
    }

    /** The open call ended by a signal ({@code signal} 6 or 11) or a Java exception (0), not a result. */
    public void unwound(int signal) {
        if (skip()) {
            return;
        }
        byte1(TimelineFormat.TAG_RETURN_UNWOUND);
        varint(signal == 0 ? 1 : signal + 1);
        done();
    }

    /**
     * An allocator transition of {@code kind} ({@link EventKind#isTransition()}): its values are the
     * hook's arguments in order, stored as {@link EventKind#fields()} says; the rest are ignored.
     *
     * @throws IllegalArgumentException for a kind that is not a transition
     */
    public void transition(EventKind kind, long a0, long a1, long a2, long a3, long a4, long a5) {
        transition(kind.ordinal(), a0, a1, a2, a3, a4, a5);
    }

    /**
     * {@link #transition(EventKind, long, long, long, long, long, long)} by the kind's ordinal (the
     * recording agent's hooks know it as a constant).
     *
     * @throws IllegalArgumentException for a kind that is not a transition
     */
    public void transition(int kind, long a0, long a1, long a2, long a3, long a4, long a5) {
        // small, so that a hook whose kind is a constant inlines it and keeps one case: the common kinds'
        // fields (EventKind.fields()) spelled out, no lookup or branch per value
        switch (kind) {
            case T_TCACHE_PUT, T_TCACHE_GET -> pointerAndThree(kind, a0, a1, a2, a3);
            case T_BIN_INSERT, T_BIN_REMOVE -> binEvent(kind, a0, a1, a2, a3, a4);
            case T_SPLIT, T_TOP_EXTEND -> twoPointersAndSizes(kind, a0, a1, a2, a3);
            case T_COALESCE -> coalesceEvent(a0, a1, a2, a3, a4, a5);
            default -> otherTransition(kind, a0, a1, a2, a3, a4, a5);
        }
    }

    /** tcache_put, tcache_get: PUUU. */
    private void pointerAndThree(int kind, long a0, long a1, long a2, long a3) {
        int p = begin();
        if (p < 0) {
            return;
        }
        byte[] b = buf;
        b[p] = (byte) kind;
        p = pointer(b, p + 1, a0);
        p = varint(b, p, a1);
        p = varint(b, p, a2);
        commit(varint(b, p, a3));
    }

    /** bin_insert, bin_remove: UUPUU. */
    private void binEvent(int kind, long a0, long a1, long a2, long a3, long a4) {
        int p = begin();
        if (p < 0) {
            return;
        }
        byte[] b = buf;
        b[p] = (byte) kind;
        p = varint(b, p + 1, a0);
        p = varint(b, p, a1);
        p = pointer(b, p, a2);
        p = varint(b, p, a3);
        commit(varint(b, p, a4));
    }

    /** split, top_extend: PUPU. */
    private void twoPointersAndSizes(int kind, long a0, long a1, long a2, long a3) {
        int p = begin();
        if (p < 0) {
            return;
        }
        byte[] b = buf;
        b[p] = (byte) kind;
        p = pointer(b, p + 1, a0);
        p = varint(b, p, a1);
        p = pointer(b, p, a2);
        commit(varint(b, p, a3));
    }

    /** coalesce: PUPUPU. */
    private void coalesceEvent(long a0, long a1, long a2, long a3, long a4, long a5) {
        int p = begin();
        if (p < 0) {
            return;
        }
        byte[] b = buf;
        b[p] = (byte) T_COALESCE;
        p = pointer(b, p + 1, a0);
        p = varint(b, p, a1);
        p = pointer(b, p, a2);
        p = varint(b, p, a3);
        p = pointer(b, p, a4);
        commit(varint(b, p, a5));
    }

    /** The rarer transition kinds, by their {@link EventKind#fields()}. */
    private void otherTransition(int kind, long a0, long a1, long a2, long a3, long a4, long a5) {
        char[] fields = FIELDS[kind];
        if (fields == null) {
            throw notATransition(kind);
        }
        int p = begin();
        if (p < 0) {
            return;
        }
        buf[p] = (byte) kind;
        pos = p + 1;
        values(fields, a0, a1, a2, a3, a4, a5);
        commit(pos);
    }

    private static IllegalArgumentException notATransition(int kind) {
        return new IllegalArgumentException(EventKind.values()[kind].wireName() + " is not an allocator transition");
    }

    public void tcache(boolean put, long chunk, long size, int index, int count) {
        transition(put ? EventKind.TCACHE_PUT : EventKind.TCACHE_GET, chunk, size, index, count, 0, 0);
    }

    public void bin(boolean insert, int binKind, int index, long chunk, long size, int reason) {
        transition(insert ? EventKind.BIN_INSERT : EventKind.BIN_REMOVE, binKind, index, chunk, size, reason, 0);
    }

    public void split(long chunk, long size, long remainder, long remainderSize) {
        transition(EventKind.SPLIT, chunk, size, remainder, remainderSize, 0, 0);
    }

    public void coalesce(long chunk, long size, long neighbour, long neighbourSize, long merged, long mergedSize) {
        transition(EventKind.COALESCE, chunk, size, neighbour, neighbourSize, merged, mergedSize);
    }

    public void topExtend(long oldTop, long oldSize, long newTop, long newSize) {
        transition(EventKind.TOP_EXTEND, oldTop, oldSize, newTop, newSize, 0, 0);
    }

    public void topShrink(long top, long oldSize, long newSize) {
        transition(EventKind.TOP_SHRINK, top, oldSize, newSize, 0, 0, 0);
    }

    public void mmapChunk(boolean map, long chunk, long size) {
        transition(map ? EventKind.MMAP_CHUNK : EventKind.MUNMAP_CHUNK, chunk, size, 0, 0, 0, 0);
    }

    public void consolidate() {
        transition(EventKind.CONSOLIDATE, 0, 0, 0, 0, 0, 0);
    }

    /** A kernel call {@code fn} ({@link Functions#BRK} … {@link Functions#SYS_BRK}) and its result. */
    public void syscall(int fn, long a0, long a1, long a2, long a3, long a4, long a5, long result) {
        char[] kinds = Functions.ARGS[fn];
        if (skip()) {
            return;
        }
        byte1(K_SYSCALL);
        varint(fn);
        values(kinds, a0, a1, a2, a3, a4, a5);
        value(Functions.RESULTS[fn], result);
        done();
    }

    public void threshold(int which, long oldValue, long newValue) {
        transition(EventKind.THRESHOLD, which, oldValue, newValue, 0, 0, 0);
    }

    public void abort(String message) {
        byte[] b = utf8(message == null ? "" : message);
        if (skip()) {
            return;
        }
        byte1(EventKind.ABORT.ordinal());
        string(b);
        done();
    }

    /**
     * A file event ({@link EventKind#isFileEvent()}): an address, two numbers and a text (a path, or
     * SIGBUS's reason), as {@code Event} names them for each kind.
     */
    public void fileEvent(EventKind kind, long address, long n1, long n2, String text) {
        if (!kind.isFileEvent()) {
            throw new IllegalArgumentException(kind.wireName() + " is not a file event");
        }
        byte[] b = utf8(text == null ? "" : text);
        if (skip()) {
            return;
        }
        byte1(kind.ordinal());
        pointer(address);
        varint(n1);
        varint(n2);
        string(b);
        done();
    }

    /**
     * The events from here on are of process {@code pid}, thread {@code thread} (0: its main thread).
     * The caller writes one only where the running thread or process changes.
     */
    public void context(int pid, int thread) {
        if (skip()) {
            return;
        }
        byte1(EventKind.CONTEXT.ordinal());
        varint(pid);
        varint(thread);
        done();
    }

    public void segv(long address, boolean write, int width, String reason) {
        byte[] b = utf8(reason == null ? "" : reason);
        if (skip()) {
            return;
        }
        byte1(EventKind.SEGV.ordinal());
        pointer(address);
        varint((long) width << 1 | (write ? 1 : 0));
        string(b);
        done();
    }

    /** The program stored {@code width} bytes of {@code value} (little-endian) at {@code address}. */
    public void writeValue(long address, long value, int width) {
        writeValue(address, value, width, 0);
    }

    /**
     * The program stored {@code width} bytes of {@code value} (little-endian) at {@code address}, at site
     * {@code site} (defined before, as a call's; 0: unknown).
     */
    public void writeValue(long address, long value, int width, int site) {
        if (width < 0 || width > 8) {
            throw new IllegalArgumentException("a stored value of " + width + " bytes");
        }
        if (skip()) {
            return;
        }
        writeTag(site);
        pointer(address);
        varint(width);
        for (int i = 0; i < width; i++) {
            buf[pos++] = (byte) (value >>> (8 * i));
        }
        done();
    }

    /** The program stored {@code len} bytes of {@code bytes} from {@code off} at {@code address}. */
    public void write(long address, byte[] bytes, int off, int len) {
        write(address, bytes, off, len, 0);
    }

    /** {@link #write(long, byte[], int, int)} made at site {@code site} (0: unknown). */
    public void write(long address, byte[] bytes, int off, int len, int site) {
        if (len > 0) {
            Objects.checkFromIndexSize(off, len, bytes.length);
        }
        while (len > 0 && !skip()) {
            int n = Math.min(len, MAX_WRITE_PIECE);
            if (!room(n + 32)) {
                return;
            }
            writeTag(site);
            pointer(address);
            varint(n);
            System.arraycopy(bytes, off, buf, pos, n);
            pos += n;
            done();
            address += n;
            off += n;
            len -= n;
        }
    }

    /** The program set {@code len} bytes at {@code address} to {@code value} (memset). */
    public void fill(long address, int value, long len) {
        fill(address, value, len, 0);
    }

    /** {@link #fill(long, int, long)} made at site {@code site} (0: unknown). */
    public void fill(long address, int value, long len, int site) {
        if (skip()) {
            return;
        }
        if (site == 0) {
            byte1(TimelineFormat.TAG_FILL);
        } else {
            byte1(TimelineFormat.TAG_FILL_AT);
            varint(site);
        }
        pointer(address);
        varint(len);
        byte1(value);
        done();
    }

    /** A write record's tag: the version 1 one without a site, else the site's. */
    private void writeTag(int site) {
        if (site == 0) {
            byte1(EventKind.WRITE.ordinal());
        } else {
            byte1(TimelineFormat.TAG_WRITE_AT);
            varint(site);
        }
    }

    /**
     * The process printed {@code len} bytes of {@code bytes} from {@code off} on {@code stream}
     * (1 stdout, 2 stderr). More than {@value #MAX_OUTPUT_PIECE} bytes become several records, cut
     * between UTF-8 characters where the bytes are UTF-8, so each record's text decodes on its own.
     *
     * @throws IllegalArgumentException for a stream other than 1 or 2
     */
    public void output(int stream, byte[] bytes, int off, int len) {
        if (stream != TimelineFormat.STDOUT && stream != TimelineFormat.STDERR) {
            throw new IllegalArgumentException("output stream " + stream + " is not 1 (stdout) or 2 (stderr)");
        }
        if (len > 0) {
            Objects.checkFromIndexSize(off, len, bytes.length);
        }
        while (len > 0 && !skip()) {
            int n = utf8Cut(bytes, off, len);
            if (!room(n + 32)) {
                return;
            }
            byte1(EventKind.OUTPUT.ordinal());
            varint(stream);
            varint(n);
            System.arraycopy(bytes, off, buf, pos, n);
            pos += n;
            done();
            off += n;
            len -= n;
        }
    }

    /** How many of {@code len} bytes go into one output record: all, or a piece ending before a UTF-8 continuation byte. */
    static int utf8Cut(byte[] b, int off, int len) {
        if (len <= MAX_OUTPUT_PIECE) {
            return len;
        }
        int n = MAX_OUTPUT_PIECE;
        for (int back = 0; back < 3 && (b[off + n] & 0xC0) == 0x80; back++) {
            n--;
        }
        return (b[off + n] & 0xC0) == 0x80 ? MAX_OUTPUT_PIECE : n; // not UTF-8: cut anywhere
    }

    /**
     * Events recorded so far: on the recording thread, or on another after {@link #close()}. The count is
     * a plain field, raised before each event's release store of its page's committed position, which
     * close's flush reads (an acquire), so every counted event is seen there without a fence per event.
     */
    public long events() {
        return events;
    }

    /** Bytes written to the file so far (blocks on disk, not the open one). */
    public long bytesWritten() {
        return bytesWritten.get();
    }

    /** How many standard pages exist (at most {@value #PAGES}): the memory the recording holds. */
    int pages() {
        return allocated;
    }

    /** The writer thread (for tests: it ends once the recording stops). */
    Thread writerThread() {
        return thread;
    }

    /** Whether an I/O error stopped the recording. */
    public boolean failed() {
        return failed;
    }

    // ================================================================ the recording thread's pages

    /**
     * Whether the event is to be dropped (the writer is closed or failed); else the event starts where
     * the last whole one ended (the bytes of one that threw half-way are overwritten), with at least
     * {@value #MARGIN} bytes of room.
     */
    private boolean skip() {
        if (stopped) {
            return true;
        }
        pos = mark;
        return !room(MARGIN);
    }

    /**
     * Where a new event begins (where the last whole one ended), with at least {@value #MARGIN} bytes
     * of room; -1 if it is to be dropped (the writer is closed or failed). The common events encode into a
     * local position from here and {@link #commit} its end: the position goes through memory once an event.
     */
    private int begin() {
        if (stopped) {
            return -1;
        }
        int p = mark;
        if (p + MARGIN > buf.length) {
            pos = p;
            nextPage(MARGIN);
            if (stopped) {
                return -1;
            }
            p = mark;
        }
        return p;
    }

    /** The event ending at {@code end} is whole: publish it and hand over a full page. */
    private void commit(int end) {
        events++;
        pos = end;
        mark = end;
        committed.lazySet(end);
        if (end >= H + BLOCK_TARGET) {
            nextPage(0);
        }
    }

    /** Makes room for {@code n} more bytes of the event; false if the writer stopped meanwhile (the event is dropped). */
    private boolean room(int n) {
        if (pos + n > buf.length) {
            nextPage(n);
            return !stopped;
        }
        return true;
    }

    /** The event is whole: publish it (one release store, a plain store on x86) and hand over a full page. */
    private void done() {
        events++;
        int end = pos;
        mark = end;
        committed.lazySet(end);
        if (end >= H + BLOCK_TARGET) {
            nextPage(0);
        }
    }

    /**
     * Continues in a page with at least {@code need} bytes of room, carrying over the part of the event
     * being encoded: a reused standard page, a new one while fewer than {@value #PAGES} exist, else the
     * next the writer thread writes (the program waits while the disk is slower than it; a writer
     * thread that stopped, or a writer being closed, must not hang it: its events are then dropped);
     * or a page of its own for a large event.
     */
    private void nextPage(int need) {
        int partial = pos - mark;
        Page next;
        if (need + partial <= PAGE - MARGIN) {
            next = pool.pollFirst();
            if (next == null) {
                if (allocated < PAGES) {
                    next = new Page(PAGE);
                    allocated++;
                } else {
                    next = awaitPage();
                }
            }
        } else {
            next = new Page(Math.max(PAGE, need + partial + MARGIN));
        }
        boolean dropped = next == null;
        if (dropped) { // closed or failed: the events from here on are dropped, into a page never written
            next = new Page(Math.max(PAGE, need + partial + MARGIN));
        }
        System.arraycopy(buf, mark, next.data, H, partial);
        Page full = page;
        page = next;
        buf = next.data;
        committed = next.committed;
        pos = H + partial;
        mark = H;
        if (dropped) {
            return;
        }
        full.next = next; // after the page's last commit: the writer thread writes it whole, then moves on
        if (++handedOver % WAKE_EVERY == 0 && parked) {
            LockSupport.unpark(thread);
        }
    }

    /** How long the recording thread waits for a written page before the recording stops (docs/agent.md). */
    private long stallNanos = TimeUnit.SECONDS.toNanos(10);

    /** Sets {@link #stallNanos} (tests: a writer stalled for good). */
    void stallLimit(long millis) {
        stallNanos = TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private Page awaitPage() {
        long deadline = System.nanoTime() + stallNanos;
        boolean interrupted = false;
        try {
            while (true) {
                LockSupport.unpark(thread);
                try {
                    Page p = pool.pollFirst(5, TimeUnit.MILLISECONDS);
                    if (p != null) {
                        return p;
                    }
                } catch (InterruptedException e) {
                    interrupted = true; // the program's interrupt, kept for it; the page is still needed
                }
                if (stopped) {
                    return null;
                }
                if (System.nanoTime() > deadline) {
                    fail(new IOException("the timeline writer thread stopped writing"));
                    return null;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ================================================================ flushing side

    /** Writes every event recorded so far to the file now (as the background thread does every {@code flushMillis}). */
    public void flush() {
        synchronized (flushLock) {
            if (!finished) {
                writePages(true);
            }
        }
    }

    /** Writes the last events, waits (up to 10 s) for the background thread to stop, and closes the file. */
    @Override
    public void close() {
        synchronized (flushLock) {
            if (closed) {
                return;
            }
            stopped = true; // before closed: a recording thread that sees closed then sees stopped
            closed = true;
        }
        LockSupport.unpark(thread);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (flushLock) {
            flush();
            finished = true;
        }
        try {
            out.close();
        } catch (IOException e) {
            fail(e);
        }
    }

    private void drain() {
        try {
            drainUntilClosed();
        } catch (Throwable e) { // whatever stops the writer thread stops the recording, once and reported
            fail(e);
        }
    }

    private void drainUntilClosed() {
        long flushNanos = TimeUnit.MILLISECONDS.toNanos(flushMillis);
        long next = System.nanoTime() + flushNanos;
        // close() writes the rest itself; after a failure (stopped) nothing more is written: the thread ends
        while (!closed && !stopped) {
            Page waiting;
            synchronized (flushLock) {
                boolean due = System.nanoTime() - next >= 0;
                writePages(due);
                if (due) {
                    next = System.nanoTime() + flushNanos;
                }
                waiting = readPage;
            }
            parked = true;
            if (waiting.next == null && !closed) { // no whole page to write: sleep until one fills or the flush is due
                LockSupport.parkNanos(this, next - System.nanoTime());
            }
            parked = false;
        }
    }

    /**
     * Writes the pages handed over, in order, each as a block (its bytes not in the file yet), and with
     * {@code all} the whole events of the page being filled too (under flushLock). Any failure stops the
     * recording once; a block is never written twice.
     */
    private void writePages(boolean all) {
        try {
            while (!failed) {
                Page p = readPage;
                Page following = p.next; // read before committed: once it is set, committed is final
                if (following == null && !all) {
                    return;
                }
                int end = p.committed.get();
                if (end > p.taken) {
                    int from = p.taken;
                    p.taken = end;
                    writeBlock(p.data, from, end);
                }
                if (following == null) {
                    return;
                }
                readPage = following;
                if (p.data.length == H + PAGE) {
                    p.taken = H;
                    p.committed.set(H);
                    p.next = null;
                    pool.offerFirst(p);
                }
            }
        } catch (Throwable e) { // an Error too: the writer stops once, cleanly
            fail(e);
        }
    }

    /** Writes {@code data[from, to)} as one block, its header in the 8 bytes before {@code from}. */
    private void writeBlock(byte[] data, int from, int to) throws IOException {
        int n = frame(data, from, to);
        out.write(data, from - H, n);
        out.flush();
        bytesWritten.addAndGet(n);
    }

    /** Puts the block header (length, CRC) of {@code data[from, to)} into the 8 bytes before it; returns the block's length. */
    private int frame(byte[] data, int from, int to) {
        int len = to - from;
        crc.reset();
        crc.update(data, from, len);
        putInt(data, from - H, len);
        putInt(data, from - H + 4, (int) crc.getValue());
        return H + len;
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }

    private void fail(Throwable e) {
        synchronized (failLock) {
            if (failed) {
                return;
            }
            stopped = true;
            failed = true;
        }
        onError.accept("mallocscope: cannot write the timeline " + target + " ("
                + (e instanceof IOException ? e.getMessage() : e.toString()) + "); recording stopped, the program runs on");
    }

    // ================================================================ encoding

    /**
     * The transition kinds whose fields {@link #transition(int, long, long, long, long, long, long)} spells
     * out, as the constants a switch needs: their {@link EventKind} ordinals (TimelineWriterBytesTest
     * checks them, and the fields, against EventKind).
     */
    static final int T_TCACHE_PUT = 2;
    static final int T_TCACHE_GET = 3;
    static final int T_BIN_INSERT = 4;
    static final int T_BIN_REMOVE = 5;
    static final int T_SPLIT = 6;
    static final int T_COALESCE = 7;
    static final int T_TOP_EXTEND = 8;
    private static final int K_CALL = EventKind.CALL.ordinal();
    private static final int K_RETURN = EventKind.RETURN.ordinal();
    private static final int K_SYSCALL = EventKind.SYSCALL.ordinal();
    /** Each transition kind's {@link EventKind#fields()}, by ordinal (null for other kinds). */
    private static final char[][] FIELDS = fieldsByOrdinal();

    private static char[][] fieldsByOrdinal() {
        EventKind[] kinds = EventKind.values();
        char[][] f = new char[kinds.length][];
        for (EventKind k : kinds) {
            f[k.ordinal()] = k.fields() == null ? null : k.fields().toCharArray();
        }
        return f;
    }

    /** The first {@code kinds.length} of the values, each encoded as its kind says (unrolled: one per event). */
    private void values(char[] kinds, long a0, long a1, long a2, long a3, long a4, long a5) {
        int n = kinds.length;
        if (n > 0) {
            value(kinds[0], a0);
        }
        if (n > 1) {
            value(kinds[1], a1);
        }
        if (n > 2) {
            value(kinds[2], a2);
        }
        if (n > 3) {
            value(kinds[3], a3);
        }
        if (n > 4) {
            value(kinds[4], a4);
        }
        if (n > 5) {
            value(kinds[5], a5);
        }
    }

    private void value(char kind, long v) {
        switch (kind) {
            case 'P' -> pointer(v);
            case 'U' -> varint(v);
            default -> zigzag(v);
        }
    }

    private void byte1(int b) {
        buf[pos++] = (byte) b;
    }

    private void pointer(long address) {
        zigzag(address - lastAddr);
        lastAddr = address;
    }

    private void zigzag(long v) {
        varint((v << 1) ^ (v >> 63));
    }

    private void varint(long v) {
        byte[] b = buf;
        int p = pos;
        while ((v & ~0x7FL) != 0) {
            b[p++] = (byte) (v | 0x80);
            v >>>= 7;
        }
        b[p] = (byte) v;
        pos = p + 1;
    }

    /** {@code v} as a varint at {@code b[p]}; returns the end. */
    private static int varint(byte[] b, int p, long v) {
        while ((v & ~0x7FL) != 0) {
            b[p++] = (byte) (v | 0x80);
            v >>>= 7;
        }
        b[p] = (byte) v;
        return p + 1;
    }

    /** A pointer as its zigzag delta from the last one, at {@code b[p]}; returns the end. */
    private int pointer(byte[] b, int p, long address) {
        long d = address - lastAddr;
        lastAddr = address;
        return varint(b, p, (d << 1) ^ (d >> 63));
    }

    private void bytes(byte[] b) {
        varint(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    /** A text's bytes, with room made for them (a long one moves the event to a page of its own). */
    private void string(byte[] b) {
        if (room(b.length + 16)) {
            bytes(b);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
