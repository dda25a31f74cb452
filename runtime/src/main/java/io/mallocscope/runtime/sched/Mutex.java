package io.mallocscope.runtime.sched;

/**
 * A non-recursive mutex as glibc's default {@code pthread_mutex_t} behaves with one task running at
 * a time: {@link #lock()} blocks while another task holds it; {@link #unlock()} wakes the longest
 * waiter, which takes the lock when it next runs (unless someone took it first; then it waits again).
 */
public final class Mutex {
    private final Scheduler scheduler;
    private final WaitQueue waiters;
    private Task owner;

    public Mutex(Scheduler scheduler) {
        this.scheduler = scheduler;
        this.waiters = new WaitQueue(scheduler);
    }

    public void lock() {
        Task me = scheduler.current();
        if (owner == me) {
            throw new IllegalStateException("mutex already held by " + me + " (EDEADLK)");
        }
        while (owner != null) {
            waiters.await();
        }
        owner = me;
    }

    /** {@code pthread_mutex_trylock}: true when the lock was free and is now the caller's. */
    public boolean tryLock() {
        if (owner != null) {
            return false;
        }
        owner = scheduler.current();
        return true;
    }

    /** Releases the lock; false (EPERM) when the caller does not hold it. */
    public boolean unlock() {
        if (owner != scheduler.current()) {
            return false;
        }
        owner = null;
        waiters.wakeOne();
        return true;
    }

    public Task owner() {
        return owner;
    }
}
