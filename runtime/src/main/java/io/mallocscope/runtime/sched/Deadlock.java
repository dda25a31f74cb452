package io.mallocscope.runtime.sched;

/**
 * Every task is blocked: a real process would hang forever here. Thrown in the root task (at the
 * blocking point where it waits) so the run ends with a clear message instead.
 */
public final class Deadlock extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Deadlock(String message) {
        super(message, null, false, false);
    }
}
