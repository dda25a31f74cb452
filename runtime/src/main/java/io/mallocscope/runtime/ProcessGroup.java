package io.mallocscope.runtime;

import io.mallocscope.runtime.sched.Scheduler;

/**
 * The processes of one run: they share the file system, the scheduler that runs one of them at a
 * time, and the process ids.
 *
 * <p>Process ids are those of a fresh PID namespace: 1 is the namespace's init (the launcher,
 * which is not simulated), the program is 2, and each {@code fork} takes the next number (3, 4, …),
 * never reused within a run. A child whose parent has ended is re-parented to 1, as init adopts
 * orphans, so its {@code getppid()} then returns 1.
 */
final class ProcessGroup {
    static final int INIT_PID = 1;
    static final int FIRST_PID = 2;

    final Scheduler scheduler;
    private int nextPid = FIRST_PID + 1;

    ProcessGroup() {
        scheduler = new Scheduler("pid " + FIRST_PID);
    }

    int nextPid() {
        return nextPid++;
    }
}
