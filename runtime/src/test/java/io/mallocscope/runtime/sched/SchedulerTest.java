package io.mallocscope.runtime.sched;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One task at a time, switching only at blocking points, yields and explicit switches. */
class SchedulerTest {
    private final List<String> log = new ArrayList<>();

    @Test
    void aSpawnedTaskFirstRunsWhenTheCreatorBlocks() {
        Scheduler s = new Scheduler();
        Task t = s.spawn("worker", () -> log.add("worker"));
        log.add("main after spawn");
        assertThat(t.state()).isEqualTo(Task.State.RUNNABLE);
        s.join(t);
        log.add("main after join");
        assertThat(log).containsExactly("main after spawn", "worker", "main after join");
        assertThat(t.isFinished()).isTrue();
        assertThat(s.current()).isSameAs(s.root());
    }

    @RepeatedTest(20)
    void yieldsInterleaveInRunQueueOrderEveryTime() {
        Scheduler s = new Scheduler();
        Task a = s.spawn("a", () -> {
            for (int i = 0; i < 3; i++) {
                log.add("a" + i);
                s.yieldTask();
            }
        });
        Task b = s.spawn("b", () -> {
            for (int i = 0; i < 3; i++) {
                log.add("b" + i);
                s.yieldTask();
            }
        });
        for (int i = 0; i < 2; i++) {
            log.add("m" + i);
            s.yieldTask();
        }
        s.join(a);
        s.join(b);
        assertThat(log).containsExactly("m0", "a0", "b0", "m1", "a1", "b1", "a2", "b2");
        assertThat(s.tasks()).extracting(Task::id).containsExactly(0, 1, 2);
    }

    @Test
    void yieldAloneKeepsRunning() {
        Scheduler s = new Scheduler();
        s.yieldTask();
        assertThat(s.current()).isSameAs(s.root());
    }

    @Test
    void switchToRunsTheTargetNowAndQueuesTheCaller() {
        Scheduler s = new Scheduler();
        Task[] tasks = new Task[2];
        tasks[0] = s.spawn("one", () -> {
            log.add("one");
            s.switchTo(s.root());
            log.add("one again");
        });
        tasks[1] = s.spawn("two", () -> log.add("two"));
        s.switchTo(tasks[1]);
        log.add("main");
        assertThat(s.runQueue()).containsExactly(tasks[0]);
        s.switchTo(tasks[0]);
        log.add("main again");
        s.join(tasks[0]);
        // "two" ends; the queue's head is "one" (spawned before main queued itself), which switches back
        assertThat(log).containsExactly("two", "one", "main", "one again", "main again");
    }

    @Test
    void switchingToABlockedOrFinishedTaskIsRefused() {
        Scheduler s = new Scheduler();
        Task t = s.spawn("t", () -> { });
        s.join(t);
        assertThatThrownBy(() -> s.switchTo(t)).isInstanceOf(IllegalStateException.class)
                .hasMessage("cannot switch to task 1 (t, FINISHED): it is not runnable");
        assertThatThrownBy(() -> s.join(s.root())).hasMessageContaining("cannot join itself");
    }

    @Test
    void aFailingTaskRethrowsInTheRootWhereItWaits() {
        Scheduler s = new Scheduler();
        IllegalArgumentException boom = new IllegalArgumentException("SIGSEGV in thread");
        Task other = s.spawn("other", () -> {
            log.add("other waits");
            new WaitQueue(s).await(); // forever
        });
        Task t = s.spawn("bad", () -> {
            log.add("bad runs");
            throw boom;
        });
        assertThatThrownBy(() -> s.join(t)).isSameAs(boom);
        assertThat(s.current()).isSameAs(s.root());
        s.shutdown();
        assertThat(other.isFinished()).isTrue();
        assertThat(other.thread.isAlive()).isFalse();
        assertThat(log).containsExactly("other waits", "bad runs");
    }

    @Test
    void everyTaskBlockedIsADeadlockReportedInTheRoot() {
        Scheduler s = new Scheduler();
        Mutex m = new Mutex(s);
        m.lock();
        Task t = s.spawn("locker", () -> m.lock());
        assertThatThrownBy(() -> s.join(t)).isInstanceOf(Deadlock.class)
                .hasMessage("deadlock: every thread is blocked (0 main blocked, 1 locker blocked)");
        s.shutdown();
        assertThat(t.thread.isAlive()).isFalse();
    }

