package io.mallocscope.runtime.timeline;

import io.mallocscope.runtime.event.EventKind;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * Appends events to a timeline file (format: docs/timeline-format.md). The recording thread does not
 * encode: it appends each event as a raw record of a few longs (a header word with the record's kind
 * and small fields, then the event's values as they came; texts and byte copies beside them) to a
 * page it owns, and publishes how far the page is complete with one release store. A background
 * thread decodes the raw records in order and encodes them into the very bytes of the format
 * (varints, pointer deltas, site records), cutting a CRC block where the encoded bytes reach about
 * 64 KiB after a whole event and at every flush, every {@code flushMillis}; so a process killed at
 * any moment leaves a file whose every block up to the last flush is readable, and a block never holds
 * half an event. Memory stays bounded: at most {@value #RAW_PAGES} raw pages of {@value #RAW_PAGE}
 * longs exist, each with the texts and byte copies of its records (a page is handed over once those
 * reach 64 KiB, so at worst 64 KiB and one 1 MiB write piece more: about 34 MiB in all, as the old
 * encoder's 32 queued pages of up to 1 MiB); when the writer lags that far behind, the recording
 * thread waits for a page.
 *
 * <p>Events come from one thread at a time: calls on different threads must be ordered by
 * happens-before (as the simulated scheduler's baton orders the simulated threads), since nothing
 * here locks per event. {@link #flush()}, {@link #close()} and the getters may be called from any
 * thread; an event recorded while another thread closes the writer may be left out, as if the
 * process had been killed then.
 *
 * <p>An I/O error never reaches the caller: it is reported once through {@code onError}, and from
 * then on events are dropped.
 */
public final class TimelineWriter implements Closeable {
    static final int BLOCK_TARGET = 64 * 1024;
    private static final int MAX_WRITE_PIECE = 1 << 20;
    /** Largest output record: a printf of a whole file still leaves blocks near their 64 KiB target. */
    static final int MAX_OUTPUT_PIECE = 32 * 1024;
    /** The encoder's buffer: a block's bytes and the event that reaches the target. */
    private static final int PAGE = BLOCK_TARGET + 256;
    /** Longs per raw page, and how many raw pages may exist at once. */
    static final int RAW_PAGE = 8192;
    static final int RAW_PAGES = 32;
    /** Longs of the largest fixed-size raw record (a kernel call: header, six arguments, result). */
    private static final int MAX_RECORD = 8;
    /** Texts and byte copies per raw page, and their bytes, beyond which the page is handed over. */
    private static final int REFS = 1024;
    private static final int REF_BYTES = BLOCK_TARGET;
    /** The recording thread wakes the writer thread every this many pages (and whenever it waits for one). */
    private static final int WAKE_EVERY = 4;

    // raw record kinds: the low byte of a record's header word
    private static final int R_CALL = 1;          // fn << 8, site << 32; six arguments
    private static final int R_RET = 2;           // fn << 8; the value
    private static final int R_UNWOUND = 3;       // signal << 32
    private static final int R_TRANSITION = 4;    // kind << 8; six values
    private static final int R_SYSCALL = 5;       // fn << 8; the arguments, the result
    private static final int R_SITE = 6;          // id << 32; text
    private static final int R_ABORT = 7;         // text
    private static final int R_FILE = 8;          // kind << 8; address, n1, n2; text
    private static final int R_CONTEXT = 9;       // pid, thread
    private static final int R_SEGV = 10;         // address, width << 1 | write; text
    private static final int R_WRITE_VALUE = 11;  // width << 8, site << 32; address, value
    private static final int R_WRITE = 12;        // site << 32; address; bytes
    private static final int R_FILL = 13;         // value << 8, site << 32; address, length
    private static final int R_OUTPUT = 14;       // stream << 8; bytes

    /**
     * A raw page. The recording thread appends to {@code data} (and {@code refs}) and publishes the end
     * of its last whole record in {@code committed} (release store); what lies before it never changes
     * again. When it moves on to another page it sets {@code next}, after the last commit.
     */
    private static final class Page {
        final long[] data = new long[RAW_PAGE];
        final Object[] refs = new Object[REFS];
        final AtomicInteger committed = new AtomicInteger();
        volatile Page next;
    }

    private final OutputStream out;
    private final String target;
    private final Consumer<String> onError;
    /**
     * Pages the writer thread has emptied, for the recording thread to reuse: the last one emptied
     * first, its lines likely still in a cache.
     */
    private final LinkedBlockingDeque<Page> pool = new LinkedBlockingDeque<>(RAW_PAGES);
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
    private Page page = new Page();
    private long[] data = page.data;
    private AtomicInteger committed = page.committed;
    private int pos;
    private int refPos;
    private int refBytes;
    private int allocated = 1;
    private int handedOver;

    // the flushing side's (under flushLock): the raw record it reads next, and the encoder
    private Page readPage = page;
    private int readPos;
    private int readRef;
    private final byte[] standard = new byte[PAGE];
    private byte[] buf = standard;
    private int bpos;
    /** Where the event being encoded began in {@link #buf}; how much of {@link #buf} is in the file. */
    private int mark;
    private int taken;
    private long lastAddr;
    private byte[] scratch = new byte[TimelineFormat.BLOCK_HEADER + PAGE];
    /** Events recorded (by the recording thread). */
    private long events;
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
        byte1(TimelineFormat.TAG_HEADER);
        varint(header.fields().size());
        for (var e : header.fields().entrySet()) {
            string(e.getKey());
            string(e.getValue());
        }
        int n = block(buf, 0, bpos);
        out.write(scratch, 0, n);
        out.flush();
        bpos = 0;
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
        Objects.requireNonNull(text, "a site's text");
        if (skip()) {
            return;
        }
        long[] d = data;
        int p = pos;
        d[p] = R_SITE | (long) id << 32;
        ref(text);
        events--; // a definition, not an event
        doneWithRef(p + 1);
    }

    /** A top-level call of function {@code fn} (see {@link Functions}); unused arguments are ignored. */
    public void call(int fn, int site, long a0, long a1, long a2, long a3, long a4, long a5) {
        if (skip()) {
            return;
        }
        long[] d = data;
        int p = pos;
        int n = ARG_COUNT[fn];
        d[p] = R_CALL | (long) fn << 8 | (long) site << 32;
        six(d, p, a0, a1, a2, a3, a4, a5);
        done(p + 1 + n);
    }

    /** The call of {@code fn} returned {@code value} (ignored for void functions). */
    public void ret(int fn, long value) {
        if (skip()) {
            return;
        }
        long[] d = data;
        int p = pos;
        d[p] = R_RET | (long) fn << 8;
        d[p + 1] = value;
        done(p + 2);
    }

    /** The open call ended by a signal ({@code signal} 6 or 11) or a Java exception (0), not a result. */
    public void unwound(int signal) {
        if (skip()) {
            return;
        }
        int p = pos;
        data[p] = R_UNWOUND | (long) signal << 32;
        done(p + 1);
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
        int n = FIELD_COUNT[kind];
        if (n < 0) {
            throw notATransition(kind);
        }
        if (skip()) {
            return;
        }
        long[] d = data;
        int p = pos;
        d[p] = R_TRANSITION | (long) kind << 8;
        six(d, p, a0, a1, a2, a3, a4, a5);
        done(p + 1 + n);
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
        if (skip()) {
            return;
        }
        long[] d = data;
        int p = pos;
        int n = ARG_COUNT[fn];
        d[p] = R_SYSCALL | (long) fn << 8;
        six(d, p, a0, a1, a2, a3, a4, a5);
        d[p + 1 + n] = result;
        done(p + 2 + n);
    }

    public void threshold(int which, long oldValue, long newValue) {
        transition(EventKind.THRESHOLD, which, oldValue, newValue, 0, 0, 0);
    }

    public void abort(String message) {
        if (skip()) {
            return;
        }
        int p = pos;
        data[p] = R_ABORT;
        ref(message == null ? "" : message);
        doneWithRef(p + 1);
    }

    /**
     * A file event ({@link EventKind#isFileEvent()}): an address, two numbers and a text (a path, or
     * SIGBUS's reason), as {@code Event} names them for each kind.
     */
    public void fileEvent(EventKind kind, long address, long n1, long n2, String text) {
        if (!kind.isFileEvent()) {
            throw new IllegalArgumentException(kind.wireName() + " is not a file event");
        }
        if (skip()) {
            return;
        }
        long[] d = data;
        int p = pos;
        d[p] = R_FILE | (long) kind.ordinal() << 8;
        d[p + 1] = address;
        d[p + 2] = n1;
        d[p + 3] = n2;
        ref(text == null ? "" : text);
        doneWithRef(p + 4);
    }

    /**
     * The events from here on are of process {@code pid}, thread {@code thread} (0: its main thread).
     * The caller writes one only where the running thread or process changes.
     */
    public void context(int pid, int thread) {
        record2(R_CONTEXT, pid, thread);
    }

    public void segv(long address, boolean write, int width, String reason) {
        if (skip()) {
            return;
        }
        long[] d = data;
        int p = pos;
        d[p] = R_SEGV;
        d[p + 1] = address;
        d[p + 2] = (long) width << 1 | (write ? 1 : 0);
        ref(reason == null ? "" : reason);
        doneWithRef(p + 3);
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
        record2(R_WRITE_VALUE | (long) (width & 0xffffff) << 8 | (long) site << 32, address, value);
    }

    /** The program stored {@code len} bytes of {@code bytes} from {@code off} at {@code address}. */
    public void write(long address, byte[] bytes, int off, int len) {
        write(address, bytes, off, len, 0);
    }

    /** {@link #write(long, byte[], int, int)} made at site {@code site} (0: unknown). */
    public void write(long address, byte[] bytes, int off, int len, int site) {
        if (len > 0) {
            Objects.checkFromIndexSize(off, len, bytes.length); // on the caller's thread, as arraycopy did
        }
        while (len > 0 && !skip()) {
            int n = Math.min(len, MAX_WRITE_PIECE);
            long[] d = data;
            int p = pos;
            d[p] = R_WRITE | (long) site << 32;
            d[p + 1] = address;
            ref(Arrays.copyOfRange(bytes, off, off + n)); // the program may change its array before it is encoded
            refBytes += n;
            doneWithRef(p + 2);
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
        record2(R_FILL | (long) (value & 0xff) << 8 | (long) site << 32, address, len);
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
            int p = pos;
            data[p] = R_OUTPUT | (long) stream << 8;
            ref(Arrays.copyOfRange(bytes, off, off + n));
            refBytes += n;
            doneWithRef(p + 1);
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

    /** Events recorded so far. */
    public long events() {
        return events;
    }

    /** Bytes written to the file so far (blocks on disk, not the open one). */
    public long bytesWritten() {
        return bytesWritten.get();
    }

    /** How many raw pages exist (at most {@value #RAW_PAGES}): the memory the recording holds. */
    int rawPages() {
        return allocated;
    }

    /** Whether an I/O error stopped the recording. */
    public boolean failed() {
        return failed;
    }

    /**
     * Stores all six values after the header at {@code d[p]}, whatever the record keeps: no branch per
     * value (the next record overwrites the rest).
     */
    private static void six(long[] d, int p, long a0, long a1, long a2, long a3, long a4, long a5) {
        d[p + 1] = a0;
        d[p + 2] = a1;
        d[p + 3] = a2;
        d[p + 4] = a3;
        d[p + 5] = a4;
        d[p + 6] = a5;
    }

    /** A record of a header and two values. */
    private void record2(long header, long x, long y) {
        if (skip()) {
            return;
        }
        long[] d = data;
        int p = pos;
        d[p] = header;
        d[p + 1] = x;
        d[p + 2] = y;
        done(p + 3);
    }

    private boolean skip() {
        return stopped;
    }

    private void ref(Object o) {
        page.refs[refPos++] = o;
    }

    /** The record ending at {@code end} is whole: publish it (one release store, a plain store on x86). */
    private void done(int end) {
        events++;
        pos = end;
        committed.lazySet(end);
        if (end > RAW_PAGE - MAX_RECORD) {
            nextPage();
        }
    }

    private void doneWithRef(int end) {
        events++;
        pos = end;
        committed.lazySet(end);
        if (end > RAW_PAGE - MAX_RECORD || refPos == REFS || refBytes >= REF_BYTES) {
            nextPage();
        }
    }

    /**
     * Continues in another page: a reused one, a new one while fewer than {@value #RAW_PAGES} exist,
     * else the next the writer thread empties (the program waits while the disk is slower than it; a
     * writer thread that stopped, or a writer being closed, must not hang it: its events are then dropped).
     */
    private void nextPage() {
        Page next = pool.pollFirst();
        if (next == null) {
            if (allocated < RAW_PAGES) {
                next = new Page();
                allocated++;
            } else {
                next = awaitPage();
                if (next == null) {
                    return; // closed or failed: the events from here on are dropped
                }
            }
        }
        Page full = page;
        page = next;
        data = next.data;
        committed = next.committed;
        pos = 0;
        refPos = 0;
        refBytes = 0;
        full.next = next; // after the page's last commit: the writer thread reads it whole, then moves on
        if (++handedOver % WAKE_EVERY == 0 && parked) {
            LockSupport.unpark(thread);
        }
    }

    private Page awaitPage() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
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

    private static final int K_CALL = EventKind.CALL.ordinal();
    private static final int K_RETURN = EventKind.RETURN.ordinal();
    private static final int K_SYSCALL = EventKind.SYSCALL.ordinal();
    /** Each function's argument count, by number. */
    private static final int[] ARG_COUNT = argCounts();
    /** Each transition kind's value count ({@link EventKind#fields()}), by ordinal; -1 for other kinds. */
    private static final int[] FIELD_COUNT = new int[EventKind.values().length];
    /** Each transition kind's {@link EventKind#fields()}, by ordinal (null for other kinds). */
    private static final char[][] FIELDS = fieldsByOrdinal();

    private static int[] argCounts() {
        int[] n = new int[Functions.ARGS.length];
        for (int fn = 0; fn < n.length; fn++) {
            n[fn] = Functions.ARGS[fn].length;
        }
        return n;
    }

    private static char[][] fieldsByOrdinal() {
        EventKind[] kinds = EventKind.values();
        char[][] f = new char[kinds.length][];
        for (EventKind k : kinds) {
            f[k.ordinal()] = k.fields() == null ? null : k.fields().toCharArray();
            FIELD_COUNT[k.ordinal()] = k.fields() == null ? -1 : k.fields().length();
        }
        return f;
    }

    // ================================================================ flushing side

    /** Writes every event recorded so far to the file now (as the background thread does every {@code flushMillis}). */
    public void flush() {
        synchronized (flushLock) {
            if (!finished) {
                pump();
                writeTaken();
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
        long flushNanos = TimeUnit.MILLISECONDS.toNanos(flushMillis);
        long next = System.nanoTime() + flushNanos;
        try {
            drainUntilClosed(next, flushNanos);
        } catch (Throwable e) {
            fail(e);
        }
    }

    private void drainUntilClosed(long next, long flushNanos) {
        while (!closed) { // close() writes the rest itself
            Page waiting;
            synchronized (flushLock) {
                pump();
                if (System.nanoTime() - next >= 0) {
                    writeTaken();
                    next = System.nanoTime() + flushNanos;
                }
                waiting = readPage;
            }
            parked = true;
            if (waiting.next == null && !closed) { // nothing whole to read: sleep until a page fills or the flush is due
                LockSupport.parkNanos(this, next - System.nanoTime());
            }
            parked = false;
        }
    }

    /** Encodes every committed raw record, page by page in order (under flushLock). */
    private void pump() {
        if (failed) {
            return;
        }
        try {
            while (true) {
                Page p = readPage;
                Page following = p.next; // read before committed: once it is set, committed is final
                int end = p.committed.get();
                decode(p, end);
                if (following == null) {
                    break;
                }
                Arrays.fill(p.refs, 0, readRef, null);
                p.committed.set(0);
                p.next = null;
                readPage = following;
                readPos = 0;
                readRef = 0;
                pool.offerFirst(p);
            }
        } catch (Throwable e) { // an Error too: the writer stops once, cleanly, and never decodes a record twice
            try {
                writeTaken(); // the whole events encoded before the one that failed
            } catch (Throwable ignored) {
                // the first failure is the one reported
            }
            fail(e);
        }
    }

    /** Encodes page {@code p}'s records from {@link #readPos} to {@code end}. */
    private void decode(Page p, int end) {
        long[] d = p.data;
        Object[] refs = p.refs;
        int at = readPos;
        while (at < end) {
            long h = d[at];
            mark = bpos;
            ensure(160);
            switch ((int) h & 0xff) {
                case R_CALL -> {
                    int fn = (int) h >>> 8;
                    byte1(K_CALL);
                    varint(fn);
                    varint((int) (h >> 32));
                    char[] kinds = Functions.ARGS[fn];
                    values(kinds, d, at + 1);
                    at += 1 + kinds.length;
                }
                case R_RET -> {
                    char k = Functions.RESULTS[(int) h >>> 8];
                    if (k == '-') {
                        byte1(TimelineFormat.TAG_RETURN_UNWOUND);
                        varint(0);
                    } else {
                        byte1(K_RETURN);
                        value(k, d[at + 1]);
                    }
                    at += 2;
                }
                case R_TRANSITION -> {
                    int kind = (int) h >>> 8;
                    char[] kinds = FIELDS[kind];
                    byte1(kind);
                    values(kinds, d, at + 1);
                    at += 1 + kinds.length;
                }
                case R_SYSCALL -> {
                    int fn = (int) h >>> 8;
                    char[] kinds = Functions.ARGS[fn];
                    byte1(K_SYSCALL);
                    varint(fn);
                    values(kinds, d, at + 1);
                    value(Functions.RESULTS[fn], d[at + 1 + kinds.length]);
                    at += 2 + kinds.length;
                }
                default -> at = decodeOther(h, d, refs, at);
            }
            eventDone();
        }
        readPos = at;
    }

    /** {@link #decode}'s rarer records: encodes the one at {@code d[at]}; returns where the next begins. */
    private int decodeOther(long h, long[] d, Object[] refs, int at) {
        switch ((int) h & 0xff) {
                case R_UNWOUND -> {
                    int signal = (int) (h >> 32);
                    byte1(TimelineFormat.TAG_RETURN_UNWOUND);
                    varint(signal == 0 ? 1 : signal + 1);
                    return at + 1;
                }
                case R_SITE -> {
                    byte1(TimelineFormat.TAG_SITE);
                    varint((int) (h >> 32));
                    string((String) refs[readRef++]);
                    return at + 1;
                }
                case R_ABORT -> {
                    byte1(EventKind.ABORT.ordinal());
                    string((String) refs[readRef++]);
                    return at + 1;
                }
                case R_FILE -> {
                    byte1((int) h >>> 8);
                    pointer(d[at + 1]);
                    varint(d[at + 2]);
                    varint(d[at + 3]);
                    string((String) refs[readRef++]);
                    return at + 4;
                }
                case R_CONTEXT -> {
                    byte1(EventKind.CONTEXT.ordinal());
                    varint((int) d[at + 1]);
                    varint((int) d[at + 2]);
                    return at + 3;
                }
                case R_SEGV -> {
                    byte1(EventKind.SEGV.ordinal());
                    pointer(d[at + 1]);
                    varint(d[at + 2]);
                    string((String) refs[readRef++]);
                    return at + 3;
                }
                case R_WRITE_VALUE -> {
                    int width = (int) h >>> 8 & 0xffffff;
                    writeTag((int) (h >> 32));
                    pointer(d[at + 1]);
                    varint(width);
                    long value = d[at + 2];
                    for (int i = 0; i < width; i++) {
                        buf[bpos++] = (byte) (value >>> (8 * i));
                    }
                    return at + 3;
                }
                case R_WRITE -> {
                    byte[] b = (byte[]) refs[readRef++];
                    ensure(b.length + 32);
                    writeTag((int) (h >> 32));
                    pointer(d[at + 1]);
                    bytes(b);
                    return at + 2;
                }
                case R_FILL -> {
                    int site = (int) (h >> 32);
                    if (site == 0) {
                        byte1(TimelineFormat.TAG_FILL);
                    } else {
                        byte1(TimelineFormat.TAG_FILL_AT);
                        varint(site);
                    }
                    pointer(d[at + 1]);
                    varint(d[at + 2]);
                    byte1((int) (h >>> 8));
                    return at + 3;
                }
                case R_OUTPUT -> {
                    byte[] b = (byte[]) refs[readRef++];
                    ensure(b.length + 32);
                    byte1(EventKind.OUTPUT.ordinal());
                    varint((int) h >>> 8);
                    bytes(b);
                    return at + 1;
                }
                default -> throw new IllegalStateException("raw record " + (h & 0xff) + " at " + at);
        }
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

    /** The values of a record from {@code d[at]}, each encoded as its kind says. */
    private void values(char[] kinds, long[] d, int at) {
        for (int i = 0; i < kinds.length; i++) {
            value(kinds[i], d[at + i]);
        }
    }

    /** The event is whole: a block is cut once the encoded bytes reach the target. */
    private void eventDone() {
        mark = bpos;
        if (bpos >= BLOCK_TARGET) {
            nextBuffer(0);
        }
    }

    /** The bytes of whole events not yet in the file, as one block. */
    private void writeTaken() {
        if (mark > taken) {
            writeBlock(taken, mark);
            taken = mark;
        }
    }

    /**
     * Writes the whole events of the buffer as a block and continues in a buffer of at least {@code need}
     * free bytes (a larger one for a large event), carrying over the part of the event being encoded.
     */
    private void nextBuffer(int need) {
        int partial = bpos - mark;
        writeTaken();
        byte[] next = need + partial <= PAGE - 160 ? standard : new byte[Math.max(PAGE, need + partial + 160)];
        System.arraycopy(buf, mark, next, 0, partial);
        buf = next;
        bpos = partial;
        mark = 0;
        taken = 0;
    }

    private void writeBlock(int from, int to) {
        if (failed) {
            return;
        }
        int n = block(buf, from, to);
        try {
            out.write(scratch, 0, n);
            out.flush();
            bytesWritten.addAndGet(n);
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
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

    /** Puts {@code data[from, to)} as one block (length, CRC, payload) into {@link #scratch}; returns its length. */
    private int block(byte[] data, int from, int to) {
        int len = to - from;
        if (scratch.length < TimelineFormat.BLOCK_HEADER + len) {
            scratch = new byte[TimelineFormat.BLOCK_HEADER + len];
        }
        CRC32 crc = new CRC32();
        crc.update(data, from, len);
        putInt(scratch, 0, len);
        putInt(scratch, 4, (int) crc.getValue());
        System.arraycopy(data, from, scratch, TimelineFormat.BLOCK_HEADER, len);
        return TimelineFormat.BLOCK_HEADER + len;
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }

    private void ensure(int n) {
        if (bpos + n > buf.length) {
            nextBuffer(n);
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
        buf[bpos++] = (byte) b;
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
        int p = bpos;
        while ((v & ~0x7FL) != 0) {
            b[p++] = (byte) (v | 0x80);
            v >>>= 7;
        }
        b[p] = (byte) v;
        bpos = p + 1;
    }

    private void bytes(byte[] b) {
        varint(b.length);
        System.arraycopy(b, 0, buf, bpos, b.length);
        bpos += b.length;
    }

    private void string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        ensure(b.length + 16);
        bytes(b);
    }
}
