package io.mallocscope.runtime.sched;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Runs tasks one at a time, deterministically.
 *
 * <p>The task that creates the scheduler is the root (id 0); {@link #spawn} adds tasks, each on a Java
 * thread of its own that waits for the baton before its body runs. The running task keeps the baton
 * until it blocks ({@link WaitQueue#await()}, {@link #join}, {@link Mutex#lock()}, {@link CondVar#await}),
 * yields ({@link #yieldTask()}), hands it over ({@link #switchTo}) or ends; the baton then goes to the
 * head of one FIFO run queue. Nothing else moves it, so every run interleaves the same way.
 *
 * <p>All methods are called by the running task only (the one holding the baton); the scheduler's
 * state needs no locks because the baton's semaphores order every access.
 *
 * <p>An exception escaping a spawned task's body ends the whole group, as a fatal signal in one
 * thread ends a process: the root task gets the baton back and the exception is rethrown there, from
 * the scheduler call it was blocked in. A body that must not end the group (a forked process, whose
 * crash only its parent sees through {@code wait}) catches its own failures and returns normally.
 * When the root is done, {@link #shutdown()} ends the tasks still alive.
 */
public final class Scheduler {
    private final Task root;
    private final ArrayDeque<Task> runQueue = new ArrayDeque<>();
    private final List<Task> tasks = new ArrayList<>();
    private Task current;
    /** Set when a spawned task failed; the root rethrows it. */
    private RuntimeException pendingForRoot;
    private Error pendingErrorForRoot;
    private int nextId = 1;
    private boolean shutDown;

    /** A scheduler whose root task (id 0, named {@code rootName}) is the caller. */
    public Scheduler(String rootName) {
        root = new Task(this, 0, rootName);
        root.state = Task.State.RUNNING;
        current = root;
        tasks.add(root);
    }

    public Scheduler() {
        this("main");
    }

    /**
     * The Java stack of each task's thread: a forked C process re-enters every frame its parent had
     * and a C thread's recursion is Java recursion (the C front end runs them on these threads), so
     * they get room for the front end's 50,000 nested calls, as its main thread has. Reserved, not
     * committed: only the pages a task touches are used.
     */
    static final long TASK_STACK = 256L << 20;

    /** The task holding the baton. */
    public Task current() {
        return current;
    }

    public Task root() {
        return root;
    }

    /** Every task made so far, the root first, finished ones included. */
    public List<Task> tasks() {
        return List.copyOf(tasks);
    }

    /** The tasks waiting for the baton, in the order they will get it. */
    public List<Task> runQueue() {
        return List.copyOf(runQueue);
    }

    /**
     * Makes a task that will run {@code body}; it joins the tail of the run queue and first runs when
     * the baton reaches it. The caller keeps running.
     */
    public Task spawn(String name, Runnable body) {
        checkAlive(current);
        if (shutDown) {
            throw new IllegalStateException("the scheduler has been shut down");
        }
        Task t = new Task(this, nextId++, name);
        t.state = Task.State.RUNNABLE;
        tasks.add(t);
        Thread thread = new Thread(null, () -> taskMain(t, body), "mallocscope-task-" + t.id() + "-" + name, TASK_STACK);
        thread.setDaemon(true);
        t.thread = thread;
        runQueue.addLast(t);
        thread.start();
        return t;
    }

    /** {@code sched_yield}: the caller goes to the tail of the run queue and the head runs; no-op alone. */
    public void yieldTask() {
        Task me = current;
        checkAlive(me);
        Task next = runQueue.pollFirst();
        if (next == null) {
            return;
        }
        me.state = Task.State.RUNNABLE;
        runQueue.addLast(me);
        handOver(me, next);
    }

    /**
     * Gives the baton to {@code target} now (a trace's {@code T K}); the caller stays runnable at the
     * tail of the run queue. {@code target} must be runnable.
     */
    public void switchTo(Task target) {
        Task me = current;
        checkAlive(me);
        if (target == me) {
            return;
        }
        if (target.scheduler != this) {
            throw new IllegalArgumentException(target + " belongs to another scheduler");
        }
        if (target.state != Task.State.RUNNABLE || !runQueue.remove(target)) {
            throw new IllegalStateException("cannot switch to " + target + ": it is not runnable");
        }
        me.state = Task.State.RUNNABLE;
        runQueue.addLast(me);
        handOver(me, target);
    }

    /** Blocks the caller until {@code t} has finished (at once if it has). */
    public void join(Task t) {
        if (t == current) {
            throw new IllegalArgumentException("a task cannot join itself: " + t);
        }
        while (!t.isFinished()) {
            t.joiners.await();
        }
    }

    /**
     * Ends every task still alive except the caller (which should be the root, after the program
     * ended): each leaves the blocking point it waits in by an internal error its body does not see
     * unless it catches {@link Error}. Returns when their Java threads have ended.
     */
    public void shutdown() {
        shutDown = true;
        for (Task t : tasks) {
            kill(t);
        }
        runQueue.clear();
    }

    // ---------------------------------------------------------------- package-private machinery

    void checkAlive(Task me) {
        if (me.killed) {
            throw new Task.Killed();
        }
    }

    /** Puts a woken task at the tail of the run queue. */
    void makeRunnable(Task t) {
        if (t.state == Task.State.BLOCKED) {
            t.state = Task.State.RUNNABLE;
            runQueue.addLast(t);
        }
    }

    /** The caller (already queued on a {@link WaitQueue}) blocks; the head of the run queue runs. */
    void block(Task me) {
        Task next = runQueue.pollFirst();
        me.state = Task.State.BLOCKED;
        if (next == null) {
            Deadlock d = new Deadlock("deadlock: every thread is blocked (" + describeAll() + ")");
            if (me == root) {
                me.state = Task.State.RUNNING;
                throw d;
            }
            pendingForRoot = d;
            wakeRootForFailure(me);
            return;
        }
        handOver(me, next);
    }

    /** Gives the baton to {@code next} and waits until {@code me} gets it back. */
    private void handOver(Task me, Task next) {
        me.switchedOut();
        current = next;
        next.state = Task.State.RUNNING;
        next.baton.release();
        awaitTurn(me);
    }

    private void awaitTurn(Task me) {
        me.awaitBaton();
        me.switchedIn();
        if (me == root) {
            rethrowPending();
        }
    }

    /**
     * Ends one task that is not running (a thread of a process that ended): it leaves the blocking
     * point it waits in as {@link #shutdown()} makes it; returns when its Java thread has ended.
     */
    public void kill(Task t) {
        if (t == current || t == root || t.isFinished() || t.thread == null) {
            return;
        }
        runQueue.remove(t);
        t.killed = true;
        t.baton.release();
        boolean interrupted = false;
        while (true) {
            try {
                t.thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        t.state = Task.State.FINISHED;
    }

    private void rethrowPending() {
        RuntimeException r = pendingForRoot;
        Error e = pendingErrorForRoot;
        pendingForRoot = null;
        pendingErrorForRoot = null;
        if (e != null) {
            throw e;
        }
        if (r != null) {
            throw r;
        }
    }

    /** Hands the baton to the root, which rethrows the pending failure; {@code me} waits to be killed. */
    private void wakeRootForFailure(Task me) {
        runQueue.remove(root);
        current = root;
        root.state = Task.State.RUNNING;
        root.baton.release();
        if (me != null) {
            awaitTurn(me); // only shutdown() releases it again, and then it throws Killed
        }
    }

    private void taskMain(Task t, Runnable body) {
        try {
            t.awaitBaton();
        } catch (Task.Killed k) {
            return;
        }
        Throwable failure = null;
        try {
            t.switchedIn();
            body.run();
        } catch (Task.Killed k) {
            return; // shutdown() is joining this thread; the scheduler's state is the root's now
        } catch (Throwable e) {
            failure = e;
        }
        t.state = Task.State.FINISHED;
        t.failure = failure;
        t.joiners.wakeAll();
        if (failure != null) {
            if (failure instanceof RuntimeException r) {
                pendingForRoot = r;
            } else if (failure instanceof Error e) {
                pendingErrorForRoot = e;
            } else {
                pendingForRoot = new IllegalStateException(failure);
            }
            wakeRootForFailure(null);
            return;
        }
        Task next = runQueue.pollFirst();
        if (next == null) {
            pendingForRoot = new Deadlock("deadlock: every thread is blocked (" + describeAll() + ")");
            wakeRootForFailure(null);
            return;
        }
        current = next;
        next.state = Task.State.RUNNING;
        next.baton.release();
    }

    private String describeAll() {
        StringJoiner j = new StringJoiner(", ");
        for (Task t : tasks) {
            if (!t.isFinished()) {
                j.add(t.id() + " " + t.name() + " " + t.state().name().toLowerCase());
            }
        }
        return j.toString();
    }
}