    @Test
    void aBlockedTaskWithNothingToRunHandsTheDeadlockToTheRoot() {
        Scheduler s = new Scheduler();
        WaitQueue never = new WaitQueue(s);
        Task t = s.spawn("t", never::await);
        Task u = s.spawn("u", () -> s.join(t));
        assertThatThrownBy(() -> s.join(u)).isInstanceOf(Deadlock.class)
                .hasMessageContaining("2 u blocked");
        s.shutdown();
    }

    @Test
    void contendedMutexBlocksAndUnlockWakesTheOldestWaiter() {
        Scheduler s = new Scheduler();
        Mutex m = new Mutex(s);
        m.lock();
        Task a = s.spawn("a", () -> {
            m.lock();
            log.add("a locked");
            m.unlock();
        });
        Task b = s.spawn("b", () -> {
            assertThat(m.tryLock()).isFalse();
            m.lock();
            log.add("b locked");
            m.unlock();
        });
        s.yieldTask(); // a and b block on the mutex
        assertThat(a.state()).isEqualTo(Task.State.BLOCKED);
        assertThat(b.state()).isEqualTo(Task.State.BLOCKED);
        log.add("main unlocks");
        assertThat(m.unlock()).isTrue();
        assertThat(m.unlock()).isFalse(); // not held: EPERM
        s.join(a);
        s.join(b);
        assertThat(log).containsExactly("main unlocks", "a locked", "b locked");
        assertThat(m.owner()).isNull();
    }

    @Test
    void conditionVariableWaitReleasesTheMutexAndSignalWakesOne() {
        Scheduler s = new Scheduler();
        Mutex m = new Mutex(s);
        CondVar cv = new CondVar(s);
        int[] ready = {0};
        List<Task> waiters = new ArrayList<>();
        for (String name : List.of("w1", "w2")) {
            waiters.add(s.spawn(name, () -> {
                m.lock();
                while (ready[0] == 0) {
                    cv.await(m);
                }
                ready[0]--;
                log.add(name + " woke");
                m.unlock();
            }));
        }
        assertThat(cv.signal()).isFalse(); // nobody waits yet
        s.yieldTask();
        m.lock();
        ready[0] = 1;
        assertThat(cv.signal()).isTrue();
        m.unlock();
        s.join(waiters.get(0));
        assertThat(log).containsExactly("w1 woke");
        m.lock();
        ready[0] = 1;
        assertThat(cv.broadcast()).isEqualTo(1);
        m.unlock();
        s.join(waiters.get(1));
        assertThat(log).containsExactly("w1 woke", "w2 woke");
    }

    @Test
    void shutdownEndsTasksThatNeverRan() {
        Scheduler s = new Scheduler();
        Task t = s.spawn("idle", () -> log.add("never"));
        s.shutdown();
        assertThat(t.isFinished()).isTrue();
        assertThat(t.thread.isAlive()).isFalse();
        assertThat(log).isEmpty();
        assertThatThrownBy(() -> s.spawn("late", () -> { })).hasMessage("the scheduler has been shut down");
    }

    @Test
    void semaphoreBatonRunsExactlyTheThreadPosted() {
        Scheduler s = new Scheduler();
        Semaphore[] sem = {new Semaphore(s, 0), new Semaphore(s, 0), new Semaphore(s, 0)};
        Task a = s.spawn("a", () -> {
            sem[1].await();
            log.add("a");
            sem[0].post();
        });
        Task b = s.spawn("b", () -> {
            sem[2].await();
            log.add("b");
            sem[1].post();
        });
        sem[2].post(); // b first, though a is ahead in the run queue
        sem[0].await();
        log.add("main");
        s.join(a);
        s.join(b);
        assertThat(log).containsExactly("b", "a", "main");
        sem[0].post();
        assertThat(sem[0].value()).isEqualTo(1);
        sem[0].await();
        assertThat(sem[0].value()).isZero();
    }
}
