package io.mallocscope.runtime.sched;

/** A counting semaphore ({@code sem_post}/{@code sem_wait}): the baton of trace-driven thread switches. */
public final class Semaphore {
    private final WaitQueue waiters;
    private long count;

    public Semaphore(Scheduler scheduler, long initial) {
        this.waiters = new WaitQueue(scheduler);
        this.count = initial;
    }

    /** Wakes the longest waiter, or banks the post; the caller keeps running. */
    public void post() {
        if (waiters.wakeOne() == null) {
            count++;
        }
    }

    /** Takes a banked post, or blocks until a {@link #post()}. */
    public void await() {
        if (count > 0) {
            count--;
            return;
        }
        waiters.await();
    }

    public long value() {
        return count;
    }
}
