package io.mallocscope.runtime.trace;

import java.util.ArrayList;
import java.util.List;

/**
 * A trace with thread lines, parsed: its ops (a {@link Trace} whose {@code T}/{@code X} lines are
 * comments, so every op keeps its line number) and its lines in order, each an op, a {@code T K} or an
 * {@code X K}. What {@link ThreadedReplay} runs; a view's step {@code n} is the state after the first
 * {@code n} of these lines.
 * <pre>
 *   T K   the current thread becomes K (0 = main, 1..255); a K that does not exist is first created
 *         by main (pthread_create, 8 MiB stack attribute), then runs
 *   X K   thread K returns from its start function (glibc's exit path runs) and main joins it; the
 *         current thread stays, or becomes main if it was K
 * </pre>
 * A {@code # GLIBC_TUNABLES=VALUE} line (as the reference harness is run) or a {@code # tunables:} line
 * gives the trace's tunables.
 */
public final class ThreadedTrace {
    static final int MAX_THREADS = 256;
    private static final String TUNABLES_LINE = "# GLIBC_TUNABLES=";

    /** What a line of the trace is. */
    public enum Kind {
        /** An op of {@link #ops()}: {@link #op(int)} is its index there. */
        OP,
        /** {@code T K}. */
        SWITCH,
        /** {@code X K}. */
        EXIT
    }

    /** One line: an op's index in the parsed trace (-1 for a thread line), or a thread line's letter and K. */
    private record Item(int op, char thread, int k, int line, int who) {
    }

    private final Trace ops;
    private final List<Item> items;
    /** Each op's thread, by its index in {@link #ops}. */
    private final int[] opThreads;

    private ThreadedTrace(Trace ops, List<Item> items, int[] opThreads) {
        this.ops = ops;
        this.items = items;
        this.opThreads = opThreads;
    }

    /** Whether {@code text} has a {@code T} line (then it needs {@link ThreadedReplay}, not {@link OffsetsReplay}). */
    public static boolean isThreaded(String text) {
        for (String line : text.split("\n", -1)) {
            String s = line.strip();
            if (s.length() > 1 && s.charAt(0) == 'T' && Character.isWhitespace(s.charAt(1)) || s.equals("T")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Parses {@code text} (named {@code name} in messages). The thread lines are checked as a run would
     * meet them: an {@code X} of a thread that is not running is an error here, before anything runs.
     *
     * @throws TraceFormatException for a malformed line ({@code NAME:LINE: …})
     */
    public static ThreadedTrace parse(String name, String text) {
        String[] lines = text.split("\n", -1);
        StringBuilder ops = new StringBuilder(text.length());
        List<Item> items = new ArrayList<>();
        boolean[] alive = new boolean[MAX_THREADS];
        List<Integer> opThreads = new ArrayList<>();
        int current = 0;
        String tunables = null;
        int opIndex = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String s = line.strip();
            if (s.startsWith(TUNABLES_LINE) && tunables == null) {
                tunables = s.substring(TUNABLES_LINE.length()).replaceAll("\\s+", "");
            }
            String[] tok = s.isEmpty() ? new String[0] : s.split("\\s+");
            if (tok.length > 0 && (tok[0].equals("T") || tok[0].equals("X"))) {
                if (tok.length != 2) {
                    throw new TraceFormatException(name, i + 1, (tok.length < 2 ? "too few" : "too many")
                            + " arguments for op '" + tok[0] + "'");
                }
                int lowest = tok[0].equals("T") ? 0 : 1;
                int k;
                try {
                    k = Integer.parseInt(tok[1]);
                } catch (NumberFormatException e) {
                    k = -1;
                }
                if (k < lowest || k >= MAX_THREADS || !tok[1].matches("[0-9]+")) {
                    throw new TraceFormatException(name, i + 1, "bad thread number (" + lowest + "..255) '" + tok[1] + "'");
                }
                if (tok[0].equals("X") && !alive[k]) {
                    throw new TraceFormatException(name, i + 1, "X of a thread that is not running");
                }
                int who = tok[0].equals("X") ? k : k != 0 && !alive[k] ? 0 : current;
                alive[k] = tok[0].equals("T");
                if (tok[0].equals("T")) {
                    current = k;
                } else if (current == k) {
                    current = 0;
                }
                items.add(new Item(-1, tok[0].charAt(0), k, i + 1, who));
                ops.append("# ").append(line).append('\n'); // keeps the line numbers of the rest
                continue;
            }
            ops.append(line);
            if (i < lines.length - 1) {
                ops.append('\n');
            }
            if (!s.isEmpty() && s.charAt(0) != '#' && !(tok.length == 1 && tok[0].matches("[-+]?[0-9]+"))) {
                items.add(new Item(opIndex++, ' ', 0, i + 1, current));
                opThreads.add(current);
            }
        }
        if (tunables != null) {
            // after every line, so the ops keep their line numbers; it wins over a '# tunables:' line
            ops.append("\n# tunables: ").append(tunables).append('\n');
        }
        Trace trace = Trace.parse(name, ops.toString());
        if (trace.size() != opIndex) {
            throw new IllegalStateException("threaded trace: " + opIndex + " op lines but the trace has " + trace.size());
        }
        return new ThreadedTrace(trace, List.copyOf(items), opThreads.stream().mapToInt(Integer::intValue).toArray());
    }

    public String name() {
        return ops.name();
    }

    /**
     * The ops alone, in order; their line numbers are the file's, and its {@link Trace#tunables()} are
     * this trace's.
     */
    public Trace ops() {
        return ops;
    }

    /** The trace's tunables ({@code # GLIBC_TUNABLES=} first, else {@code # tunables:}), or null. */
    public String tunables() {
        return ops.tunables();
    }

    /** The thread that runs op {@code op} (an index in {@link #ops()}): the last {@code T} before it, or main. */
    public int opThread(int op) {
        return opThreads[op];
    }

    /** How many lines there are that do something: ops and thread lines. */
    public int size() {
        return items.size();
    }

    public Kind kind(int i) {
        Item it = items.get(i);
        return it.thread() == 'T' ? Kind.SWITCH : it.thread() == 'X' ? Kind.EXIT : Kind.OP;
    }

    /** The op's index in {@link #ops()}, or -1 for a thread line. */
    public int op(int i) {
        return items.get(i).op();
    }

    /** K of a thread line (0 for an op). */
    public int thread(int i) {
        return items.get(i).k();
    }

    /**
     * The thread that makes line {@code i}'s call: an op's thread; main for a {@code T K} that creates K,
     * else the thread that hands over; K for {@code X K}. What {@link ThreadedReplay.Line#thread()} says.
     */
    public int who(int i) {
        return items.get(i).who();
    }

    /** The line's number in the file (from 1). */
    public int line(int i) {
        return items.get(i).line();
    }

    /** The line as a user writes it: {@code a 0 24}, {@code T 1}, {@code X 1}. */
    public String text(int i) {
        Item it = items.get(i);
        return it.op() >= 0 ? TraceComparison.opText(ops, it.op()) : it.thread() + " " + it.k();
    }
}
