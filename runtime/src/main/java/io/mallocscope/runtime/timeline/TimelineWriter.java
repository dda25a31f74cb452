package io.mallocscope.runtime.timeline;

import io.mallocscope.runtime.event.EventKind;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * Appends events to a timeline file (format: docs/timeline-format.md). The recording thread only
 * encodes into a page (a block buffer) it owns, and after each event publishes how far the page is
 * complete with one release store: no lock per event. A background thread writes, every
 * {@code flushMillis}, the completed bytes not yet written as one CRC block, and each page the
 * recording thread hands over when it reaches about 64 KiB; so a process killed at any moment leaves
 * a file whose every block up to the last flush is readable, and a block never holds half an event.
 * Memory stays bounded: at most {@value #QUEUED_BLOCKS} full pages wait for the disk; beyond that the
 * recording thread waits.
 *
 * <p>Events come from one thread at a time: calls on different threads must be ordered by
 * happens-before (as the simulated scheduler's baton orders the simulated threads), since nothing
 * here locks per event. {@link #flush()}, {@link #close()} and the getters may be called from any
 * thread; an event encoded while another thread closes the writer may be left out, as if the
 * process had been killed then.
 *
 * <p>An I/O error never reaches the caller: it is reported once through {@code onError}, and from
 * then on events are dropped.
 */
public final class TimelineWriter implements Closeable {
    static final int BLOCK_TARGET = 64 * 1024;
    static final int QUEUED_BLOCKS = 32;
    private static final int MAX_WRITE_PIECE = 1 << 20;
    /** Largest output record: a printf of a whole file still leaves blocks near their 64 KiB target. */
    static final int MAX_OUTPUT_PIECE = 32 * 1024;
    private static final int PAGE = BLOCK_TARGET + 256;
    private static final Page POISON = new Page(0);

    /**
     * A block buffer. The recording thread appends to {@code data} and publishes the end of its last
     * whole event in {@code committed} (release store); the bytes before it never change again. The
     * flushing side owns {@code taken}: how much of the page is already in the file.
     */
    private static final class Page {
        final byte[] data;
        final java.util.concurrent.atomic.AtomicInteger committed = new java.util.concurrent.atomic.AtomicInteger();
        int taken;
        /** Its place in the file: set by the recording thread before the page becomes {@link #current}. */
        int seq;

        Page(int size) {
            data = new byte[size];
        }
    }

    private final OutputStream out;
    private final String target;
    private final Consumer<String> onError;
    /** Full pages, in order, waiting for the disk. */
    private final BlockingQueue<Page> queue = new ArrayBlockingQueue<>(QUEUED_BLOCKS);
    /** Written pages of the standard size, for the recording thread to reuse. */
    private final BlockingQueue<Page> pool = new ArrayBlockingQueue<>(QUEUED_BLOCKS + 2);
    private final Thread thread;
    private final long flushMillis;
    /** Serialises the flushing side (the background thread, flush(), close()), never the recording thread. */
    private final Object flushLock = new Object();
    private byte[] scratch = new byte[TimelineFormat.BLOCK_HEADER + PAGE];
    /** The last page written out whole (flushing side). */
    private int doneSeq;
    /**
     * Whole pages that reached the flushing side before an earlier one (under flushLock): the background
     * thread takes a page off the queue before it holds the lock, so a flush() in between can meet the
     * pages after it. They wait here until the one before them is written, so blocks stay in order.
     */
    private final java.util.TreeMap<Integer, Page> early = new java.util.TreeMap<>();
    private final Object failLock = new Object();

    // the recording thread's
    private Page page = firstPage();
    private byte[] buf = page.data;
    private java.util.concurrent.atomic.AtomicInteger committed = page.committed;
    private int pos;
    /** Where the event being encoded began in {@link #buf}. */
    private int mark;
    private int pageSeq = 1;
    private long lastAddr;
    private long events;

    /** The page the recording thread is filling (set after the previous one is queued). */
    private volatile Page current = page;
    private final java.util.concurrent.atomic.AtomicLong bytesWritten = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean closed;
    private volatile boolean failed;

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
        int n = block(buf, 0, pos);
        out.write(scratch, 0, n);
        out.flush();
        pos = 0;
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

    private static Page firstPage() {
        Page p = new Page(PAGE);
        p.seq = 1;
        return p;
    }

    // ================================================================ events

    /** Defines site {@code id} (a {@code File.java:LINE} string) before its first use by a call. */
    public void defineSite(int id, String text) {
        if (skip()) {
            return;
        }
        byte1(TimelineFormat.TAG_SITE);
        varint(id);
        string(text);
        done();
        events--; // a definition, not an event
    }

    /** A top-level call of function {@code fn} (see {@link Functions}); unused arguments are ignored. */
    public void call(int fn, int site, long a0, long a1, long a2, long a3, long a4, long a5) {
        if (skip()) {
            return;
        }
        byte1(EventKind.CALL.ordinal());
        varint(fn);
        varint(site);
        args(fn, a0, a1, a2, a3, a4, a5);
        done();
    }

    /** The call of {@code fn} returned {@code value} (ignored for void functions). */
    public void ret(int fn, long value) {
        if (skip()) {
            return;
        }
        char k = Functions.RESULTS[fn];
        if (k == '-') {
            byte1(TimelineFormat.TAG_RETURN_UNWOUND);
            varint(0);
        } else {
            byte1(EventKind.RETURN.ordinal());
            value(k, value);
        }
        done();
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
        char[] fields = FIELDS[kind.ordinal()];
        if (fields == null) {
            throw new IllegalArgumentException(kind.wireName() + " is not an allocator transition");
        }
        if (skip()) {
            return;
        }
        byte1(kind.ordinal());
        values(fields, a0, a1, a2, a3, a4, a5);
        done();
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
        byte1(EventKind.SYSCALL.ordinal());
        varint(fn);
        args(fn, a0, a1, a2, a3, a4, a5);
        value(Functions.RESULTS[fn], result);
        done();
    }

    public void threshold(int which, long oldValue, long newValue) {
        transition(EventKind.THRESHOLD, which, oldValue, newValue, 0, 0, 0);
    }

    public void abort(String message) {
        if (skip()) {
            return;
        }
        byte1(EventKind.ABORT.ordinal());
        string(message == null ? "" : message);
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
        if (skip()) {
            return;
        }
        byte1(kind.ordinal());
        pointer(address);
        varint(n1);
        varint(n2);
        string(text == null ? "" : text);
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
        if (skip()) {
            return;
        }
        byte1(EventKind.SEGV.ordinal());
        pointer(address);
        varint((long) width << 1 | (write ? 1 : 0));
        string(reason == null ? "" : reason);
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
        if (skip()) {
            return;
        }
        while (len > 0) {
            int n = Math.min(len, MAX_WRITE_PIECE);
            ensure(n + 32);
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
        buf[pos++] = (byte) value;
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
        if (len <= 0 || skip()) {
            return;
        }
        while (len > 0) {
            int n = utf8Cut(bytes, off, len);
            ensure(n + 32);
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

    /** Events recorded so far. */
    public long events() {
        return events;
    }

    /** Bytes written to the file so far (blocks on disk, not the open one). */
    public long bytesWritten() {
        return bytesWritten.get();
    }

    /** Whether an I/O error stopped the recording. */
    public boolean failed() {
        return failed;
    }

    /** Writes every event recorded so far to the file now (as the background thread does every {@code flushMillis}). */
    public void flush() {
        synchronized (flushLock) {
            Page c = current;
            boolean currentDone = false;
            for (Page p; (p = queue.poll()) != null; ) {
                if (p == POISON) {
                    continue;
                }
                writeWhole(p);
                currentDone |= p == c;
            }
            // only once every page before it is in the file (c may be a page reused since it was read)
            if (!currentDone && c.seq == doneSeq + 1) {
                writeCommitted(c);
            }
        }
    }

    /** Writes the last events, waits (up to 10 s) for everything to reach the file, and closes it. */
    @Override
    public void close() {
        synchronized (flushLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            if (queue.offer(POISON, 10, TimeUnit.SECONDS)) {
                thread.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
        synchronized (flushLock) {
            // a page dropped on the way (a writer closed while the program waited) leaves a gap: keep what follows it
            while (!early.isEmpty()) {
                writeInOrder(early.pollFirstEntry().getValue());
            }
        }
        try {
            out.close();
        } catch (IOException e) {
            fail(e);
        }
    }

    // ================================================================ background thread

    private void drain() {
        long flushNanos = TimeUnit.MILLISECONDS.toNanos(flushMillis);
        long next = System.nanoTime() + flushNanos;
        try {
            while (!closed) { // close() writes the rest itself; POISON only wakes this thread up
                long wait = next - System.nanoTime();
                Page p = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : null;
                if (p == POISON) {
                    return;
                }
                if (p != null) {
                    synchronized (flushLock) {
                        writeWhole(p);
                    }
                    continue;
                }
                flush();
                next = System.nanoTime() + flushNanos;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes the page's bytes completed since the last time as one block (flushing side, under flushLock). */
    private void writeCommitted(Page p) {
        int end = p.committed.get();
        if (end <= p.taken || failed) {
            return;
        }
        int n = block(p.data, p.taken, end);
        p.taken = end;
        try {
            out.write(scratch, 0, n);
            out.flush();
            bytesWritten.addAndGet(n);
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    /** A page the recording thread handed over: its committed end is final. Written in page order. */
    private void writeWhole(Page p) {
        if (p.seq > doneSeq + 1) {
            early.put(p.seq, p);
            return;
        }
        writeInOrder(p);
        for (Page q; (q = early.remove(doneSeq + 1)) != null; ) {
            writeInOrder(q);
        }
    }

    private void writeInOrder(Page p) {
        writeCommitted(p);
        doneSeq = p.seq;
        if (p.data.length == PAGE) {
            p.taken = 0;
            p.committed.lazySet(0);
            pool.offer(p);
        }
    }

    private void fail(Exception e) {
        synchronized (failLock) {
            if (failed) {
                return;
            }
            failed = true;
        }
        onError.accept("mallocscope: cannot write the timeline " + target + " (" + e.getMessage()
                + "); recording stopped, the program runs on");
    }

    // ================================================================ encoding

    private boolean skip() {
        if (closed || failed) {
            return true;
        }
        mark = pos;
        ensure(160);
        return false;
    }

    /** The event is whole: publish it (one release store, a plain store on x86) and hand over a full page. */
    private void done() {
        events++;
        mark = pos;
        committed.lazySet(pos); // a release store
        if (pos >= BLOCK_TARGET) {
            nextPage(0);
        }
    }

    /**
     * Queues the current page (its whole events) and continues in a fresh one of at least
     * {@code need} free bytes, carrying over the part of the event being encoded.
     */
    private void nextPage(int need) {
        Page full = page;
        int partial = pos - mark;
        Page next = need + partial <= PAGE - 160 ? pool.poll() : null;
        if (next == null) {
            next = new Page(Math.max(PAGE, need + partial + 160));
        }
        System.arraycopy(buf, mark, next.data, 0, partial);
        if (mark > 0) {
            handOver(full);
            next.seq = ++pageSeq;
        } else {
            next.seq = full.seq; // nothing of the old page was committed: the new one takes its place
        }
        page = next;
        buf = next.data;
        committed = next.committed;
        pos = partial;
        mark = 0;
        current = next;
    }

    /**
     * Waits while the disk is slower than the program; a writer thread that stopped, or a writer
     * being closed, must not hang the program (the page is then dropped).
     */
    private void handOver(Page full) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            while (!queue.offer(full, 5, TimeUnit.MILLISECONDS)) {
                if (closed || failed) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    fail(new IOException("the timeline writer thread stopped writing"));
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

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
        if (pos + n > buf.length) {
            nextPage(n);
        }
    }

    private void args(int fn, long a0, long a1, long a2, long a3, long a4, long a5) {
        values(Functions.ARGS[fn], a0, a1, a2, a3, a4, a5);
    }

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
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    private void string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        ensure(b.length + 16);
        varint(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }
}
