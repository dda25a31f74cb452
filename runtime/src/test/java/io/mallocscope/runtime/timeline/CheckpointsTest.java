package io.mallocscope.runtime.timeline;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.malloc.Malloc;
import io.mallocscope.runtime.vm.Kernel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * #16 point 4: a state restored from the nearest checkpoint and replayed from there is the state
 * rebuilt from step 0, byte for byte (every mapping, every page, the break, errno, the allocator's
 * Java-side state), at random steps in random order of a random trace of the malloc family, raw
 * system calls and the program's writes; a side file that is stale or damaged is never used.
 */
class CheckpointsTest {
    static final int STEPS = 4000;
    static final int EVERY = 37;

    @TempDir
    static Path dir;
    static Path file;

    /** A random program: malloc, calloc, realloc, memalign, free, mmap/munmap, sbrk, malloc_trim, stores. */
    @BeforeAll
    static void record() throws IOException {
        file = dir.resolve("random.timeline");
        CProcess p = CProcess.create(ProcessOptions.defaults().withStdout(OutputStream.nullOutputStream())
                .withStderr(OutputStream.nullOutputStream()));
        LibC c = p.libc();
        Map<String, String> h = new LinkedHashMap<>();
        h.put(TimelineHeader.GLIBC, "2.36");
        h.put(TimelineHeader.PROGRAM, "random");
        h.put(TimelineHeader.HEAP_START, "0x" + Long.toHexString(p.kernel().startBrk()));
        Random rnd = new Random(16_4);
        List<Long> live = new ArrayList<>();
        List<long[]> maps = new ArrayList<>();
        try (TimelineWriter w = TimelineWriter.open(file, TimelineHeader.of(h), 60_000, msg -> {
            throw new AssertionError(msg);
        })) {
            for (int step = 0; step < STEPS; step++) {
                int what = rnd.nextInt(100);
                if (what < 35 || live.isEmpty()) {
                    long n = rnd.nextInt(10) == 0 ? 0x20000 + rnd.nextInt(0x30000) : 1 + rnd.nextInt(0x600);
                    w.call(Functions.MALLOC, 0, n, 0, 0, 0, 0, 0);
                    long m = c.malloc(n);
                    w.ret(Functions.MALLOC, m);
                    live.add(m);
                    byte[] b = new byte[(int) Math.min(n, 1 + rnd.nextInt(64))];
                    rnd.nextBytes(b);
                    p.memory().writeBytes(m, b, 0, b.length);
                    w.write(m, b, 0, b.length);
                } else if (what < 45) {
                    long n = 1 + rnd.nextInt(0x200);
                    w.call(Functions.CALLOC, 0, 1, n, 0, 0, 0, 0);
                    long m = c.calloc(1, n);
                    w.ret(Functions.CALLOC, m);
                    live.add(m);
                } else if (what < 55) {
                    int k = rnd.nextInt(live.size());
                    long n = 1 + rnd.nextInt(0x800);
                    w.call(Functions.REALLOC, 0, live.get(k), n, 0, 0, 0, 0);
                    long m = c.realloc(live.get(k), n);
                    w.ret(Functions.REALLOC, m);
                    live.set(k, m);
                } else if (what < 58) {
                    long align = 16L << rnd.nextInt(6);
                    long n = 1 + rnd.nextInt(0x300);
                    w.call(Functions.MEMALIGN, 0, align, n, 0, 0, 0, 0);
                    long m = c.memalign(align, n);
                    w.ret(Functions.MEMALIGN, m);
                    live.add(m);
                } else if (what < 90) {
                    long m = live.remove(rnd.nextInt(live.size()));
                    w.call(Functions.FREE, 0, m, 0, 0, 0, 0, 0);
                    c.free(m);
                    w.ret(Functions.FREE, 0);
                } else if (what < 94 || maps.isEmpty()) {
                    long len = 4096L * (1 + rnd.nextInt(8));
                    int flags = Kernel.MAP_PRIVATE | Kernel.MAP_ANONYMOUS;
                    w.call(Functions.MMAP, 0, 0, len, 3, flags, -1, 0);
                    long m = c.mmap(0, len, 3, flags, -1, 0);
                    w.ret(Functions.MMAP, m);
                    maps.add(new long[] {m, len});
                    byte[] b = new byte[100];
                    rnd.nextBytes(b);
                    p.memory().writeBytes(m + 8, b, 0, b.length);
                    w.write(m + 8, b, 0, b.length);
                } else if (what < 97) {
                    long[] m = maps.remove(rnd.nextInt(maps.size()));
                    w.call(Functions.MUNMAP, 0, m[0], m[1], 0, 0, 0, 0);
                    long r = c.munmap(m[0], m[1]);
                    w.ret(Functions.MUNMAP, r);
                } else if (what < 99) {
                    w.call(Functions.MALLOC_TRIM, 0, 0, 0, 0, 0, 0, 0);
                    long r = c.malloc_trim(0);
                    w.ret(Functions.MALLOC_TRIM, r);
                } else {
                    w.call(Functions.SBRK, 0, 4096, 0, 0, 0, 0, 0);
                    long r = c.sbrk(4096);
                    w.ret(Functions.SBRK, r);
                }
            }
        }
    }

