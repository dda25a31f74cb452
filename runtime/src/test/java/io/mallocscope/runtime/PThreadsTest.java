package io.mallocscope.runtime;

import io.mallocscope.runtime.vm.Layout;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Threads in the simulated process: nptl's stacks, DTVs and stack cache, glibc's arenas, blocking. */
class PThreadsTest {
    private static final ProcessOptions OPTIONS = ProcessOptions.defaults().withTunables("glibc.malloc.arena_max=8");

    private static CProcess.Captured run(ProcessOptions o, CProgram program) {
        return CProcess.runCaptured(o, program);
    }

    @Test
    void aThreadMallocsInItsOwnArenaAndTheCreatorPaysForItsDtv() {
        long[] seen = new long[4];
        CProcess.Captured r = run(OPTIONS, (c, argv) -> {
            long heap = c.sbrk(0);
            long a = c.malloc(24);
            long th = c.local(8);
            assertThat(c.pthread_create(th, 0, (tc, arg) -> {
                seen[0] = tc.malloc(24);
                assertThat(tc.getLong(seen[0] - 8)).isEqualTo(0x25); // NON_MAIN_ARENA | PREV_INUSE
                seen[1] = tc.pthread_self();
                return 42;
            }, 0)).isZero();
            long b = c.malloc(24); // after the DTV: calloc(17, 16), a 0x120 chunk at H+0x2c0
            long ret = c.local(8);
            assertThat(c.pthread_join(c.getLong(th), ret)).isZero();
            seen[2] = c.getLong(ret);
            seen[3] = c.getLong(th);
            assertThat(a - heap).isEqualTo(0x2a0);
            assertThat(b - heap).isEqualTo(0x3e0);
            assertThat(c.getLong(heap + 0x2c0 - 8)).isEqualTo(0x121);
            return 0;
        });
        assertThat(r.status().code()).as(r.stderr()).isZero();
        assertThat(seen[0] & (64L << 20) - 1).isEqualTo(0xb70); // heap+0xb70, as real 2.36
        // at exit tcache_thread_shutdown freed the tcache struct just below: the chunk lost PREV_INUSE
        assertThat(r.process().memory().read64(seen[0] - 8)).isEqualTo(0x24);
        assertThat(seen[1]).isEqualTo(seen[3]);
        assertThat(seen[2]).isEqualTo(42);
    }

    @Test
    void theThreadStackIsAnMmappedBlockWithAGuardPageBelowIt() {
        CProcess.Captured r = run(OPTIONS, (c, argv) -> {
            long th = c.local(8);
            c.pthread_create(th, 0, (tc, arg) -> {
                long local = tc.local(16);
                tc.printf("%s\n", Long.toHexString(local));
                tc.fflush(LibC.STDOUT); // the SIGSEGV below flushes no stdio
                long sp = local;
                tc.putLong(sp - (8L << 20) + 0x2000, 1); // still inside the 8 MiB
                tc.putByte(sp - (9L << 20), 1); // below: the guard page (or unmapped)
                return 0;
            }, 0);
            c.pthread_join(c.getLong(th), 0);
            return 0;
        });
        assertThat(r.status().segfaulted()).as(r.stderr()).isTrue();
        long local = Long.parseUnsignedLong(r.stdout().strip(), 16);
        assertThat(local).isLessThan(Layout.STACK_START);
    }

    @Test
    void joinedStacksAreCachedAndReusedWithoutANewDtv() {
        CProcess.Captured r = run(OPTIONS, (c, argv) -> {
            long heap = c.sbrk(0);
            long th = c.local(8);
            c.malloc(24);
            c.pthread_create(th, 0, (tc, arg) -> 0, 0);
            long first = c.getLong(th);
            c.pthread_join(first, 0);
            c.pthread_create(th, 0, (tc, arg) -> 0, 0);
            assertThat(c.getLong(th)).isEqualTo(first); // the same descriptor: the cached stack
            c.pthread_join(c.getLong(th), 0);
            assertThat(c.malloc(24) - heap).isEqualTo(0x3e0); // one DTV only
            return 0;
        });
        assertThat(r.status().code()).as(r.stderr()).isZero();
    }

