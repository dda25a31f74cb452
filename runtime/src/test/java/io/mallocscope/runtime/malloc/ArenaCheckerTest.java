package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.vm.AddressSpace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The heap checker over every arena: random work in up to four threads (own and cross-thread frees,
 * arenas reused after their threads end, heaps that grow, chain a second heap, shrink and are deleted)
 * keeps every invariant after every call on each release; and each kind of damage to a non-main arena
 * (heap_info, top, system_mem, the A bit, attached_threads) is reported.
 */
class ArenaCheckerTest {
    static final long[] SIZES = {24, 40, 100, 200, 500, 1000, 1500, 4000, 10000, 70000, 120000, 400000, 900000};
    static final int WORKERS = 3;

    /** Random calls in main and three workers taking turns (a baton of semaphores, as the threaded harness). */
    static final class Workload {
        final CProcess process;
        final LibC c;
        final Random rnd;
        final List<Long> live = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        final List<String> log = new ArrayList<>();
        long sems;
        long tids;
        long attr;
        final boolean[] alive = new boolean[WORKERS + 1];
        int command; // 0: one op, 1: exit
        /** Ops before this one are a filling phase (mostly big mallocs, so arenas chain heaps), as many after it draining. */
        int fillUntil;
        int mostArenas;
        int mostHeaps;
        int allHeaps;
        boolean heapDeleted;

        Workload(String version, String tunables, long seed) {
            process = CProcess.create(ProcessOptions.defaults().withGlibc(version).withTunables(tunables)
                    .withStdout(new ByteArrayOutputStream()).withStderr(new ByteArrayOutputStream()));
            c = process.libc();
            rnd = new Random(seed);
        }

        void op(LibC t, int self) {
            double x = rnd.nextDouble();
            boolean filling = log.size() < fillUntil;
            boolean draining = !filling && log.size() < 3 * fillUntil; // then mostly frees: heaps shrink and go
            String what;
            if (x < (filling ? 0.9 : draining ? 0.02 : 0.5) || live.isEmpty()) {
                long n = filling ? 900000 : SIZES[rnd.nextInt(SIZES.length)];
                long p = x < 0.1 ? t.calloc(1, n) : t.malloc(n);
                what = "malloc(" + n + ")";
                if (p != 0) {
                    live.add(p);
                }
            } else if (x < 0.9) {
                long p = live.remove(rnd.nextInt(live.size()));
                t.free(p);
                what = "free";
            } else if (x < 0.98) {
                int i = rnd.nextInt(live.size());
                long n = SIZES[rnd.nextInt(SIZES.length)];
                long p = t.realloc(live.get(i), n);
                what = "realloc(" + n + ")";
                if (p != 0) {
                    live.set(i, p);
                }
            } else {
                t.malloc_trim(rnd.nextInt(2) * 4096);
                what = "malloc_trim";
            }
            log.add("thread " + self + ": " + what);
            List<String> found = HeapChecker.check(process.malloc());
            if (!found.isEmpty() && problems.isEmpty()) {
                problems.add("after op " + log.size() + " (" + log.get(log.size() - 1) + "): " + found);
            }
            List<HeapView.Arena> arenas = HeapView.of(process.malloc()).arenas();
            mostArenas = Math.max(mostArenas, arenas.size());
            mostHeaps = Math.max(mostHeaps, arenas.stream().mapToInt(a -> a.heaps().size()).max().orElse(0));
            int heaps = arenas.stream().mapToInt(a -> a.heaps().size()).sum();
            heapDeleted |= heaps < allHeaps;
            allHeaps = heaps;
        }

        void run(int ops) {
            process.run((main, argv) -> {
                sems = main.local(32L * (WORKERS + 1));
                for (int i = 0; i <= WORKERS; i++) {
                    main.sem_init(sems + 32L * i, 0, 0);
                }
                tids = main.local(8L * (WORKERS + 1));
                attr = main.local(0x40);
                main.pthread_attr_init(attr);
                main.pthread_attr_setstacksize(attr, 8 << 20);
                for (int k = 0; k < ops && problems.isEmpty(); k++) {
                    int who = rnd.nextInt(WORKERS + 1);
                    if (who == 0) {
                        op(main, 0);
                        continue;
                    }
                    if (!alive[who]) {
                        final int self = who;
                        main.pthread_create(tids + 8L * who, attr, (t, arg) -> {
                            for (;;) {
                                t.sem_wait(sems + 32L * self);
                                if (command == 1) {
                                    return 0;
                                }
                                op(t, self);
                                t.sem_post(sems);
                            }
                        }, 0);
                        alive[who] = true;
                    }
                    command = rnd.nextInt(12) == 0 ? 1 : 0;
                    main.sem_post(sems + 32L * who);
                    if (command == 1) {
                        main.pthread_join(main.getLong(tids + 8L * who), 0);
                        alive[who] = false;
                        log.add("thread " + who + " exits");
                        List<String> found = HeapChecker.check(process.malloc());
                        if (!found.isEmpty() && problems.isEmpty()) {
                            problems.add("after thread " + who + " exited: " + found);
                        }
                    } else {
                        main.sem_wait(sems);
                    }
                }
                command = 1;
                for (int w = 1; w <= WORKERS; w++) {
                    if (alive[w]) {
                        main.sem_post(sems + 32L * w);
                        main.pthread_join(main.getLong(tids + 8L * w), 0);
                    }
                }
                return 0;
            });
        }
    }

