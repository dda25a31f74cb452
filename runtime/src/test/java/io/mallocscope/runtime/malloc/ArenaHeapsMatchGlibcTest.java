package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.glibc.CPrograms;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a non-main heap does with memory it gives back, against the real library: the C programs of
 * {@code src/test/c/arenas} and the same calls on the simulator print the same lines.
 */
class ArenaHeapsMatchGlibcTest {

    static String real(String name) {
        Path bin = CPrograms.compile("src/test/c/arenas/" + name + ".c", "arenas", name, "-pthread");
        CPrograms.Run r = CPrograms.run(bin);
        assertThat(r.status()).as(r.err()).isZero();
        return r.out();
    }

    static CProcess process(ByteArrayOutputStream out) {
        return CProcess.create(ProcessOptions.defaults().withStdout(out).withStderr(out));
    }

    /** shrink_heap madvises the tail MADV_DONTNEED: grown back, the memory reads zeros past what top_pad kept. */
    @Test
    void aShrunkHeapsTailReadsZerosWhenItGrowsBack() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CProcess p = process(out);
        p.run((c, argv) -> {
            c.setbufNone(LibC.STDOUT);
            c.mallopt(LibC.M_MMAP_THRESHOLD, 1 << 20);
            long attr = c.local(64);
            c.pthread_attr_init(attr);
            c.pthread_attr_setstacksize(attr, 8 << 20);
            long t = c.local(8);
            c.pthread_create(t, attr, (tc, arg) -> {
                long keep = tc.malloc(24);
                long q0 = tc.malloc(600000);
                tc.memset(q0, 0xab, 600000);
                tc.free(q0);
                long q = tc.malloc(600000);
                tc.printf("same address: %d, byte at +300000: 0x%x, byte at +100: 0x%x\n", q0 == q ? 1 : 0,
                        tc.getByte(q + 300000) & 0xff, tc.getByte(q + 100) & 0xff);
                return keep;
            }, 0);
            c.pthread_join(c.getLong(t), 0);
            return 0;
        }, new String[0]);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .isEqualTo("same address: 1, byte at +300000: 0x0, byte at +100: 0xab\n")
                .isEqualTo(real("shrink_heap"));
    }

    static long heapOf(long p) {
        return p & ~((64L << 20) - 1);
    }

    static int b(boolean v) {
        return v ? 1 : 0;
    }

    /** __malloc_fork_unlock_child: in the child every arena but the forking thread's is free, the oldest first. */
    @Test
    void aForkedChildsThreadsTakeTheParentsThreadArenasFromTheFreeList() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CProcess p = process(out);
        p.run((c, argv) -> {
            c.setbufNone(LibC.STDOUT);
            long attr = c.global("attr", 64);
            long ready = c.global("ready", 32);
            long go = c.global("go", 32);
            long slots = c.global("slots", 64); // a, b, c1, c2, c3, p
            long tids = c.global("tids", 32);
            c.pthread_attr_init(attr);
            c.pthread_attr_setstacksize(attr, 8 << 20);
            c.sem_init(ready, 0, 0);
            c.sem_init(go, 0, 0);
            io.mallocscope.runtime.ThreadBody parked = (t, slot) -> {
                t.putLong(slot, t.malloc(24));
                t.sem_post(ready);
                t.sem_wait(go);
                return 0;
            };
            io.mallocscope.runtime.ThreadBody late = (t, slot) -> {
                t.putLong(slot, t.malloc(24));
                return 0;
            };
            c.pthread_create(tids, attr, parked, slots);
            c.sem_wait(ready);
            c.pthread_create(tids + 8, attr, parked, slots + 8);
            c.sem_wait(ready);
            long a = c.getLong(slots);
            long bb = c.getLong(slots + 8);
            int pid = c.fork(child -> {
                child.sem_init(ready, 0, 0); // as the C program: the child's own semaphores
                child.sem_init(go, 0, 0);
                child.pthread_create(tids + 16, attr, late, slots + 16);
                child.pthread_join(child.getLong(tids + 16), 0);
                long c1 = child.getLong(slots + 16);
                child.printf("child: a new thread's block is in A's heap: %d, in B's: %d\n", b(heapOf(c1) == heapOf(a)),
                        b(heapOf(c1) == heapOf(bb)));
                child.malloc(1);
                child.pthread_create(tids + 16, attr, parked, slots + 24);
                child.sem_wait(ready);
                child.pthread_create(tids + 8, attr, late, slots + 32);
                child.pthread_join(child.getLong(tids + 8), 0);
                assertThat(HeapChecker.check(child.process().malloc())).as("the child's arenas").isEmpty();
                child.printf("child: two threads at once: the first in A's heap: %d, the second in B's: %d\n",
                        b(heapOf(child.getLong(slots + 24)) == heapOf(a)), b(heapOf(child.getLong(slots + 32)) == heapOf(bb)));
                child._exit(0);
                return 0;
            });
            c.waitpid(pid, 0, 0);
            c.pthread_create(tids + 16, attr, late, slots + 40);
            c.pthread_join(c.getLong(tids + 16), 0);
            long q = c.getLong(slots + 40);
            c.printf("parent: a new thread's block is in A's heap: %d, in B's: %d, in a third heap: %d\n",
                    b(heapOf(q) == heapOf(a)), b(heapOf(q) == heapOf(bb)), b(heapOf(q) != heapOf(a) && heapOf(q) != heapOf(bb)));
            c.sem_post(go);
            c.sem_post(go);
            c.pthread_join(c.getLong(tids), 0);
            c.pthread_join(c.getLong(tids + 8), 0);
            return 0;
        }, new String[0]);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("""
                child: a new thread's block is in A's heap: 1, in B's: 0
                child: two threads at once: the first in A's heap: 1, the second in B's: 1
                parent: a new thread's block is in A's heap: 0, in B's: 0, in a third heap: 1
                """).isEqualTo(real("fork_free_list"));
    }

    /** TLS_TCB_SIZE: the descriptor sits 0x940 below the end of the thread's stack (2.35 and later). */
    @Test
    void aThreadsDescriptorSitsWhereGlibcPutsIt() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CProcess p = process(out);
        p.run((c, argv) -> {
            long attr = c.local(64);
            c.pthread_attr_init(attr);
            c.pthread_attr_setstacksize(attr, 8 << 20);
            long t = c.local(8);
            c.pthread_create(t, attr, (tc, arg) -> {
                long self = tc.pthread_self();
                // the block's end from its guard page (the simulated maps may merge the stack with a neighbour)
                long guard = 0;
                for (io.mallocscope.runtime.vm.Region r : p.memory().regions()) {
                    if (r.prot() == 0 && Long.compareUnsigned(r.end(), self) <= 0) {
                        guard = r.start();
                    }
                }
                long end = guard + 0x1000 + (8 << 20);
                tc.printf("the stack mapping ends 0x%lx above pthread_self()\n", end - self);
                return 0;
            }, 0);
            c.pthread_join(c.getLong(t), 0);
            return 0;
        }, new String[0]);
        String real = real("thread_descriptor");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("the stack mapping ends 0x940 above pthread_self()\n")
                .isEqualTo(real);
    }
}
