package io.mallocscope.runtime.timeline;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.vm.KernelLayout;
import io.mallocscope.runtime.vm.ProgramImage;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ReconstructorTest {

    /** Records by hand what the agent would: top-level calls with their real results, and the program's writes. */
    private static final class HandRecorder {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CProcess p = CProcess.create(ProcessOptions.defaults().withStdout(OutputStream.nullOutputStream())
                .withStderr(OutputStream.nullOutputStream()));
        final LibC c = p.libc();
        final TimelineWriter w;

        HandRecorder() throws IOException {
            Map<String, String> h = new LinkedHashMap<>();
            h.put(TimelineHeader.GLIBC, "2.36");
            h.put(TimelineHeader.PROGRAM, "hand");
            h.put(TimelineHeader.HEAP_START, "0x" + Long.toHexString(p.kernel().startBrk()));
            w = new TimelineWriter(bytes, "mem", TimelineHeader.of(h), 1000, e -> { });
        }

        long malloc(long n) {
            w.call(Functions.MALLOC, 0, n, 0, 0, 0, 0, 0);
            long r = c.malloc(n);
            w.ret(Functions.MALLOC, r);
            return r;
        }

        void free(long ptr) {
            w.call(Functions.FREE, 0, ptr, 0, 0, 0, 0, 0);
            c.free(ptr);
            w.ret(Functions.FREE, 0);
        }

        void putString(long at, String s) {
            c.putString(at, s);
            byte[] b = (s + "\0").getBytes(StandardCharsets.UTF_8);
            w.write(at, b, 0, b.length);
        }

        Timeline finish() throws IOException {
            w.close();
            return Timeline.parse(bytes.toByteArray(), "hand");
        }
    }

    @Test
    void everyStepHasTheRecordedBytesAndHeap() throws IOException {
        HandRecorder r = new HandRecorder();
        long a = r.malloc(0x512);
        long b = r.malloc(0x256);
        r.putString(a, "this is A!");
        r.free(a);
        long c = r.malloc(506);
        r.putString(c, "this is C!");
        Timeline t = r.finish();
        assertThat(t.steps()).isEqualTo(4);

        Reconstructor rec = new Reconstructor(t);
        CProcess s0 = rec.stateAt(0);
        assertThat(s0.kernel().currentBrk()).isEqualTo(s0.kernel().startBrk());

        CProcess s2 = rec.stateAt(2);
        assertThat(s2.libc().string(a)).isEqualTo("this is A!");
        assertThat(s2.libc().malloc_usable_size(b)).isEqualTo(r.c.malloc_usable_size(b));

        CProcess s4 = rec.stateAt(4);
        assertThat(c).isEqualTo(a);
        assertThat(s4.libc().string(a)).isEqualTo("this is C!");
        byte[] live = r.p.libc().readBytes(a - 0x10, 0x600);
        assertThat(s4.libc().readBytes(a - 0x10, 0x600)).isEqualTo(live);
        assertThat(rec.problem()).isEmpty();

        // backwards: replayed again from the start
        CProcess again = rec.stateAt(1);
        assertThat(again).isNotSameAs(s4);
        assertThat(again.kernel().currentBrk()).isEqualTo(r.p.kernel().currentBrk());
    }

    @Test
    void theProcessIsRebuiltWithTheRecordedKernelLayoutImageAndCpus() throws IOException {
        // a C program with 100 KB of globals on a kernel with [vvar_vclock]: its heap starts 25 pages up,
        // and its mmapped chunks sit 0x2000 above the default layout's
        ProcessOptions o = ProcessOptions.defaults().withStdout(OutputStream.nullOutputStream())
                .withStderr(OutputStream.nullOutputStream()).withKernelLayout(KernelLayout.VVAR_VCLOCK)
                .withProgramImage(new ProgramImage(2, 26)).withCpus(3);
        CProcess p = CProcess.create(o);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Map<String, String> h = new LinkedHashMap<>();
        h.put(TimelineHeader.GLIBC, "2.36");
        h.put(TimelineHeader.HEAP_START, "0x" + Long.toHexString(p.kernel().startBrk()));
        h.putAll(TimelineHeader.processFields(o));
        TimelineWriter w = new TimelineWriter(bytes, "mem", TimelineHeader.of(h), 1000, e -> { });
        w.call(Functions.MALLOC, 0, 24, 0, 0, 0, 0, 0);
        long small = p.libc().malloc(24);
        w.ret(Functions.MALLOC, small);
        w.call(Functions.MALLOC, 0, 200_000, 0, 0, 0, 0, 0);
        long big = p.libc().malloc(200_000);
        w.ret(Functions.MALLOC, big);
        w.close();
        Timeline t = Timeline.parse(bytes.toByteArray(), "c");

        assertThat(t.header().fields()).containsEntry("kernel_layout", "vvar-vclock")
                .containsEntry("program_image", "2,26").containsEntry("cpus", "3");
        Reconstructor rec = new Reconstructor(t);
        CProcess s = rec.stateAt(2);
        assertThat(rec.problem()).isEmpty();
        assertThat(s.kernel().startBrk()).isEqualTo(p.kernel().startBrk()).isEqualTo(0x555555573000L);
        assertThat(s.options().kernelLayout()).isEqualTo(KernelLayout.VVAR_VCLOCK);
        assertThat(s.options().cpus()).isEqualTo(3);
        assertThat(s.libc().malloc_usable_size(big)).isEqualTo(p.libc().malloc_usable_size(big));
        assertThat(s.libc().readBytes(big - 16, 16)).isEqualTo(p.libc().readBytes(big - 16, 16));
    }

    @Test
    void aDefaultProcessAddsNothingToTheHeader() {
        assertThat(TimelineHeader.processFields(ProcessOptions.defaults())).isEmpty();
    }

    @Test
    void anUnknownKernelLayoutOrImageInTheHeaderIsRefused() throws IOException {
        for (String[] field : new String[][] {{"kernel_layout", "sideways"}, {"program_image", "2"}, {"cpus", "-1"}}) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            Map<String, String> h = new LinkedHashMap<>();
            h.put(TimelineHeader.GLIBC, "2.36");
            h.put(field[0], field[1]);
            TimelineWriter w = new TimelineWriter(bytes, "mem", TimelineHeader.of(h), 1000, e -> { });
            w.close();
            Timeline t = Timeline.parse(bytes.toByteArray(), "bad");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Reconstructor(t).stateAt(0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(field[0]);
        }
    }

    @Test
    void aDifferentReplayIsReported() throws IOException {
        HandRecorder r = new HandRecorder();
        r.malloc(24);
        r.w.call(Functions.MALLOC, 0, 24, 0, 0, 0, 0, 0);
        r.w.ret(Functions.MALLOC, 0x1234); // not what glibc returns
        Timeline t = r.finish();
        Reconstructor rec = new Reconstructor(t);
        rec.stateAt(2);
        assertThat(rec.problem()).hasValueSatisfying(p -> assertThat(p)
                .startsWith("replay differs at event 2 (step 2): malloc returned 0x")
                .endsWith(", the recording says 0x1234"));
    }

    @Test
    void outputChangesNothingInTheReplayedProcess() throws IOException {
        HandRecorder r = new HandRecorder();
        byte[] line = "a = 0x5555555592a0\n".getBytes(StandardCharsets.UTF_8);
        r.w.output(1, line, 0, line.length);
        long a = r.malloc(0x100);
        r.w.output(2, line, 0, line.length);
        r.putString(a, "after output");
        r.w.output(1, line, 0, line.length);
        long b = r.malloc(0x100);
        Timeline t = r.finish();
        assertThat(t.output()).hasSize(3);
        assertThat(t.endOfStep(1)).isEqualTo(6); // call, return, output, write, output
        Reconstructor rec = new Reconstructor(t);
        assertThat(rec.stateAt(0).kernel().currentBrk()).isEqualTo(rec.stateAt(0).kernel().startBrk());
        assertThat(rec.stateAt(1).libc().string(a)).isEqualTo("after output");
        CProcess end = rec.stateAt(2);
        assertThat(end.libc().readBytes(a - 0x10, 0x230)).isEqualTo(r.c.readBytes(a - 0x10, 0x230));
        assertThat(end.libc().malloc_usable_size(b)).isEqualTo(r.c.malloc_usable_size(b));
        assertThat(rec.problem()).isEmpty();
    }

    @Test
    void writesBetweenCallsBelongToTheEarlierStep() throws IOException {
        HandRecorder r = new HandRecorder();
        long a = r.malloc(32);
        r.putString(a, "kept");
        r.free(a);
        Timeline t = r.finish();
        Reconstructor rec = new Reconstructor(t);
        assertThat(rec.stateAt(1).libc().string(a)).isEqualTo("kept");
        // after free the tcache next pointer and key overwrite the first 16 bytes
        assertThat(rec.stateAt(2).libc().readBytes(a, 16)).isEqualTo(r.c.readBytes(a, 16));
    }

    /** The maps lines without device and inode (a timeline records neither for a user's file). */
    private static String mapsWithoutDeviceAndInode(io.mallocscope.runtime.vm.AddressSpace as) {
        StringBuilder sb = new StringBuilder();
        for (io.mallocscope.runtime.vm.Region r : as.regions()) {
            if (r.name().startsWith(io.mallocscope.runtime.vm.Layout.PROGRAM_PATH_PREFIX)) {
                continue; // the hand recorder's process is a.out, its header says "hand"
            }
            sb.append(String.format("%x-%x %s %08x %s dirty %d private %d%n", r.start(), r.end(), r.permissions(),
                    r.isFile() ? r.offset() : 0, r.name(), as.dirtyPages(r), as.privatePages(r)));
        }
        return sb.toString();
    }

    /**
     * #12: a file mapping is rebuilt as a file mapping (path, offset, MAP_SHARED or not), and its
     * pages' state follows the recording: a store through a shared mapping dirties its page until a
     * write-back (msync here, not a replayed call) cleans it; a private page copied at its first store
     * (page_private) is the process's own. At every step the rebuilt maps, dirty and private pages are
     * the live process's.
     */
    @Test
    void aFileMappingIsRebuiltAsAFileMappingWithItsDirtyAndPrivatePages() throws IOException {
        HandRecorder r = new HandRecorder();
        io.mallocscope.runtime.vm.AddressSpace live = r.p.memory();
        java.util.List<String> want = new java.util.ArrayList<>();
        want.add(mapsWithoutDeviceAndInode(live));
        int fd = r.c.open("/tmp/notes.txt", LibC.O_RDWR | LibC.O_CREAT, 0644);
        r.c.ftruncate(fd, 3 * 4096);

        long[] m = new long[2];
        long[][] args = {{0, 8192, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 4096},
            {0, 4096, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE, fd, 0}};
        for (int k = 0; k < 2; k++) {
            long[] a = args[k];
            if (k == 1) {
                want.add(mapsWithoutDeviceAndInode(live)); // step 1 (a step's state includes its later writes)
            }
            r.w.call(Functions.MMAP, 0, a[0], a[1], a[2], a[3], a[4], a[5]);
            m[k] = r.c.mmap(a[0], a[1], (int) a[2], (int) a[3], (int) a[4], a[5]);
            r.w.fileEvent(io.mallocscope.runtime.event.EventKind.FILE_MAP, m[k], a[1],
                    a[5] | (k == 0 ? Long.MIN_VALUE : 0), "/tmp/notes.txt");
            r.w.ret(Functions.MMAP, m[k]);
        }
        long shared = m[0];
        long priv = m[1];
        r.putString(shared, "dirty");
        r.putString(shared + 4096, "dirty too");
        r.putString(priv + 8, "mine");
        r.w.fileEvent(io.mallocscope.runtime.event.EventKind.PAGE_PRIVATE, priv, 0, 0, "/tmp/notes.txt");
        assertThat(live.dirtyPages(live.regionAt(shared))).isEqualTo(2);
        assertThat(live.privatePages(live.regionAt(priv))).isEqualTo(1);
        want.add(mapsWithoutDeviceAndInode(live)); // step 2: two dirty pages, one private
        long p = r.malloc(24);
        r.c.msync(shared, 4096, LibC.MS_SYNC); // writes back the first page only
        r.w.fileEvent(io.mallocscope.runtime.event.EventKind.WRITE_BACK, shared, 1, 0, "/tmp/notes.txt");
        assertThat(live.dirtyPages(live.regionAt(shared))).isEqualTo(1);
        want.add(mapsWithoutDeviceAndInode(live)); // step 3: one dirty page left
        r.free(p);
        want.add(mapsWithoutDeviceAndInode(live));
        Timeline t = r.finish();

        Reconstructor rec = new Reconstructor(t);
        for (int step = 0; step <= 4; step++) {
            assertThat(mapsWithoutDeviceAndInode(rec.stateAt(step).memory())).as("step %d", step)
                    .isEqualTo(want.get(step));
        }
        assertThat(want.get(2)).contains(String.format("%x-%x rw-s 00001000 /tmp/notes.txt dirty 2 private 0",
                shared, shared + 8192)).contains(String.format("%x-%x rw-p 00000000 /tmp/notes.txt dirty 0 private 1",
                priv, priv + 4096));
        CProcess end = rec.stateAt(4);
        assertThat(end.libc().string(priv + 8)).isEqualTo("mine");
        assertThat(end.libc().string(shared + 4096)).isEqualTo("dirty too");
        assertThat(end.memory().regionAt(shared).procLine()).startsWith(String.format(
                "%x-%x rw-s 00001000 00:00 0 ", shared, shared + 8192)).endsWith(" /tmp/notes.txt");
        assertThat(rec.problem()).isEmpty();
    }

    /**
     * A fork in a thread other than main is replayed from that thread, as Linux forks: the child's only
     * thread is the forker going on (its pthread_self, its arena and tcache), so the child's malloc takes
     * the chunk the thread freed into its tcache before the fork, as it did live.
     */
    @Test
    void aForkInAThreadIsReplayedFromThatThread() throws IOException {
        HandRecorder r = new HandRecorder();
        long[] live = new long[4]; // the thread's malloc, its pthread_self, the child's malloc, the child's pthread_self
        long out = r.c.local(8);
        r.w.call(Functions.PTHREAD_CREATE, 0, out, 0, 4096, 0, 0, 0);
        r.w.ret(Functions.PTHREAD_CREATE, r.c.pthread_create(out, 0, (tc, arg) -> {
            live[0] = tc.malloc(0x18);
            live[1] = tc.pthread_self();
            tc.free(live[0]);
            int pid = tc.fork(cc -> {
                live[2] = cc.malloc(0x18);
                live[3] = cc.pthread_self();
                return 0;
            });
            tc.waitpid(pid, 0, 0);
            return 0;
        }, 0));
        r.c.pthread_join(r.c.process().memory().read64(out), 0);
        assertThat(live[2]).as("live, the child's malloc took the thread's tcache chunk").isEqualTo(live[0]);
        assertThat(live[3]).as("live, the child's thread is the forker").isEqualTo(live[1]);
        r.w.context(2, 1);
        r.w.call(Functions.MALLOC, 0, 0x18, 0, 0, 0, 0, 0);
        r.w.ret(Functions.MALLOC, live[0]);
        r.w.call(Functions.FREE, 0, live[0], 0, 0, 0, 0, 0);
        r.w.ret(Functions.FREE, 0);
        r.w.call(Functions.FORK, 0, 0, 0, 0, 0, 0, 0);
        r.w.ret(Functions.FORK, 3);
        r.w.context(3, 0);
        r.w.call(Functions.MALLOC, 0, 0x18, 0, 0, 0, 0, 0);
        r.w.ret(Functions.MALLOC, live[2]);
        Timeline t = r.finish();

        try (Reconstructor rec = new Reconstructor(t)) {
            CProcess p = rec.stateAt(t.steps());
            assertThat(rec.problem()).as("every rebuilt call returned what it did live").isEmpty();
            assertThat(p.processes()).hasSize(2);
            CProcess child = p.processes().get(1);
            assertThat(child.pid()).isEqualTo(3);
            assertThat(child.libc().pthread_self()).as("the child's only thread is the forker").isEqualTo(live[1]);
            assertThat(child.libc().threadNumber()).isZero();
        }
    }

    /** The Java threads the replay of a thread and a fork runs on end when the Reconstructor is closed. */
    @Test
    void closingEndsTheReplaysThreadsAndProcesses() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TimelineWriter w = new TimelineWriter(bytes, "mem", TimelineCodecTest.header(), 1000, e -> { });
        w.call(Functions.PTHREAD_CREATE, 0, 0, 0, 4096, 0, 0, 0);
        w.ret(Functions.PTHREAD_CREATE, 0);
        w.context(2, 1);
        w.call(Functions.MALLOC, 0, 0x18, 0, 0, 0, 0, 0);
        w.ret(Functions.MALLOC, 0x7ffff0000b70L);
        w.context(2, 0);
        w.call(Functions.FORK, 0, 0, 0, 0, 0, 0, 0);
        w.ret(Functions.FORK, 3);
        w.call(Functions.MALLOC, 0, 0x18, 0, 0, 0, 0, 0);
        w.ret(Functions.MALLOC, 0x5555555592a0L);
        w.close();
        Timeline t = Timeline.parse(bytes.toByteArray(), "mem");
        java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
        java.util.List<Thread> replays;
        try (Reconstructor r = new Reconstructor(t)) {
            CProcess p = r.stateAt(t.steps());
            assertThat(p.processes()).as("the fork was replayed").hasSize(2);
            replays = Thread.getAllStackTraces().keySet().stream()
                    .filter(th -> !before.contains(th) && th.getName().startsWith("mallocscope-task-")).toList();
            assertThat(replays).as("the replayed thread and the forked process run on threads of their own")
                    .hasSize(2);
        }
        for (Thread th : replays) {
            th.join(10_000);
            assertThat(th.isAlive()).as(th.getName() + " ended").isFalse();
        }
    }

    /**
     * A stand-in file lives while a process maps its path: mapped again after every mapping is gone, it
     * starts from zeros, as a rebuild restored from a checkpoint of that moment (which holds no page
     * cache) does.
     */
    @Test
    void aPathMappedAgainAfterItsLastUnmapStartsAfresh() throws IOException {
        HandRecorder r = new HandRecorder();
        int fd = r.c.open("/tmp/again.txt", LibC.O_RDWR | LibC.O_CREAT, 0644);
        r.c.ftruncate(fd, 4096);
        long[] m = new long[2];
        for (int k = 0; k < 2; k++) {
            r.w.call(Functions.MMAP, 0, 0, 4096, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
            m[k] = r.c.mmap(0, 4096, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
            r.w.fileEvent(io.mallocscope.runtime.event.EventKind.FILE_MAP, m[k], 4096, Long.MIN_VALUE, "/tmp/again.txt");
            r.w.ret(Functions.MMAP, m[k]);
            if (k == 0) {
                r.putString(m[0], "first");
                r.w.call(Functions.MUNMAP, 0, m[0], 4096, 0, 0, 0, 0);
                r.c.munmap(m[0], 4096);
                r.w.ret(Functions.MUNMAP, 0);
            }
        }
        Timeline t = r.finish();
        try (Reconstructor rec = new Reconstructor(t)) {
            CProcess mapped = rec.stateAt(1);
            assertThat(mapped.libc().string(m[0])).isEqualTo("first");
            assertThat(mapped.memory().dirtyPages(mapped.memory().regionAt(m[0]))).isEqualTo(1);
            CProcess again = rec.stateAt(3);
            assertThat(again.memory().regionAt(m[1]).name()).isEqualTo("/tmp/again.txt");
            assertThat(again.libc().string(m[1])).as("a fresh stand-in").isEmpty();
            assertThat(again.memory().dirtyPages(again.memory().regionAt(m[1]))).isZero();
            assertThat(rec.problem()).isEmpty();
        }
    }
}