    @ParameterizedTest(name = "glibc {0}")
    @ValueSource(strings = {"2.31", "2.36", "2.41", "2.43", "2.27"})
    void everyArenaKeepsItsInvariantsAfterEveryCall(String version) {
        List<String> failures = new ArrayList<>();
        int arenasSeen = 0;
        for (long seed = 1; seed <= 12; seed++) {
            String tunables = "glibc.malloc.arena_max=" + (1 + seed % 4);
            Workload w = new Workload(version, tunables, seed);
            w.run(400);
            arenasSeen = Math.max(arenasSeen, w.mostArenas);
            if (!w.problems.isEmpty()) {
                failures.add("seed " + seed + " " + tunables + ": " + w.problems.get(0));
            }
        }
        // one long run that keeps two threads' arenas busy enough to chain and delete heaps
        Workload w = new Workload(version, "glibc.malloc.arena_max=3:glibc.malloc.mmap_threshold=1048576", 99);
        w.fillUntil = 400;
        w.run(1800);
        assertThat(arenasSeen).as("most arenas at once").isEqualTo(4);
        assertThat(w.mostHeaps).as("most heaps of one arena").isGreaterThanOrEqualTo(2);
        assertThat(w.heapDeleted).as("a heap was deleted").isTrue();
        if (!w.problems.isEmpty()) {
            failures.add("seed 99: " + w.problems.get(0));
        }
        assertThat(failures).isEmpty();
    }

    /** Main and one thread that has its own arena (its first malloc made it), the thread kept alive. */
    static final class TwoArenas {
        final CProcess process = CProcess.create(ProcessOptions.defaults()
                .withStdout(new ByteArrayOutputStream()).withStderr(new ByteArrayOutputStream()));
        final LibC c = process.libc();
        final Malloc m = process.malloc();
        final AddressSpace mem = process.memory();
        long threadBlock;
        long arena;
        long heap;

        TwoArenas() {
            long sem = c.global("sem", 32);
            c.sem_init(sem, 0, 0);
            long th = c.local(8);
            c.pthread_create(th, 0, (t, arg) -> {
                threadBlock = t.malloc(100);
                t.free(t.malloc(300));
                t.sem_post(sem);
                t.sem_wait(sem + 0); // parked: it stays attached to its arena
                return 0;
            }, 0);
            c.sem_wait(sem);
            heap = Arenas.heapForPtr(threadBlock);
            arena = mem.read64(heap);
        }
    }

    /** mallinfo2 walks every arena as glibc's ar_ptr: av is what it was after, also after an abort. */
    @Test
    void theArenaWalkOfTheStatisticsGivesAvBackEvenWhenACheckAborts() {
        TwoArenas t = new TwoArenas();
        long before = t.m.av;
        assertThat(before).as("the thread's malloc left its arena in av").isEqualTo(t.arena);
        t.c.mallinfo2();
        assertThat(t.m.av).isEqualTo(before);
        // an unaligned fastbin head in the thread's arena: int_mallinfo aborts while walking it
        t.mem.write64(t.m.arena.fastbinAddr(t.arena, 0), t.heap + 0x8d8);
        t.m.useArena(t.m.MAIN_ARENA);
        assertThatThrownBy(t.c::mallinfo2).isInstanceOf(io.mallocscope.runtime.signal.Abort.class)
                .hasMessageContaining("int_mallinfo(): unaligned fastbin chunk detected");
        assertThat(t.m.av).as("av is main_arena's again").isEqualTo(t.m.MAIN_ARENA);
        assertThat(t.m.aBit).isZero();
    }

