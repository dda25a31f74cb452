package io.mallocscope.runtime.sched;

/** A condition variable over a {@link Mutex}: {@code pthread_cond_wait/signal/broadcast}. */
public final class CondVar {
    private final WaitQueue waiters;

    public CondVar(Scheduler scheduler) {
        this.waiters = new WaitQueue(scheduler);
    }

    /** Releases {@code m}, blocks until signalled, then takes {@code m} again. */
    public void await(Mutex m) {
        if (!m.unlock()) {
            throw new IllegalStateException("condition wait without holding the mutex (EPERM)");
        }
        waiters.await();
        m.lock();
    }

    /** Wakes the longest waiter; false when nobody waits. */
    public boolean signal() {
        return waiters.wakeOne() != null;
    }

    /** Wakes every waiter; returns how many. */
    public int broadcast() {
        return waiters.wakeAll();
    }
}
