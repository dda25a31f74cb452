package io.mallocscope.runtime.timeline;

import io.mallocscope.runtime.event.EventKind;
import io.mallocscope.runtime.malloc.BinKind;
import io.mallocscope.runtime.malloc.Transitions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

public class TimelineCodecTest {
    static final long HEAP = 0x555555559000L;

    static TimelineHeader header() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put(TimelineHeader.GLIBC, "2.36");
        f.put(TimelineHeader.TUNABLES, "glibc.malloc.tcache_count=0");
        f.put(TimelineHeader.PROGRAM, "first-fit");
        f.put(TimelineHeader.ARGV, "first-fit\0-v");
        f.put(TimelineHeader.HEAP_START, "0x" + Long.toHexString(HEAP));
        return TimelineHeader.of(f);
    }

    /** A small recording: malloc that grows top, a write, free into the tcache, a segv. */
    /** A timeline of every kind of event, as bytes (the JSON Lines export's test in cli reads it too). */
    public static byte[] sample(List<String> errors) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TimelineWriter w = new TimelineWriter(bytes, "mem", header(), 1000, errors::add);
        w.defineSite(1, "FirstFit.java:33");
        w.call(Functions.MALLOC, 1, 0x512, 0, 0, 0, 0, 0);
        w.syscall(Functions.SYS_BRK, HEAP + 0x21000, 0, 0, 0, 0, 0, HEAP + 0x21000);
        w.topExtend(HEAP, 0, HEAP, 0x21000);
        w.split(HEAP, 0x520, HEAP + 0x520, 0x20ae0);
        w.ret(Functions.MALLOC, HEAP + 0x10);
        w.writeValue(HEAP + 0x10, 0x41424344L, 4);
        w.write(HEAP + 0x20, "this is A!\0".getBytes(), 0, 11);
        w.fill(HEAP + 0x40, 0xAA, 100);
        w.call(Functions.FREE, 1, HEAP + 0x10, 0, 0, 0, 0, 0);
        w.tcache(true, HEAP, 0x520, 80, 1);
        w.bin(true, BinKind.UNSORTED, 1, HEAP, 0x520, Transitions.FREE);
        w.ret(Functions.FREE, 0);
        w.call(Functions.MALLOPT, 0, -3, 4096, 0, 0, 0, 0);
        w.threshold(Transitions.THRESHOLD_MMAP, 128 * 1024, 4096);
        w.ret(Functions.MALLOPT, 1);
        w.call(Functions.FREE, 1, HEAP + 0x10, 0, 0, 0, 0, 0);
        w.abort("free(): double free detected in tcache 2");
        w.unwound(6);
        w.segv(0xdeadbeefL, true, 8, "address not mapped");
        w.close();
        return bytes.toByteArray();
    }

    @Test
    void roundTripKeepsEveryValue() throws IOException {
        List<String> errors = new ArrayList<>();
        Timeline t = Timeline.parse(sample(errors), "mem");
        assertThat(errors).isEmpty();
        assertThat(t.problem()).isEmpty();
        assertThat(t.header().glibc()).isEqualTo("2.36");
        assertThat(t.header().argv()).containsExactly("first-fit", "-v");
        assertThat(t.header().heapStart()).isEqualTo(HEAP);
        assertThat(t.size()).isEqualTo(19);
        assertThat(t.steps()).isEqualTo(4);

        Event call = t.event(0);
        assertThat(call.kind()).isEqualTo(EventKind.CALL);
        assertThat(call.fnName()).isEqualTo("malloc");
        assertThat(call.args()).containsExactly(0x512L);
        assertThat(call.site()).isEqualTo("FirstFit.java:33");
        assertThat(call.depth()).isZero();

        Event sys = t.event(1);
        assertThat(sys.kind()).isEqualTo(EventKind.SYSCALL);
        assertThat(sys.fnName()).isEqualTo("sys_brk");
        assertThat(sys.depth()).isEqualTo(1);
        assertThat(sys.ret()).isEqualTo(HEAP + 0x21000);

        assertThat(t.event(2).size()).isEqualTo(0x21000L);
        assertThat(t.event(3).other()).isEqualTo(HEAP + 0x520);
        assertThat(t.event(3).otherSize()).isEqualTo(0x20ae0L);
        Event ret = t.event(4);
        assertThat(ret.kind()).isEqualTo(EventKind.RETURN);
        assertThat(ret.fnName()).isEqualTo("malloc");
        assertThat(ret.ret()).isEqualTo(HEAP + 0x10);
        assertThat(ret.depth()).isZero();

        assertThat(t.event(5).bytes()).containsExactly(0x44, 0x43, 0x42, 0x41);
        assertThat(t.event(5).address()).isEqualTo(HEAP + 0x10);
        assertThat(new String(t.event(6).bytes(), 0, 10)).isEqualTo("this is A!");
        assertThat(t.event(7).isFill()).isTrue();
        assertThat(t.event(7).length()).isEqualTo(100);
        assertThat(t.event(7).fillValue()).isEqualTo(0xAA);

        assertThat(t.event(9).kind()).isEqualTo(EventKind.TCACHE_PUT);
        assertThat(t.event(9).index()).isEqualTo(80);
        assertThat(t.event(9).count()).isEqualTo(1);
        assertThat(t.event(10).bin()).isEqualTo("unsorted");
        assertThat(t.event(10).reason()).isEqualTo("free");
        assertThat(t.event(11).hasRet()).isFalse();
        assertThat(t.event(11).signal()).isEqualTo(-1);
        assertThat(t.event(12).args()).containsExactly(-3L, 4096L);
        assertThat(t.event(13).thresholdName()).isEqualTo("mmap");
        assertThat(t.event(13).newValue()).isEqualTo(4096);
        assertThat(t.event(16).message()).isEqualTo("free(): double free detected in tcache 2");
        assertThat(t.event(17).signal()).isEqualTo(6);
        Event segv = t.event(18);
        assertThat(segv.address()).isEqualTo(0xdeadbeefL);
        assertThat(segv.isWrite()).isTrue();
        assertThat(segv.width()).isEqualTo(8);
        assertThat(segv.message()).isEqualTo("address not mapped");

        assertThat(t.callOfStep(1)).isZero();
        assertThat(t.endOfStep(1)).isEqualTo(8);
        assertThat(t.stepOf(9)).isEqualTo(2);
        assertThat(t.stepOf(0)).isEqualTo(1);
    }

    @Test
    void tornTailYieldsThePrefixAndSaysWhere() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TimelineWriter w = new TimelineWriter(bytes, "mem", header(), 1000, e -> { });
        w.call(Functions.MALLOC, 0, 24, 0, 0, 0, 0, 0);
        w.ret(Functions.MALLOC, HEAP + 0x2a0);
        w.flush();
        int firstBlockEnd = bytes.size();
        w.call(Functions.FREE, 0, HEAP + 0x2a0, 0, 0, 0, 0, 0);
        w.ret(Functions.FREE, 0);
        w.close();
        byte[] full = bytes.toByteArray();
        assertThat(full.length).isGreaterThan(firstBlockEnd);

        Timeline cut = Timeline.parse(Arrays.copyOf(full, full.length - 2), "cut");
        assertThat(cut.size()).isEqualTo(2);
        assertThat(cut.event(1).ret()).isEqualTo(HEAP + 0x2a0);
        assertThat(cut.problem()).hasValueSatisfying(p -> assertThat(p)
                .contains("torn block").contains("at byte " + firstBlockEnd).contains("after 2 events"));

        Timeline cutHeader = Timeline.parse(Arrays.copyOf(full, firstBlockEnd + 3), "cut");
        assertThat(cutHeader.size()).isEqualTo(2);
        assertThat(cutHeader.problem()).hasValueSatisfying(p -> assertThat(p).contains("torn block header (3 of 8 bytes)"));
    }

    @Test
    void corruptBytesStopReadingAtTheDamagedBlock() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TimelineWriter w = new TimelineWriter(bytes, "mem", header(), 1000, e -> { });
        w.call(Functions.MALLOC, 0, 24, 0, 0, 0, 0, 0);
        w.ret(Functions.MALLOC, HEAP + 0x2a0);
        w.flush();
        int at = bytes.size();
        w.call(Functions.MALLOC, 0, 48, 0, 0, 0, 0, 0);
        w.ret(Functions.MALLOC, HEAP + 0x2c0);
        w.close();
        byte[] b = bytes.toByteArray();
        b[b.length - 1] ^= 0x55;
        Timeline t = Timeline.parse(b, "bad");
        assertThat(t.size()).isEqualTo(2);
        assertThat(t.steps()).isEqualTo(1);
        assertThat(t.problem()).hasValueSatisfying(p -> assertThat(p)
                .isEqualTo("corrupt block (checksum mismatch) at byte " + at + ", after 2 events; reading stopped there"));
    }

    @Test
    void notATimelineIsAClearError() {
        assertThatThrownBy(() -> Timeline.parse("hello world, not a timeline".getBytes(), "x.txt"))
                .isInstanceOf(IOException.class).hasMessage("x.txt: not a mallocscope timeline (bad magic)");
        byte[] preambleOnly = Arrays.copyOf(TimelineFormat.MAGIC, 9);
        preambleOnly[8] = 1;
        assertThatThrownBy(() -> Timeline.parse(preambleOnly, "empty"))
                .isInstanceOf(IOException.class).hasMessageContaining("empty: the file has no header");
    }

    @Test
    void aHeaderClaimingMoreFieldsThanItsBlockHoldsIsAnError() {
        // 0x40 header, varint 4,000,000,000 fields, then only one (key, value) pair
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        payload.write(TimelineFormat.TAG_HEADER);
        for (long v = 4_000_000_000L; ; v >>>= 7) {
            if (v < 0x80) {
                payload.write((int) v);
                break;
            }
            payload.write((int) (v & 0x7f) | 0x80);
        }
        for (String s : new String[] {"glibc", "2.36"}) {
            payload.write(s.length());
            payload.writeBytes(s.getBytes());
        }
        byte[] body = payload.toByteArray();
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(body);
        java.nio.ByteBuffer file = java.nio.ByteBuffer.allocate(9 + 8 + body.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        file.put(TimelineFormat.MAGIC).put((byte) 3).putInt(body.length).putInt((int) crc.getValue()).put(body);
        assertThatThrownBy(() -> Timeline.parse(file.array(), "x.timeline"))
                .isInstanceOf(IOException.class)
                .hasMessage("x.timeline: the header is corrupt (it claims 4000000000 fields; its block holds at most 5)");
    }

    @Test
    void eventsAreCompact() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TimelineWriter w = new TimelineWriter(bytes, "mem", header(), 1000, e -> { });
        int events = 0;
        for (int i = 0; i < 100_000; i++) {
            long p = HEAP + 0x2a0 + (i % 64) * 0x30L;
            w.call(Functions.MALLOC, 3, 0x28, 0, 0, 0, 0, 0);
            w.tcache(false, p - 0x10, 0x30, 1, 6);
            w.ret(Functions.MALLOC, p);
            w.call(Functions.FREE, 4, p, 0, 0, 0, 0, 0);
            w.tcache(true, p - 0x10, 0x30, 1, 7);
            w.ret(Functions.FREE, 0);
            events += 6;
        }
        w.close();
        assertThat((double) bytes.size() / events).isLessThan(5.0);
        Timeline t = Timeline.parse(bytes.toByteArray(), "mem");
        assertThat(t.size()).isEqualTo(events);
        assertThat(t.event(events - 4).ret()).isEqualTo(HEAP + 0x2a0 + (99_999 % 64) * 0x30L);
    }

    private static void setFull(Object stream) {
        try {
            var f = stream.getClass().getDeclaredField("full");
            f.setAccessible(true);
            f.setBoolean(stream, true);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void writeErrorsAreReportedOnceAndDropEvents() throws IOException {
        List<String> errors = new ArrayList<>();
        java.io.OutputStream failing = new java.io.OutputStream() {
            boolean full;

            @Override
            public void write(int b) throws IOException {
                if (full) {
                    throw new IOException("No space left on device");
                }
            }
        };
        TimelineWriter w = new TimelineWriter(failing, "/full/t.timeline", header(), 1000, errors::add);
        w.call(Functions.MALLOC, 0, 24, 0, 0, 0, 0, 0);
        w.flush();
        long before = w.bytesWritten();
        setFull(failing);
        w.call(Functions.MALLOC, 0, 24, 0, 0, 0, 0, 0);
        w.flush();
        w.call(Functions.FREE, 0, 0, 0, 0, 0, 0, 0);
        w.close();
        assertThat(w.failed()).isTrue();
        assertThat(w.bytesWritten()).isEqualTo(before);
        assertThat(errors).containsExactly("mallocscope: cannot write the timeline /full/t.timeline "
                + "(No space left on device); recording stopped, the program runs on");
    }
}