    @Test
    void aCleanThreadArenaHasNoProblemAndIsListedWithItsHeap() {
        TwoArenas t = new TwoArenas();
        assertThat(HeapChecker.check(t.m)).isEmpty();
        HeapView v = HeapView.of(t.m);
        assertThat(v.arenas()).hasSize(2);
        HeapView.Arena a = v.arenas().get(1);
        assertThat(a.address()).isEqualTo(t.arena).isEqualTo(t.heap + 0x30);
        assertThat(a.attachedThreads()).isEqualTo(1);
        assertThat(a.heaps()).singleElement().satisfies(h -> {
            assertThat(h.address()).isEqualTo(t.heap);
            assertThat(h.size()).isEqualTo(0x21000);
            assertThat(h.mprotectSize()).isEqualTo(0x21000);
            assertThat(h.pagesize()).isEqualTo(0x1000);
        });
        HeapView av = HeapView.of(t.m, t.arena, 0);
        // the thread's tcache struct, its 100-byte block (the 300-byte one went to its tcache), top
        assertThat(av.chunks()).extracting(HeapView.Chunk::address)
                .containsExactly(t.heap + 0x8d0, t.heap + 0xb60, t.heap + 0xbd0, t.heap + 0xd10);
        assertThat(av.chunks().get(3).state()).isEqualTo(HeapView.State.TOP);
        assertThat(av.chunks().get(1).nonMainArena()).isTrue();
        assertThat(v.threads()).hasSize(2);
        assertThat(v.threads().get(1).arena()).isEqualTo(t.arena);
        HeapView tv = HeapView.of(t.m, t.arena, v.threads().get(1).threadPointer());
        assertThat(tv.bins()).filteredOn(b -> b.kind() == BinKind.TCACHE).singleElement()
                .satisfies(b -> assertThat(b.chunks()).containsExactly(t.heap + 0xbd0));
    }

    @Test
    void aForgedArPtrIsReported() {
        TwoArenas t = new TwoArenas();
        t.mem.write64(t.heap, t.arena + 0x1000);
        assertThat(HeapChecker.check(t.m)).anySatisfy(s -> assertThat(s).contains("ar_ptr").contains("is not its arena"));
    }

    @Test
    void aHeapSizeBeyondMprotectSizeIsReported() {
        TwoArenas t = new TwoArenas();
        t.mem.write64(t.heap + Arenas.H_SIZE, 0x22000);
        assertThat(HeapChecker.check(t.m)).anySatisfy(s -> assertThat(s).contains("mprotect_size"));
    }

    @Test
    void aSystemMemThatIsNotTheHeapsSumIsReported() {
        TwoArenas t = new TwoArenas();
        long sys = t.arena + t.m.arena.systemMem;
        t.mem.write64(sys, t.mem.read64(sys) + 0x1000);
        assertThat(HeapChecker.check(t.m)).anySatisfy(s -> assertThat(s)
                .startsWith("arena 0x" + Long.toHexString(t.arena) + ": system_mem"));
    }

    @Test
    void anInUseChunkWithoutTheABitIsReported() {
        TwoArenas t = new TwoArenas();
        long size = t.threadBlock - 8;
        t.mem.write64(size, t.mem.read64(size) & ~MallocState.NON_MAIN_ARENA);
        assertThat(HeapChecker.check(t.m)).anySatisfy(s -> assertThat(s).contains("without the A bit"));
    }

    @Test
    void aMainHeapChunkWithTheABitIsReported() {
        TwoArenas t = new TwoArenas();
        long p = t.c.malloc(40);
        t.mem.write64(p - 8, t.mem.read64(p - 8) | MallocState.NON_MAIN_ARENA);
        assertThat(HeapChecker.check(t.m)).anySatisfy(s -> assertThat(s).contains("of main_arena's heap has the A bit"));
    }

    @Test
    void aTopThatDoesNotEndItsHeapIsReported() {
        TwoArenas t = new TwoArenas();
        long top = t.mem.read64(t.arena + t.m.arena.top);
        t.mem.write64(top + 8, t.mem.read64(top + 8) - 0x100);
        assertThat(HeapChecker.check(t.m)).anySatisfy(s -> assertThat(s).contains("does not end its heap"));
    }

    @Test
    void aWrongAttachedThreadsCountIsReported() {
        TwoArenas t = new TwoArenas();
        t.mem.write64(t.arena + t.m.arena.attachedThreads, 2);
        assertThat(HeapChecker.check(t.m))
                .contains("arena 0x" + Long.toHexString(t.arena) + ": attached_threads 2 but 1 live threads use it");
    }
}
