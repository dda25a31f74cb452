package io.mallocscope.agent;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The mallocscope recording agent: {@code java -javaagent:mallocscope-agent.jar[=out=FILE,…] …} or
 * attached to a running JVM. It records the first simulated process of the JVM into a timeline
 * file (docs/agent.md, docs/timeline-format.md). Whatever goes wrong here, the program runs on with
 * its own exit status: the agent prints one line on stderr and records less, or nothing.
 */
public final class MallocscopeAgent {
    private MallocscopeAgent() {
    }

    private static boolean started;

    public static void premain(String args, Instrumentation inst) {
        start(args, inst, false);
    }

    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst, true);
    }

    private static synchronized void start(String args, Instrumentation inst, boolean attach) {
        try {
            if (started) {
                AgentState.report("mallocscope: the agent is already recording this JVM; ignoring the second start");
                return;
            }
            started = true;
            AgentOptions o = AgentOptions.parse(args);
            if (o.problems.length() > 0) {
                System.err.print(o.problems);
                System.err.flush();
            }
            if (o.out != null && !writable(Path.of(o.out))) {
                return;
            }
            if (o.each != null) {
                try {
                    Files.createDirectories(Path.of(o.each));
                } catch (IOException | RuntimeException e) {
                    AgentState.report("mallocscope: cannot make the directory " + o.each + " for the timelines ("
                            + Recorder.describe(e) + "); recording is off, the program runs on");
                    return;
                }
            }
            AgentState.options = o;
            AgentState.attached = attach;
            AgentState.startMillis = System.currentTimeMillis();
            AgentState.mainName = mainName();
            AgentState.enabled = true;
            Runtime.getRuntime().addShutdownHook(new Thread(new AgentState.Shutdown(), "mallocscope-timeline-close"));
            Instrumenter.install(inst, attach);
            if (o.transitions) { // after the install: the woven Transitions is the one loaded
                io.mallocscope.runtime.malloc.Transitions.watch();
            }
            if (o.sites.equals("static")) {
                CallSites.install(inst, attach);
            }
        } catch (Throwable t) {
            AgentState.enabled = false;
            AgentState.report("mallocscope: the agent could not start (" + t + "); the program runs without recording");
        }
    }

    private static boolean writable(Path out) {
        try (OutputStream os = Files.newOutputStream(out)) {
            return true;
        } catch (IOException | RuntimeException e) {
            AgentState.report("mallocscope: cannot write the timeline " + out + " (" + Recorder.describe(e)
                    + "); recording is off, the program runs on");
            return false;
        }
    }

    /** The main class's simple name (or the jar's base name), for the default file name. */
    private static String mainName() {
        String cmd = System.getProperty("sun.java.command", "");
        String first = cmd.isBlank() ? "a.out" : cmd.trim().split("\\s+")[0];
        if (first.endsWith(".jar")) {
            String base = Path.of(first).getFileName().toString();
            return base.substring(0, base.length() - 4);
        }
        return first.substring(first.lastIndexOf('.') + 1);
    }
}
