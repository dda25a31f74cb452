package io.mallocscope.agent;

/**
 * What the agent knows before any runtime class is loaded. Kept apart from {@link Recorder}, whose
 * code names runtime types: premain and the shutdown hook touch only this class, so the agent works
 * (and does nothing) in a JVM without the mallocscope runtime on its class path.
 */
final class AgentState {
    private AgentState() {
    }

    static final String NOTHING_RECORDED = "mallocscope: no simulated process ran, so no timeline was written";
    /**
     * Set (to true) by a program that refused to run before it started, having said why itself (the C
     * front end's compile error, or a construct it refuses while laying the program out in the process it
     * has just made): {@link #NOTHING_RECORDED} would only repeat it, and a process that made no call
     * leaves no timeline ({@link Recorder#finish}).
     */
    static final String REFUSED = "mallocscope.refused";

    /** Whether the program said it refused to run ({@link #REFUSED}). */
    static boolean refused() {
        return Boolean.getBoolean(REFUSED);
    }

    /** Whether the missing timeline goes unsaid: the quiet option, or a program that said why it did not run. */
    static boolean nothingToSay() {
        return options.quiet || refused();
    }

    static volatile AgentOptions options = new AgentOptions();
    static volatile boolean enabled;
    static volatile boolean attached;
    static volatile long startMillis = System.currentTimeMillis();
    static volatile String mainName = "a.out";
    static volatile boolean recorderLoaded;
    /** Failures of the instrumentation itself (listener errors), reported at exit with the advice errors. */
    static final java.util.concurrent.atomic.AtomicLong instrumentationErrors = new java.util.concurrent.atomic.AtomicLong();

    /** The shutdown hook's body (a class, not a lambda: no method-handle machinery at start-up). */
    static final class Shutdown implements Runnable {
        @Override
        public void run() {
            shutdown();
        }
    }

    static void shutdown() {
        try {
            if (recorderLoaded) {
                Recorder.finish();
            } else if (enabled && !nothingToSay()) {
                report(NOTHING_RECORDED);
            }
        } catch (Throwable t) {
            report("mallocscope: the timeline could not be completed (" + t + ")");
        }
    }

    static void reportErrors(long adviceErrors, String first) {
        if (adviceErrors > 0) {
            report("mallocscope: " + adviceErrors + " error" + (adviceErrors == 1 ? "" : "s")
                    + " inside the recording advice " + (adviceErrors == 1 ? "was" : "were")
                    + " suppressed (first: " + first + "); the timeline may miss events");
        }
    }

    static void report(String line) {
        System.err.println(line);
        System.err.flush();
    }
}
