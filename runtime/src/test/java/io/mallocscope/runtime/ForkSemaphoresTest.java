package io.mallocscope.runtime;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A forked child gets a copy of its parent's memory, semaphores included: their values are the
 * parent's at the fork (runtime/src/test/c/arenas/fork_free_list.c relies on the same in C).
 */
class ForkSemaphoresTest {

    @Test
    void aChildsSemaphoresHoldTheParentsValues() {
        CProcess.Captured r = CProcess.runCaptured(ProcessOptions.defaults(), (c, argv) -> {
            c.setbufNone(LibC.STDOUT);
            long sem = c.global("sem", 32);
            c.sem_init(sem, 0, 0);
            c.sem_post(sem);
            c.sem_post(sem);
            int pid = c.fork(child -> {
                // two banked posts: both waits return at once; a third wait would block for ever
                child.printf("child: sem_wait %d, sem_wait %d\n", child.sem_wait(sem), child.sem_wait(sem));
                return 0;
            });
            c.waitpid(pid, 0, 0);
            c.sem_wait(sem);
            c.sem_wait(sem);
            c.printf("parent: still two of its own\n");
            return 0;
        });
        assertThat(r.status().code()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("child: sem_wait 0, sem_wait 0\nparent: still two of its own\n");
    }
}