    /** Everything a checkpoint holds, as comparable values. */
    record State(List<?> regions, Map<Long, ByteBuffer> pages, long brk, int errno, long av, long tp, boolean threads,
                 long fallback, List<Long> mmapped, List<Long> segments) {
        static State of(CProcess p) {
            // a ByteBuffer compares its bytes and prints briefly
            Map<Long, ByteBuffer> pages = new HashMap<>();
            p.memory().forEachPage((n, b) -> pages.put(n, ByteBuffer.wrap(b.clone())));
            Malloc.JavaState m = p.malloc().javaState();
            return new State(p.memory().regions(), pages, p.kernel().currentBrk(), p.kernel().errno(), m.av(), m.tp(),
                    m.multipleThreads(), m.fallbackSize(), boxed(m.mmappedChunks()), boxed(m.segments()));
        }

        static List<Long> boxed(long[] v) {
            List<Long> l = new ArrayList<>();
            for (long x : v) {
                l.add(x);
            }
            return l;
        }
    }

    private static Timeline withCheckpoints() throws IOException {
        Files.deleteIfExists(Checkpoints.sideFile(file));
        Timeline t = Timeline.read(file);
        assertThat(t.checkpoints()).isEmpty();
        int n = t.writeCheckpoints(file, EVERY);
        assertThat(n).isEqualTo(STEPS / EVERY);
        return t;
    }

    @Test
    void aStateRestoredFromACheckpointIsTheStateRebuiltFromStepZero() throws IOException {
        withCheckpoints();
        Timeline t = Timeline.read(file); // opened from the side file's index, not by reading the file
        assertThat(t.checkpoints()).isPresent();
        assertThat(t.checkpoints().get().count()).isEqualTo(STEPS / EVERY);
        Timeline plain = Timeline.parse(Files.readAllBytes(file), "random");
        assertThat(t.size()).isEqualTo(plain.size());
        assertThat(t.steps()).isEqualTo(STEPS);
        Reconstructor fast = new Reconstructor(t);
        Reconstructor slow = new Reconstructor(plain, false);
        Random rnd = new Random(4);
        List<Integer> steps = new ArrayList<>(List.of(0, 1, EVERY - 1, EVERY, EVERY + 1, 16 * EVERY, 17 * EVERY + 3,
                STEPS - 1, STEPS));
        for (int i = 0; i < 40; i++) {
            steps.add(rnd.nextInt(STEPS + 1));
        }
        for (int step : steps) {
            assertThat(State.of(fast.stateAt(step))).as("step %d", step).isEqualTo(State.of(slow.stateAt(step)));
            assertThat(t.endOfStep(step)).isEqualTo(plain.endOfStep(step));
        }
        assertThat(t.index().nBlocks).as("blocks").isGreaterThan(2);
        for (int i = 0; i < 200; i++) { // the steps of events, found by block from the side file's index
            int e = rnd.nextInt(plain.size());
            assertThat(t.stepOf(e)).as("event %d", e).isEqualTo(plain.stepOf(e));
            int step = 1 + rnd.nextInt(STEPS);
            assertThat(t.callOfStep(step)).as("step %d", step).isEqualTo(plain.callOfStep(step));
        }
        assertThat(fast.problem()).isEqualTo(slow.problem()).isEmpty();
        assertThat(fast.checkpointProblem()).isEmpty();
        for (int e : List.of(0, 5, plain.size() / 3, plain.size() / 2 + 1, plain.size())) {
            assertThat(State.of(fast.stateBefore(e))).as("event %d", e).isEqualTo(State.of(slow.stateBefore(e)));
            assertThat(t.event(Math.max(0, e - 1)).toString()).isEqualTo(plain.event(Math.max(0, e - 1)).toString());
        }
    }

