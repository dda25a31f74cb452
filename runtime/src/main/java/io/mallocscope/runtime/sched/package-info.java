/**
 * The deterministic scheduler shared by simulated threads and processes.
 *
 * <p>Every task (a thread of a simulated process, or a forked process) runs on a Java thread of its
 * own, but only the task holding the baton runs: the others wait on their own semaphore. The baton
 * moves only at blocking points (joining, a contended {@link io.mallocscope.runtime.sched.Mutex}, a
 * {@link io.mallocscope.runtime.sched.CondVar} wait, {@link io.mallocscope.runtime.sched.Scheduler#yieldTask()}),
 * when a task ends, or where the caller says so ({@link io.mallocscope.runtime.sched.Scheduler#switchTo}, the
 * trace runner's {@code T K} line). Runnable tasks wait in one FIFO queue, so a run always gives the same
 * interleaving, the same addresses and the same output.
 *
 * <p>A task that fails (a simulated signal, {@code exit}, a Java exception) ends the whole group the way
 * a signal ends a process: the failure is rethrown in the root task at the blocking point where it
 * waits, and {@link io.mallocscope.runtime.sched.Scheduler#shutdown()} then ends every other task.
 */
package io.mallocscope.runtime.sched;
