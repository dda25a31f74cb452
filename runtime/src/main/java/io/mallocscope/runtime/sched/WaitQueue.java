package io.mallocscope.runtime.sched;

import java.util.ArrayDeque;

/**
 * Tasks blocked on one thing (a join, a mutex, a condition variable, a pipe), woken first in, first
 * out. The primitive every blocking operation is built from.
 */
public final class WaitQueue {
    private final Scheduler scheduler;
    private final ArrayDeque<Task> waiters = new ArrayDeque<>();

    public WaitQueue(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** Blocks the current task until {@link #wakeOne()} or {@link #wakeAll()} picks it. */
    public void await() {
        Task me = scheduler.current();
        scheduler.checkAlive(me);
        waiters.addLast(me);
        scheduler.block(me);
    }

    /** Makes the longest-waiting task runnable (at the tail of the run queue); returns it, or null. */
    public Task wakeOne() {
        Task t = waiters.pollFirst();
        if (t != null) {
            scheduler.makeRunnable(t);
        }
        return t;
    }

    /** Makes every waiting task runnable, in the order they came; returns how many. */
    public int wakeAll() {
        int n = 0;
        while (wakeOne() != null) {
            n++;
        }
        return n;
    }

    public boolean isEmpty() {
        return waiters.isEmpty();
    }

    public int size() {
        return waiters.size();
    }
}