    @Test
    void mutexesConditionVariablesAndYieldsInterleaveTheSameWayEveryRun() {
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            CProcess.Captured r = run(OPTIONS, (c, argv) -> {
                long m = c.global("m", 40);
                long cv = c.global("cv", 48);
                long ready = c.global("ready", 8);
                c.pthread_mutex_init(m, 0);
                c.pthread_cond_init(cv, 0);
                long ths = c.local(16);
                for (int k = 0; k < 2; k++) {
                    c.pthread_create(ths + 8L * k, 0, (tc, arg) -> {
                        tc.pthread_mutex_lock(m);
                        while (tc.getLong(ready) == 0) {
                            tc.pthread_cond_wait(cv, m);
                        }
                        tc.printf("worker %d got %p\n", (int) arg, tc.malloc(100));
                        tc.pthread_mutex_unlock(m);
                        tc.sched_yield();
                        tc.printf("worker %d done\n", (int) arg);
                        return 0;
                    }, k);
                }
                c.sched_yield(); // both wait on the condition
                c.pthread_mutex_lock(m);
                assertThat(c.pthread_mutex_trylock(m)).isEqualTo(PThreads.EBUSY);
                c.putLong(ready, 1);
                c.pthread_cond_broadcast(cv);
                c.pthread_mutex_unlock(m);
                c.pthread_join(c.getLong(ths), 0);
                c.pthread_join(c.getLong(ths + 8), 0);
                c.printf("main done\n");
                return 0;
            });
            assertThat(r.status().code()).as(r.stderr()).isZero();
            runs.add(r.stdout());
        }
        assertThat(runs).containsOnly(runs.get(0));
        assertThat(runs.get(0).lines().toList()).hasSize(5).last().isEqualTo("main done");
        // each worker's first malloc made its own arena: user chunk at heap+0xb70
        assertThat(runs.get(0)).containsPattern("worker 0 got 0x7fff[0-9a-f]{4}0b70\nworker 1 got 0x7fff[0-9a-f]{4}0b70\n");
        assertThat(runs.get(0)).contains("worker 0 done\nworker 1 done\n");
    }

    @Test
    void anAbortInAThreadEndsTheProcess() {
        CProcess.Captured r = run(OPTIONS, (c, argv) -> {
            long th = c.local(8);
            c.pthread_create(th, 0, (tc, arg) -> {
                long p = tc.malloc(24);
                tc.free(p);
                tc.free(p);
                return 0;
            }, 0);
            c.pthread_join(c.getLong(th), 0);
            c.printf("not reached\n");
            return 0;
        });
        assertThat(r.status().aborted()).isTrue();
        assertThat(r.stderr()).startsWith("free(): double free detected in tcache 2\n");
        assertThat(r.stdout()).isEmpty();
    }

    /**
     * House of Mind (fastbin): a chunk above a 64 MiB boundary of the main heap, its A bit forged,
     * and a fake heap_info there naming a fake arena: free puts the chunk in the fake arena's fastbin,
     * as glibc's arena_for_chunk (heap_for_ptr(p)->ar_ptr) does.
     */
    @Test
    void aForgedHeapInfoSendsTheFreeToTheFakeArena() {
        CProcess.Captured r = run(ProcessOptions.defaults(), (c, argv) -> {
            long fakeArena = c.malloc(0x1000);
            long boundary = (c.sbrk(0) + (64L << 20) - 1) & -(64L << 20);
            long p;
            do {
                p = c.malloc(0x18000); // below the mmap threshold: the main heap grows toward the boundary
            } while (p < boundary);
            long victim = c.malloc(0x50); // a 0x60 chunk above the boundary
            long[] fill = new long[7];
            for (int i = 0; i < 7; i++) {
                fill[i] = c.malloc(0x50);
            }
            for (int i = 0; i < 7; i++) {
                c.free(fill[i]); // the tcache bin is full
            }
            c.putLong(boundary, fakeArena);               // heap_info.ar_ptr
            c.putLong(fakeArena + 0x888, 0xffffff);       // fake system_mem passes "invalid next size (fast)"
            c.putLong(victim - 8, c.getLong(victim - 8) | 4); // NON_MAIN_ARENA
            c.free(victim);
            c.printf("%d\n", c.getLong(fakeArena + 0x10 + 8 * 4) == victim - 16 ? 1 : 0); // fastbinsY[4]
            return 0;
        });
        assertThat(r.status().code()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("1\n");
    }

    @Test
    void theArenaLimitIsEightTimesTheCpusOnceArenaTestIsPassed() {
        for (int cpus : new int[] {1, 2}) {
            CProcess.Captured r = run(ProcessOptions.defaults().withCpus(cpus), (c, argv) -> {
                long ths = c.local(8 * 40);
                java.util.Set<Long> arenas = new java.util.HashSet<>();
                for (int k = 0; k < 20; k++) {
                    c.pthread_create(ths + 8L * k, 0, (tc, arg) -> {
                        long p = tc.malloc(24);
                        long size = tc.getLong(p - 8);
                        arenas.add((size & 4) != 0 ? tc.getLong(p & -(64L << 20)) : 0L);
                        tc.sched_yield(); // all alive at once
                        return 0;
                    }, k);
                }
                for (int k = 0; k < 20; k++) {
                    c.pthread_join(c.getLong(ths + 8L * k), 0);
                }
                c.printf("%d\n", arenas.size());
                return 0;
            });
            assertThat(r.status().code()).as(r.stderr()).isZero();
            // arena_test (8) lets narenas reach 9 (main + 8); then the limit is 8 x CPUs arenas in all
            assertThat(r.stdout()).isEqualTo((cpus == 1 ? 9 : 16) + "\n");
        }
    }
}
