package io.mallocscope.runtime.timeline;

import io.mallocscope.runtime.event.EventKind;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.mallocscope.runtime.timeline.TimelineCodecTest.HEAP;
import static io.mallocscope.runtime.timeline.TimelineCodecTest.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The writer's hand-over between the recording thread (no lock per event) and the background
 * flusher: what the flusher cuts into blocks while the program records is whole events, in order,
 * and what was recorded reaches the file without any call from the program.
 */
class TimelineWriterFlushTest {

    /** Bytes per block of a timeline file: the header block first. */
    private static List<Integer> blockLengths(byte[] file) {
        List<Integer> lengths = new ArrayList<>();
        for (int at = TimelineFormat.PREAMBLE; at + TimelineFormat.BLOCK_HEADER <= file.length; ) {
            int len = (file[at] & 0xff) | (file[at + 1] & 0xff) << 8 | (file[at + 2] & 0xff) << 16 | (file[at + 3] & 0xff) << 24;
            lengths.add(len);
            at += TimelineFormat.BLOCK_HEADER + len;
        }
        return lengths;
    }

    @Test
    void theBackgroundThreadWritesRecordedEventsWithinTheFlushPeriod() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TimelineWriter w = new TimelineWriter(bytes, "mem", header(), 5, e -> { });
        w.call(Functions.MALLOC, 0, 24, 0, 0, 0, 0, 0);
        w.ret(Functions.MALLOC, HEAP + 0x2a0);
        // no flush(), no close(): what a kill -9 would leave. The flusher may cut a block between the call and the
        // return (the test thread can be descheduled there), so wait for both rather than for the first bytes; the
        // bound only keeps a broken flusher from hanging the build
        long deadline = System.nanoTime() + 60_000_000_000L;
        Timeline t = Timeline.parse(bytes.toByteArray(), "mem");
        while (t.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(1);
            t = Timeline.parse(bytes.toByteArray(), "mem");
        }
        assertThat(t.problem()).isEmpty(); // whole blocks only, whenever it is read
        assertThat(t.size()).isEqualTo(2);
        assertThat(t.event(1).ret()).isEqualTo(HEAP + 0x2a0);
        int flushed = bytes.size();
        w.close(); // nothing new to write; the count of written bytes is complete once close returns
        assertThat(bytes.size()).isEqualTo(flushed);
        assertThat(w.bytesWritten()).isEqualTo(flushed);
    }

    @Test
    void flushesFromTheRecordingThreadKeepThePagesInOrder() throws IOException {
        // the background thread takes a page off its queue before it holds the lock: a flush() from the
        // program in between meets the pages after it, which must wait for it
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<String> errors = new ArrayList<>();
        TimelineWriter w = new TimelineWriter(bytes, "mem", header(), 1, errors::add);
        int rounds = 400_000;
        for (int i = 0; i < rounds; i++) {
            w.call(Functions.MALLOC, 0, i, 0, 0, 0, 0, 0);
            w.ret(Functions.MALLOC, HEAP + 0x10 + i * 0x20L);
            if (i % 997 == 0) {
                w.flush();
            }
        }
        w.close();
        assertThat(errors).isEmpty();
        Timeline t = Timeline.parse(bytes.toByteArray(), "mem");
        assertThat(t.problem()).isEmpty();
        assertThat(t.size()).isEqualTo(2 * rounds);
        for (int i = 0; i < rounds; i++) {
            if (t.event(2 * i).args()[0] != i) {
                throw new AssertionError("event " + 2 * i + " is the call of round " + t.event(2 * i).args()[0]
                        + ", not " + i + ": a block was written out of order");
            }
        }
    }

    @Test
    void blocksCutWhileRecordingHoldWholeEventsInOrder() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<String> errors = new ArrayList<>();
        TimelineWriter w = new TimelineWriter(bytes, "mem", header(), 1, errors::add);
        byte[] big = new byte[300_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        String longMessage = "x".repeat(150_000); // longer than a block: its event moves to a page of its own
        int rounds = 60_000;
        for (int i = 0; i < rounds; i++) {
            long p = HEAP + 0x10 + (i % 1000) * 0x20L;
            w.call(Functions.MALLOC, 0, i, 0, 0, 0, 0, 0);
            w.ret(Functions.MALLOC, p);
            if (i % 15_000 == 7) {
                w.write(p, big, 0, big.length);
                w.abort(longMessage + i);
            }
        }
        w.close();
        assertThat(errors).isEmpty();
        byte[] file = bytes.toByteArray();
        assertThat(w.bytesWritten()).isEqualTo(file.length);
        Timeline t = Timeline.parse(file, "mem");
        assertThat(t.problem()).isEmpty();
        assertThat(t.size()).isEqualTo(2 * rounds + 4 * 2);
        assertThat(w.events()).isEqualTo(t.size());
        int e = 0;
        for (int i = 0; i < rounds; i++) {
            assertThat(t.event(e).kind()).isEqualTo(EventKind.CALL);
            assertThat(t.event(e++).args()[0]).isEqualTo(i);
            assertThat(t.event(e++).ret()).isEqualTo(HEAP + 0x10 + (i % 1000) * 0x20L);
            if (i % 15_000 == 7) {
                assertThat(t.event(e).bytes()).isEqualTo(big);
                e++;
                assertThat(t.event(e++).message()).isEqualTo(longMessage + i);
            }
        }
        List<Integer> blocks = blockLengths(file);
        assertThat(blocks.size()).isGreaterThan(10); // 64 KiB pages and the flusher's cuts
        assertThat(blocks.stream().mapToInt(Integer::intValue).max().getAsInt()).isLessThan(1 << 20);
    }

    @Test
    void flushWritesAtOnceAndCloseWritesTheRest() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TimelineWriter w = new TimelineWriter(bytes, "mem", header(), 10_000, e -> { });
        int headerEnd = bytes.size();
        w.call(Functions.FREE, 0, HEAP + 0x2a0, 0, 0, 0, 0, 0);
        w.ret(Functions.FREE, 0);
        assertThat(bytes.size()).isEqualTo(headerEnd); // nothing yet: the next flush is 10 s away
        w.flush();
        byte[] flushed = bytes.toByteArray();
        assertThat(blockLengths(flushed)).hasSize(2);
        w.flush(); // nothing new: no empty block
        assertThat(bytes.size()).isEqualTo(flushed.length);
        w.call(Functions.MALLOC, 0, 24, 0, 0, 0, 0, 0);
        w.close();
        w.call(Functions.MALLOC, 0, 48, 0, 0, 0, 0, 0); // after close: dropped
        w.close();
        byte[] file = bytes.toByteArray();
        assertThat(Arrays.copyOf(file, flushed.length)).isEqualTo(flushed);
        Timeline t = Timeline.parse(file, "mem");
        assertThat(t.size()).isEqualTo(3);
        assertThat(t.event(2).args()[0]).isEqualTo(24);
        assertThat(blockLengths(file)).hasSize(3);
    }

    @Test
    void aSlowDiskMakesTheRecordingThreadWaitInsteadOfHoldingMore() throws IOException {
        // every write of a block takes 2 ms: far slower than the program records
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutputStream slow = new OutputStream() {
            @Override
            public void write(int b) {
                bytes.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                bytes.write(b, off, len);
            }
        };
        List<String> errors = new ArrayList<>();
        TimelineWriter w = new TimelineWriter(slow, "slow", header(), 50, errors::add);
        int rounds = 1_000_000; // 2,000,000 events, about 10 MB: some 150 pages of 64 KiB
        for (int i = 0; i < rounds; i++) {
            w.call(Functions.MALLOC, 0, i, 0, 0, 0, 0, 0);
            w.ret(Functions.MALLOC, HEAP + 0x10 + i * 0x20L);
        }
        assertThat(w.pages()).isEqualTo(TimelineWriter.PAGES); // the bound was reached, and held
        w.close();
        assertThat(errors).isEmpty();
        Timeline t = Timeline.parse(bytes.toByteArray(), "slow");
        assertThat(t.problem()).isEmpty();
        assertThat(t.size()).isEqualTo(2 * rounds);
        assertThat(t.event(2 * rounds - 2).args()[0]).isEqualTo(rounds - 1);
    }

    @Test
    void aWriterStalledForGoodStopsTheRecordingAndTheProgramRunsOn() throws Exception {
        // the header goes through; then every write blocks until the test ends (a hung network file system)
        java.util.concurrent.CountDownLatch hung = new java.util.concurrent.CountDownLatch(1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean[] headerWritten = {false};
        OutputStream stalling = new OutputStream() {
            @Override
            public void write(int b) {
                bytes.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (headerWritten[0]) {
                    try {
                        hung.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                bytes.write(b, off, len);
            }

            @Override
            public void flush() {
                headerWritten[0] = true;
            }
        };
        List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        TimelineWriter w = new TimelineWriter(stalling, "hung", header(), 50, errors::add);
        w.stallLimit(200);
        long start = System.nanoTime();
        int rounds = 500_000; // about 2.5 MB of events: more than the 32 pages hold
        for (int i = 0; i < rounds; i++) {
            w.call(Functions.MALLOC, 0, i, 0, 0, 0, 0, 0);
            w.ret(Functions.MALLOC, HEAP + 0x10 + i * 0x20L);
        }
        long waited = System.nanoTime() - start;
        assertThat(errors).containsExactly("mallocscope: cannot write the timeline hung (the timeline writer thread "
                + "stopped writing); recording stopped, the program runs on");
        assertThat(w.failed()).isTrue();
        assertThat(w.pages()).isEqualTo(TimelineWriter.PAGES); // it waited at the bound, then went on without recording
        assertThat(waited).as("one wait of the limit, not one per event").isLessThan(TimeUnit.SECONDS.toNanos(30));
        hung.countDown();
        w.close();
        assertThat(errors).hasSize(1);
    }

    @Test
    void anErrorOnTheWriterThreadStopsTheRecordingOnceAndNoEventIsWrittenTwice() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutputStream failing = new OutputStream() {
            int writes;

            @Override
            public void write(int b) {
                bytes.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (++writes == 6) { // the preamble and the header, then three blocks of events
                    throw new OutOfMemoryError("test");
                }
                bytes.write(b, off, len);
            }
        };
        List<String> errors = new ArrayList<>();
        TimelineWriter w = new TimelineWriter(failing, "mem", header(), 10_000, errors::add);
        int rounds = 60_000;
        for (int i = 0; i < rounds; i++) {
            w.call(Functions.MALLOC, 0, i, 0, 0, 0, 0, 0);
            w.ret(Functions.MALLOC, HEAP + 0x10 + i * 0x20L);
        }
        w.close();
        assertThat(w.failed()).isTrue();
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).contains("cannot write the timeline mem (java.lang.OutOfMemoryError: test)");
        Timeline t = Timeline.parse(bytes.toByteArray(), "mem");
        assertThat(t.problem()).isEmpty();
        assertThat(t.size()).isGreaterThan(0).isLessThan(2 * rounds);
        for (int e = 0; e < t.size(); e += 2) {
            assertThat(t.event(e).args()[0]).as("event %d", e).isEqualTo(e / 2); // in order, none twice
        }
    }

    @Test
    void badArgumentsAreRefusedOnTheCallersThreadAndTheRecordingGoesOn() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<String> errors = new ArrayList<>();
        TimelineWriter w = new TimelineWriter(bytes, "mem", header(), 10_000, errors::add);
        w.call(Functions.MALLOC, 0, 24, 0, 0, 0, 0, 0);
        w.ret(Functions.MALLOC, HEAP + 0x2a0);
        assertThatThrownBy(() -> w.defineSite(1, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> w.write(HEAP + 0x2a0, new byte[8], 4, 8)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> w.output(1, new byte[8], 0, 9)).isInstanceOf(IndexOutOfBoundsException.class);
        w.write(HEAP + 0x2a0, new byte[] {1, 2, 3}, 0, 3);
        w.close();
        assertThat(errors).isEmpty();
        Timeline t = Timeline.parse(bytes.toByteArray(), "mem");
        assertThat(t.problem()).isEmpty();
        assertThat(t.size()).isEqualTo(3);
        assertThat(t.event(2).bytes()).containsExactly(1, 2, 3);
    }
    /**
     * A write error stops the recording, and the writer thread ends with it: it used to loop without
     * sleeping (a full page stays waiting once nothing more is written) until close(), a core's worth of CPU.
     */
    @Test
    void aWriteErrorEndsTheWriterThreadBeforeClose() throws Exception {
        OutputStream full = new OutputStream() {
            long written;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (written > 1000) {
                    throw new IOException("No space left on device");
                }
                written += len;
            }
        };
        List<String> errors = new ArrayList<>();
        TimelineWriter w = new TimelineWriter(full, "full", header(), 50, errors::add);
        for (int i = 0; i < 200_000; i++) {
            w.call(Functions.MALLOC, 0, i, 0, 0, 0, 0, 0);
            w.ret(Functions.MALLOC, 0x555555559000L + i * 0x20L);
        }
        w.writerThread().join(30_000);
        assertThat(w.failed()).isTrue();
        assertThat(w.writerThread().isAlive()).as("the writer thread after the error, before close()").isFalse();
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).contains("No space left on device");
        w.close();
        assertThat(errors).hasSize(1);
    }
}
