package io.mallocscope.runtime.sched;

import java.util.concurrent.Semaphore;

/**
 * One schedulable unit: the root (the program's main thread, id 0) or a task made by
 * {@link Scheduler#spawn}. Its fields are only touched by the task holding the baton, so they need no
 * locks: handing over the baton (a semaphore release/acquire pair) orders every access.
 */
public final class Task {
    /** Where a task is in its life. */
    public enum State {
        /** In the run queue (possibly never run yet). */
        RUNNABLE,
        /** Holding the baton. */
        RUNNING,
        /** Waiting in a {@link WaitQueue} (a join, a mutex, a condition variable). */
        BLOCKED,
        /** Its body returned or threw. */
        FINISHED
    }

    final Scheduler scheduler;
    private final int id;
    private final String name;
    final Semaphore baton = new Semaphore(0);
    final WaitQueue joiners;
    State state;
    /** Set by {@link Scheduler#shutdown()}: the task ends at its next blocking point. */
    volatile boolean killed;
    Thread thread;
    /** What the body threw, or null. */
    Throwable failure;
    /** Whatever the owner wants to hang on the task (a pthread descriptor, a process). */
    private Object attachment;
    /** Run when the task gives up the baton / gets it back (a thread's registers: its context). */
    private Runnable onSwitchOut;
    private Runnable onSwitchIn;

    Task(Scheduler scheduler, int id, String name) {
        this.scheduler = scheduler;
        this.id = id;
        this.name = name;
        this.joiners = new WaitQueue(scheduler);
    }

    /** 0 for the root, then 1, 2, … in order of {@link Scheduler#spawn}. Never reused. */
    public int id() {
        return id;
    }

    public String name() {
        return name;
    }

    public State state() {
        return state;
    }

    public boolean isFinished() {
        return state == State.FINISHED;
    }

    public Object attachment() {
        return attachment;
    }

    public void attach(Object value) {
        this.attachment = value;
    }

    /**
     * Hooks run in this task's own Java thread: {@code out} just before it gives the baton away (at a
     * blocking point, a yield or a switch), {@code in} whenever it gets the baton back and before its
     * body first runs. What a CPU keeps in registers per thread (stack pointer, thread pointer,
     * errno) is saved and restored here. Either may be null.
     */
    public void onSwitch(Runnable out, Runnable in) {
        this.onSwitchOut = out;
        this.onSwitchIn = in;
    }

    void switchedOut() {
        if (onSwitchOut != null) {
            onSwitchOut.run();
        }
    }

    void switchedIn() {
        if (onSwitchIn != null) {
            onSwitchIn.run();
        }
    }

    /** Waits for the baton; a killed task leaves by throwing {@link Killed}. */
    void awaitBaton() {
        baton.acquireUninterruptibly();
        if (killed) {
            throw new Killed();
        }
    }

    @Override
    public String toString() {
        return "task " + id + " (" + name + ", " + state + ")";
    }

    /** Unwinds a task ended by {@link Scheduler#shutdown()}; never seen outside this package. */
    static final class Killed extends Error {
        private static final long serialVersionUID = 1L;

        Killed() {
            super("killed", null, false, false);
        }
    }
}