    /**
     * Version 2 stores a page that changed in places as the words that changed (the random frees of
     * a busy heap touch nearly every page, a few words each): the side file is a fraction of version
     * 1's, and a version 1 side file (whole pages) still restores the same states.
     */
    @Test
    void changedWordsMakeASmallerSideFileAndAnOlderSideFileStillRestores() throws IOException {
        Path side = Checkpoints.sideFile(file);
        Files.deleteIfExists(side);
        Timeline t = Timeline.read(file);
        assertThat(Checkpoints.write(file, t, EVERY, 1)).isEqualTo(STEPS / EVERY);
        long v1 = Files.size(side);
        byte[] head = new byte[Checkpoints.MAGIC.length + 1];
        try (var in = Files.newInputStream(side)) {
            assertThat(in.read(head)).isEqualTo(head.length);
        }
        assertThat(head[Checkpoints.MAGIC.length]).isEqualTo((byte) 1);
        Timeline old = Timeline.read(file);
        assertThat(old.checkpoints()).isPresent();
        Reconstructor fromOld = new Reconstructor(old);
        Reconstructor slow = new Reconstructor(Timeline.parse(Files.readAllBytes(file), "random"), false);
        for (int step : List.of(3 * EVERY + 5, 40 * EVERY + 36, STEPS)) {
            assertThat(State.of(fromOld.stateAt(step))).as("step %d", step).isEqualTo(State.of(slow.stateAt(step)));
        }
        assertThat(fromOld.checkpointProblem()).isEmpty();

        withCheckpoints();
        long v2 = Files.size(side);
        try (var in = Files.newInputStream(side)) {
            assertThat(in.read(head)).isEqualTo(head.length);
        }
        assertThat(head[Checkpoints.MAGIC.length]).isEqualTo((byte) Checkpoints.VERSION);
        assertThat(v2).as("version 2 (%d bytes) against version 1 (%d bytes)", v2, v1).isLessThan(v1 / 2);
    }

    @Test
    void aDamagedCheckpointIsSaidOnceAndTheStateIsRebuiltFromStepZero() throws IOException {
        withCheckpoints();
        Path side = Checkpoints.sideFile(file);
        try (FileChannel ch = FileChannel.open(side, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, 200);
            b.put(0, (byte) ~b.get(0));
            ch.write(b.rewind(), 200); // inside the first checkpoint's record (a keyframe)
        }
        Timeline t = Timeline.read(file);
        Reconstructor fast = new Reconstructor(t);
        Reconstructor slow = new Reconstructor(Timeline.parse(Files.readAllBytes(file), "random"), false);
        assertThat(State.of(fast.stateAt(EVERY + 1))).isEqualTo(State.of(slow.stateAt(EVERY + 1)));
        assertThat(fast.checkpointProblem()).hasValueSatisfying(p -> assertThat(p)
                .isEqualTo("checkpoint 0 of " + side + " fails its checksum; rebuilt from step 0 instead"));
        assertThat(State.of(fast.stateAt(STEPS))).isEqualTo(State.of(slow.stateAt(STEPS)));
    }

    @Test
    void aSideFileOfAnotherTimelineIsNotUsed() throws IOException {
        withCheckpoints();
        Path other = dir.resolve("other.timeline");
        Files.copy(file, other, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(Checkpoints.sideFile(file), Checkpoints.sideFile(other),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        // same length, but the last block's checksum is not the one indexed
        TimelineReader.Index ix = Timeline.parse(Files.readAllBytes(file), "random").index();
        long lastCrc = ix.blockAt[ix.nBlocks - 1] + 4;
        try (FileChannel ch = FileChannel.open(other, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, lastCrc);
            b.put(0, (byte) ~b.get(0));
            ch.write(b.rewind(), lastCrc);
        }
        Timeline damaged = Timeline.read(other);
        assertThat(damaged.checkpoints()).isEmpty();
        assertThat(damaged.checkpointNote()).hasValue(Checkpoints.sideFile(other)
                + " is not used: the timeline's blocks are not the ones it indexed");
        assertThat(damaged.problem()).hasValueSatisfying(p -> assertThat(p).startsWith("corrupt block (checksum mismatch)"));

        Files.write(other, Files.readAllBytes(file));
        Files.write(other, new byte[] {1, 2, 3}, StandardOpenOption.APPEND); // a longer file
        Timeline t;
        try {
            t = Timeline.read(other);
        } finally {
            Files.delete(Checkpoints.sideFile(other));
        }
        assertThat(t.checkpoints()).isEmpty();
        assertThat(t.checkpointNote()).hasValue(Checkpoints.sideFile(other) + " is not used: the timeline changed since "
                + "it was written (" + Files.size(file) + " bytes then, " + (Files.size(file) + 3) + " now)");
        assertThat(t.problem()).isPresent(); // read the slow way: the torn block is seen
    }

    @Test
    void aTimelineWithoutASideFileOpensAsBefore() throws IOException {
        Files.deleteIfExists(Checkpoints.sideFile(file));
        Timeline t = Timeline.read(file);
        assertThat(t.checkpoints()).isEmpty();
        assertThat(t.checkpointNote()).isEmpty();
        assertThat(new Reconstructor(t).stateAt(STEPS).kernel().currentBrk())
                .isEqualTo(new Reconstructor(t, false).stateAt(STEPS).kernel().currentBrk());
    }
}
