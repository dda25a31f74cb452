package io.mallocscope.agent;

import java.util.Locale;

/**
 * The agent's options: {@code -javaagent:mallocscope-agent.jar=out=FILE,record=calls+transitions,…}.
 * Options are separated by commas; a list value separates its words with {@code +} (or {@code ;}).
 */
final class AgentOptions {
    static final String USAGE = "accepted options: out=FILE, each=DIR, record=all|calls,transitions,syscalls,writes,output, "
            + "sites=static|stack|off, flush=MILLIS, quiet";

    /** The system property naming the next process's timeline under {@code each=DIR} (a test's name). */
    static final String RECORDING_NAME = "mallocscope.recording.name";

    String out;
    /** Record every simulated process of the JVM, each into its own timeline in this directory. */
    String each;
    boolean calls = true;
    boolean transitions = true;
    boolean syscalls = true;
    boolean writes = true;
    /** What the process prints on stdout and stderr ({@code output} events). */
    boolean output = true;
    /** How call sites are found: "static" (line table, at instrumentation), "stack" (StackWalker), "off". */
    String sites = "static";
    long flushMillis = 50;
    boolean quiet;
    /** Problems with the option string, one line each; the agent reports them and goes on. */
    final StringBuilder problems = new StringBuilder();

    static AgentOptions parse(String args) {
        AgentOptions o = new AgentOptions();
        if (args == null || args.isBlank()) {
            return o;
        }
        String lastKey = "";
        for (String part : args.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq < 0 && lastKey.equals("record") && RECORD_WORDS.contains(p.toLowerCase(Locale.ROOT))) {
                o.addRecord(p); // record=calls,transitions,writes
                continue;
            }
            String key = (eq < 0 ? p : p.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? "" : p.substring(eq + 1).trim();
            lastKey = key;
            switch (key) {
                case "out", "file" -> {
                    if (value.isEmpty()) {
                        o.problem("out= needs a file name");
                    } else {
                        o.out = value;
                    }
                }
                case "each" -> {
                    if (value.isEmpty()) {
                        o.problem("each= needs a directory");
                    } else {
                        o.each = value;
                    }
                }
                case "record" -> o.record(value);
                case "sites" -> {
                    String v = value.toLowerCase(Locale.ROOT);
                    if (v.equals("static") || v.equals("stack") || v.equals("off")) {
                        o.sites = v;
                    } else {
                        o.problem("sites=" + value + " is not static, stack or off");
                    }
                }
                case "flush" -> {
                    try {
                        o.flushMillis = Long.parseLong(value);
                        if (o.flushMillis < 1 || o.flushMillis > 10_000) {
                            throw new NumberFormatException();
                        }
                    } catch (NumberFormatException e) {
                        o.flushMillis = 50;
                        o.problem("flush=" + value + " is not a number of milliseconds between 1 and 10000");
                    }
                }
                case "quiet" -> o.quiet = true;
                default -> o.problem("unknown option '" + key + "'");
            }
        }
        return o;
    }

    private static final java.util.Set<String> RECORD_WORDS = java.util.Set.of("all", "calls", "transitions",
            "syscalls", "writes", "output");

    private void record(String value) {
        calls = transitions = syscalls = writes = output = false;
        for (String w : value.split("[+;:|]")) {
            addRecord(w);
        }
        if (!(calls || transitions || syscalls || writes || output)) {
            // record= with nothing in it would record nothing: say so, and record what the default records
            problem("record=" + value.trim() + " names nothing to record (recording all)");
            calls = transitions = syscalls = writes = output = true;
        }
    }

    private void addRecord(String w) {
        {
            switch (w.trim().toLowerCase(Locale.ROOT)) {
                case "all" -> calls = transitions = syscalls = writes = output = true;
                case "calls" -> calls = true;
                case "transitions" -> transitions = true;
                case "syscalls" -> syscalls = true;
                case "writes" -> writes = true;
                case "output" -> output = true;
                case "" -> {
                }
                default -> problem("record=" + w.trim() + " is not one of all, calls, transitions, syscalls, writes, output");
            }
        }
    }

    private void problem(String what) {
        problems.append("mallocscope: ").append(what).append("; ").append(USAGE).append('\n');
    }

    /** The record= value as stored in the header. */
    String recordSpec() {
        return recordSpec(true);
    }

    /**
     * The header's {@code record} field; {@code outputCaptured} false for an attached agent, which
     * cannot record output (the process's streams were made before it came), so it does not claim to.
     */
    String recordSpec(boolean outputCaptured) {
        StringBuilder sb = new StringBuilder();
        if (calls) {
            sb.append("calls+");
        }
        if (transitions) {
            sb.append("transitions+");
        }
        if (syscalls) {
            sb.append("syscalls+");
        }
        if (writes) {
            sb.append("writes+");
        }
        if (output && outputCaptured) {
            sb.append("output+");
        }
        return sb.length() == 0 ? "" : sb.substring(0, sb.length() - 1);
    }
}
