package io.mallocscope.runtime.timeline;

import io.mallocscope.runtime.event.EventKind;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * Appends events to a timeline file (format: docs/timeline-format.md). The recording thread only
 * encodes into a block buffer; a background thread writes sealed blocks and, every
 * {@code flushMillis}, the partial block, so a process killed at any moment leaves a file whose
 * every block up to the last flush is readable. Memory stays bounded: at most
 * {@value #QUEUED_BLOCKS} sealed blocks of about 64 KiB wait for the disk; beyond that the
 * recording thread waits.
 *
 * <p>An I/O error never reaches the caller: it is reported once through {@code onError}, and from
 * then on events are dropped. Every method is thread-safe.
 */
public final class TimelineWriter implements Closeable {
    static final int BLOCK_TARGET = 64 * 1024;
    static final int QUEUED_BLOCKS = 32;
    private static final int MAX_WRITE_PIECE = 1 << 20;
    /** Largest output record: a printf of a whole file still leaves blocks near their 64 KiB target. */
    static final int MAX_OUTPUT_PIECE = 32 * 1024;
    private static final byte[] POISON = new byte[0];

    private final OutputStream out;
    private final String target;
    private final Consumer<String> onError;
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUED_BLOCKS);
    private final Thread thread;
    private final long flushMillis;

    private byte[] buf = new byte[BLOCK_TARGET + 256];
    private int pos;
    private long lastAddr;
    private long events;
    private final java.util.concurrent.atomic.AtomicLong bytesWritten = new java.util.concurrent.atomic.AtomicLong();
    private boolean closed;
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
        byte[] block = seal();
        out.write(block);
        out.flush();
        bytesWritten.set(preamble.length + block.length);
        thread = new Thread(this::drain, "mallocscope-timeline-writer");
        thread.setDaemon(true);
        thread.start();
    }

    // ================================================================ events

    /** Defines site {@code id} (a {@code File.java:LINE} string) before its first use by a call. */
    public synchronized void defineSite(int id, String text) {
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
    public synchronized void call(int fn, int site, long a0, long a1, long a2, long a3, long a4, long a5) {
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
    public synchronized void ret(int fn, long value) {
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
    public synchronized void unwound(int signal) {
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
    public synchronized void transition(EventKind kind, long a0, long a1, long a2, long a3, long a4, long a5) {
        String fields = kind.fields();
        if (fields == null) {
            throw new IllegalArgumentException(kind.wireName() + " is not an allocator transition");
        }
        if (skip()) {
            return;
        }
        byte1(kind.ordinal());
        for (int i = 0; i < fields.length(); i++) {
            value(fields.charAt(i), switch (i) {
                case 0 -> a0;
                case 1 -> a1;
                case 2 -> a2;
                case 3 -> a3;
                case 4 -> a4;
                default -> a5;
            });
        }
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
    public synchronized void syscall(int fn, long a0, long a1, long a2, long a3, long a4, long a5, long result) {
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

    public synchronized void abort(String message) {
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
    public synchronized void fileEvent(EventKind kind, long address, long n1, long n2, String text) {
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

    public synchronized void segv(long address, boolean write, int width, String reason) {
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
    public synchronized void writeValue(long address, long value, int width) {
        if (skip()) {
            return;
        }
        byte1(EventKind.WRITE.ordinal());
        pointer(address);
        varint(width);
        for (int i = 0; i < width; i++) {
            buf[pos++] = (byte) (value >>> (8 * i));
        }
        done();
    }

    /** The program stored {@code len} bytes of {@code bytes} from {@code off} at {@code address}. */
    public synchronized void write(long address, byte[] bytes, int off, int len) {
        if (skip()) {
            return;
        }
        while (len > 0) {
            int n = Math.min(len, MAX_WRITE_PIECE);
            ensure(n + 32);
            byte1(EventKind.WRITE.ordinal());
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
    public synchronized void fill(long address, int value, long len) {
        if (skip()) {
            return;
        }
        byte1(TimelineFormat.TAG_FILL);
        pointer(address);
        varint(len);
        buf[pos++] = (byte) value;
        done();
    }

    /**
     * The process printed {@code len} bytes of {@code bytes} from {@code off} on {@code stream}
     * (1 stdout, 2 stderr). More than {@value #MAX_OUTPUT_PIECE} bytes become several records, cut
     * between UTF-8 characters where the bytes are UTF-8, so each record's text decodes on its own.
     *
     * @throws IllegalArgumentException for a stream other than 1 or 2
     */
    public synchronized void output(int stream, byte[] bytes, int off, int len) {
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
    public synchronized long events() {
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

    /** Hands the open block to the background thread now. */
    public void flush() {
        List<byte[]> pending = new ArrayList<>();
        synchronized (this) {
            queue.drainTo(pending);
            if (pos > 0) {
                pending.add(seal());
            }
        }
        writeAll(pending);
    }

    /** Seals the last block, waits (up to 10 s) for everything to reach the file, and closes it. */
    @Override
    public void close() {
        synchronized (this) {
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
        List<byte[]> rest = new ArrayList<>();
        synchronized (this) {
            queue.drainTo(rest);
            rest.remove(POISON);
            if (pos > 0) {
                rest.add(seal());
            }
        }
        writeAll(rest);
        try {
            out.close();
        } catch (IOException e) {
            fail(e);
        }
    }

    // ================================================================ background thread

    private void drain() {
        try {
            while (true) {
                byte[] b = queue.poll(flushMillis, TimeUnit.MILLISECONDS);
                if (b == POISON) {
                    return;
                }
                if (b != null) {
                    writeAll(List.of(b));
                    continue;
                }
                flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeAll(List<byte[]> blocks) {
        synchronized (out) {
            for (byte[] b : blocks) {
                if (b == POISON || failed) {
                    continue;
                }
                try {
                    out.write(b);
                    out.flush();
                    bytesWritten.addAndGet(b.length);
                } catch (IOException | RuntimeException e) {
                    fail(e);
                }
            }
        }
    }

    private void fail(Exception e) {
        if (!failed) {
            failed = true;
            onError.accept("mallocscope: cannot write the timeline " + target + " (" + e.getMessage()
                    + "); recording stopped, the program runs on");
        }
    }

    // ================================================================ encoding

    private boolean skip() {
        if (closed || failed) {
            return true;
        }
        ensure(160);
        return false;
    }

    private void done() {
        events++;
        if (pos >= BLOCK_TARGET) {
            byte[] block = seal();
            // Waits while the disk is slower than the program. wait() lets go of this monitor, so the
            // writer thread can flush meanwhile; a writer that stopped must not hang the program.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!queue.offer(block)) {
                if (System.nanoTime() > deadline) {
                    fail(new IOException("the timeline writer thread stopped writing"));
                    break;
                }
                try {
                    wait(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
    }

    private byte[] seal() {
        CRC32 crc = new CRC32();
        crc.update(buf, 0, pos);
        byte[] block = new byte[TimelineFormat.BLOCK_HEADER + pos];
        putInt(block, 0, pos);
        putInt(block, 4, (int) crc.getValue());
        System.arraycopy(buf, 0, block, TimelineFormat.BLOCK_HEADER, pos);
        pos = 0;
        if (buf.length > 4 * BLOCK_TARGET) {
            buf = new byte[BLOCK_TARGET + 256];
        }
        return block;
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }

    private void args(int fn, long a0, long a1, long a2, long a3, long a4, long a5) {
        char[] kinds = Functions.ARGS[fn];
        for (int i = 0; i < kinds.length; i++) {
            long v = switch (i) {
                case 0 -> a0;
                case 1 -> a1;
                case 2 -> a2;
                case 3 -> a3;
                case 4 -> a4;
                default -> a5;
            };
            value(kinds[i], v);
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
