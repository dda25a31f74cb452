package io.mallocscope.cli.model;

import io.mallocscope.runtime.text.Hex;
import io.mallocscope.runtime.event.EventKind;
import io.mallocscope.runtime.malloc.BinKind;
import io.mallocscope.runtime.malloc.Transitions;
import io.mallocscope.runtime.timeline.Event;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the allocator did in each call, in words ("tcachebins[0x20]: took 0x5555555592b0 (#3), 1
 * left"): one phrase per transition kind, the unsorted scan's take-and-put told as one move, and each
 * chunk named by the call that handed it out ({@code #3}). The text timeline prints these lines under
 * each call; the HTML page shows them as the step's explanation.
 */
public final class Story {
    private interface Words {
        String say(Event e, Names names);
    }

    /**
     * One phrase per event kind; a kind missing here is printed by its wire name and fields. A trace's
     * calls carry no events but the {@link Changes} lines, told as they are.
     */
    private static final Map<EventKind, Words> WORDS = new EnumMap<>(EventKind.class);

    static {
        WORDS.put(EventKind.TCACHE_GET, (t, n) -> tcache(t) + ": took " + n.chunk(t.chunk()) + ", "
                + t.count() + " left");
        WORDS.put(EventKind.TCACHE_PUT, (t, n) -> tcache(t) + ": put " + n.chunk(t.chunk()) + ", now "
                + t.count());
        WORDS.put(EventKind.BIN_INSERT, (t, n) -> bin(t) + ": put " + n.chunk(t.chunk()) + " (" + Hex.of(t.size()) + ")"
                + reason(t));
        WORDS.put(EventKind.BIN_REMOVE, (t, n) -> t.binKind() == BinKind.NONE
                ? "unlinked " + n.chunk(t.chunk()) + " (" + Hex.of(t.size()) + "), a chunk in no bin" + reason(t)
                : bin(t) + ": took " + n.chunk(t.chunk()) + " (" + Hex.of(t.size()) + ")" + reason(t));
        WORDS.put(EventKind.SPLIT, (t, n) -> {
            boolean ofTop = n.tops.isTop(t.chunk());
            n.tops.follow(t);
            if (ofTop) {
                // glibc 2.36's first allocation is always the tcache's own 0x290 chunk (tcache_init), and so is a
                // thread's first from the arena it makes for itself (the first split of a top just created)
                boolean tcache = t.size() == 0x290 && (n.topSplits == 0 || t.chunk() == n.createdTop);
                n.topSplits++;
                n.createdTop = -1;
                String what = tcache ? " for the tcache (tcache_perthread_struct)" : "";
                return "top: split " + Hex.of(t.size()) + " off" + what + ", top now " + Hex.of(t.other()) + " size "
                        + Hex.of(t.otherSize());
            }
            return "split " + n.chunk(t.chunk()) + ": " + Hex.of(t.size()) + " used, remainder " + Hex.of(t.other())
                    + " size " + Hex.of(t.otherSize());
        });
        WORDS.put(EventKind.COALESCE, (t, n) -> {
            boolean intoTop = n.tops.isTop(t.other());
            n.tops.follow(t);
            if (intoTop) { // free (or malloc_consolidate) merging a chunk with the top chunk after it
                return "top: took in " + n.chunk(t.chunk()) + " (" + Hex.of(t.size()) + "), top now "
                        + Hex.of(t.merged()) + " size " + Hex.of(t.mergedSize());
            }
            return "merged " + n.chunk(t.chunk()) + " (" + Hex.of(t.size()) + ") with "
                    + n.chunk(t.other()) + " (" + Hex.of(t.otherSize()) + ") into " + Hex.of(t.merged()) + " ("
                    + Hex.of(t.mergedSize()) + ")";
        });
        WORDS.put(EventKind.TOP_EXTEND, (t, n) -> {
            n.tops.follow(t);
            if (t.otherSize() == 0) {
                n.createdTop = t.chunk();
                return "top: created at " + Hex.of(t.chunk()) + " size " + Hex.of(t.size())
                        + " (the heap's first memory from the kernel)";
            }
            return "top: extended, was " + Hex.of(t.other()) + " size " + Hex.of(t.otherSize()) + ", now "
                    + Hex.of(t.chunk()) + " size " + Hex.of(t.size());
        });
        WORDS.put(EventKind.TOP_SHRINK, (t, n) -> "top: trimmed " + Hex.of(t.chunk()) + " from size "
                + Hex.of(t.otherSize()) + " to " + Hex.of(t.size()) + " (memory given back to the kernel)");
        WORDS.put(EventKind.MMAP_CHUNK, (t, n) -> "mmapped chunk " + n.chunk(t.chunk()) + " (" + Hex.of(t.size()) + ")");
        WORDS.put(EventKind.MUNMAP_CHUNK, (t, n) -> "munmapped chunk " + n.chunk(t.chunk()) + " (" + Hex.of(t.size())
                + ")");
        WORDS.put(EventKind.CONSOLIDATE, (t, n) -> "malloc_consolidate: fastbin chunks merged with their free neighbours");
        WORDS.put(EventKind.THRESHOLD, (t, n) -> t.thresholdName() + " threshold: " + Hex.of(t.oldValue())
                + " → " + Hex.of(t.newValue()));
        WORDS.put(EventKind.SYSCALL, (t, n) -> "kernel: " + EventText.of(t));
        WORDS.put(EventKind.ABORT, (t, n) -> "abort: " + EventText.of(t));
        WORDS.put(EventKind.SEGV, (t, n) -> "segfault: " + EventText.of(t));
        // a call left open, and the memory-mapping segment's events, come worded (EventText)
        for (EventKind k : new EventKind[] {EventKind.CALL, EventKind.OPEN, EventKind.CLOSE, EventKind.FILE_MAP,
                EventKind.PAGE_PRIVATE, EventKind.WRITE_BACK, EventKind.SIGBUS}) {
            WORDS.put(k, (t, n) -> EventText.of(t));
        }
    }

    /** Remembers which call handed out which chunk. */
    static final class Names {
        private ChunkNames createdBy = new ChunkNames();
        /** the chunks named since the last {@link Story#save} */
        private final java.util.Set<Long> touched = new java.util.HashSet<>();
        /** The top chunks as far as the transitions seen so far tell. */
        TopChunks tops = new TopChunks();
        int topSplits;
        /** A top chunk created in the call being told and not split yet (-1: none); not saved, calls end first. */
        long createdTop = -1;
        /** the chunks whose names the last {@link Story#save} wrote or {@link Story#load} read */
        private long[] lastSaved = new long[0];

        /** A forked child's names: the parent's at the fork, its own after. */
        Names copy() {
            Names n = new Names();
            n.createdBy = createdBy.copy();
            n.tops = tops.copy();
            n.topSplits = topSplits;
            return n;
        }

        String chunk(long chunk) {
            Integer op = createdBy.get(chunk);
            return Hex.of(chunk) + (op == null ? "" : " (#" + op + ")");
        }
    }

    /**
     * Each process's names, by pid (0 when the source has one process): a fork's child starts with a
     * copy of its parent's, and each process's calls change only its own.
     */
    private final Map<Integer, Names> byPid = new HashMap<>();
    /** More lines for step N after what the allocator did in call N (cli.explain's Narrator), or null. */
    private final java.util.function.IntFunction<List<String>> narration;

    public Story() {
        this(null);
    }

    /**
     * A story that adds {@code narration}'s lines for each told call's step after its transitions (the
     * program's metadata writes, the allocator's writes outside the heap); steps are asked in order.
     */
    public Story(java.util.function.IntFunction<List<String>> narration) {
        this.narration = narration;
    }

    /** The lines for {@code op}, the next call (without indentation); remembers the chunk it handed out. */
    public List<String> tell(Op op) {
        Names names = names(op);
        List<String> lines = say(op, names);
        if (narration != null) {
            lines.addAll(narration.apply(op.number()));
        }
        remember(op, names);
        forked(op, names);
        return lines;
    }

    /** Follows {@code op}, the next call, without telling it: its chunk names and what it says about top. */
    public void skip(Op op) {
        Names names = names(op);
        quiet(op, names);
        forked(op, names);
    }

    /** The names of the process that made {@code op}. */
    private Names names(Op op) {
        return byPid.computeIfAbsent(pid(op), p -> new Names());
    }

    /** The pid in {@code op}'s {@code who} ({@code pid 3 t1}), 0 when the source has one process. */
    private static int pid(Op op) {
        String who = op.who();
        if (who == null || !who.startsWith("pid ")) {
            return 0;
        }
        int end = who.indexOf(' ', 4);
        try {
            return Integer.parseInt(who.substring(4, end < 0 ? who.length() : end));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** After a fork in the parent: the child ({@code fork}'s result) starts with a copy of the parent's names. */
    private void forked(Op op, Names parent) {
        if (!op.function().equals("fork") || op.result() == null) {
            return;
        }
        try {
            int child = Integer.parseInt(op.result());
            if (child > 0) {
                byPid.put(child, parent.copy());
            }
        } catch (NumberFormatException e) {
            // not a pid (a signal, an error text): no child to name
        }
    }

    /**
     * The call as the timeline's heading line shows it, without its number and site:
     * {@code malloc(0x18) = 0x5555555592c0}, {@code free(0x5555555592c0)}.
     */
    public static String callText(Op op) {
        return op.result() == null ? op.call() : op.call() + " = " + op.result();
    }

    /** The lines for one call's events, in order, then its changes. */
    private static List<String> say(Op op, Names names) {
        List<String> lines = new java.util.ArrayList<>();
        List<Event> ts = op.events();
        for (int i = 0; i < ts.size(); i++) {
            Event t = ts.get(i);
            // the unsorted scan's "take off unsorted, put in its bin" reads best as one move
            if (i + 1 < ts.size() && isSort(t, ts.get(i + 1))) {
                Event to = ts.get(i + 1);
                lines.add(bin(t) + ": " + names.chunk(t.chunk()) + " (" + Hex.of(t.size()) + ") moved to " + bin(to));
                i++;
                continue;
            }
            Words w = WORDS.get(t.kind());
            lines.add(w != null ? w.say(t, names) : t.kind().wireName() + " " + t);
        }
        lines.addAll(op.changes());
        return lines;
    }

    /** Follows a call that is not shown: its chunk names and what it tells about the top chunk. */
    private void quiet(Op op, Names names) {
        for (Event t : op.events()) {
            if (t.kind() == EventKind.SPLIT || t.kind() == EventKind.TOP_EXTEND || t.kind() == EventKind.COALESCE) {
                WORDS.get(t.kind()).say(t, names);
            }
        }
        remember(op, names);
    }

    private void remember(Op op, Names names) {
        if (op.mem() != 0) {
            names.createdBy.put(op.mem() - 16, op.number());
            if (tracking) {
                names.touched.add(op.mem() - 16);
            }
        }
    }

    // ---------------------------------------------------------------- saved and restored (cli.explain's StoryCheckpoints)

    /** Each process's names as the last {@link #save} wrote them (the same objects: a fork replaces them). */
    private Map<Integer, Names> saved = Map.of();
    /** Whether the names given since the last save are noted (from the first save on: a whole one). */
    private boolean tracking;

    /**
     * Writes what the story knows after the calls followed so far: each process's names, top and top
     * splits. {@code whole}: everything; else the names given since the save before (a process new
     * since, or replaced at a fork, whole). {@link #load} of the saves in order gives the same story.
     */
    public void save(java.io.DataOutput out, boolean whole) throws java.io.IOException {
        out.writeInt(byPid.size());
        for (int pid : new java.util.TreeSet<>(byPid.keySet())) {
            Names n = byPid.get(pid);
            boolean all = whole || saved.get(pid) != n;
            out.writeInt(pid);
            out.writeBoolean(all);
            long[] tops = n.tops.sorted();
            out.writeInt(tops.length);
            for (long top : tops) {
                out.writeLong(top);
            }
            out.writeInt(n.topSplits);
            n.lastSaved = all ? n.createdBy.all() : StateCodec.sorted(n.touched);
            n.createdBy.write(out, n.lastSaved);
            n.touched.clear();
        }
        saved = new HashMap<>(byPid);
        tracking = whole || tracking;
    }

    /** Applies one {@link #save}: the story then knows what it knew when that save was written. */
    public void load(java.io.DataInput in) throws java.io.IOException {
        for (int i = in.readInt(); i > 0; i--) {
            int pid = in.readInt();
            Names n = in.readBoolean() ? new Names() : byPid.computeIfAbsent(pid, p -> new Names());
            byPid.put(pid, n);
            long[] tops = new long[in.readInt()];
            for (int k = 0; k < tops.length; k++) {
                tops[k] = in.readLong();
            }
            n.tops.set(tops);
            n.topSplits = in.readInt();
            n.lastSaved = n.createdBy.read(in);
        }
    }

    /**
     * The names of process {@code pid} (0 when the source has one process), or null: the narration's
     * names are saved as the few that differ from these (cli.explain's StoryCheckpoints).
     */
    public ChunkNames names(int pid) {
        Names n = byPid.get(pid);
        return n == null ? null : n.createdBy;
    }

    /** The chunks of process {@code pid} whose names the last {@link #save} wrote or {@link #load} read (sorted). */
    public long[] namesSaved(int pid) {
        Names n = byPid.get(pid);
        return n == null ? new long[0] : n.lastSaved;
    }

    /** Whether {@code a} then {@code b} is the unsorted scan moving one chunk into its bin. */
    public static boolean isSort(Event a, Event b) {
        return a.kind() == EventKind.BIN_REMOVE && b.kind() == EventKind.BIN_INSERT
                && a.reasonCode() == Transitions.SORT && b.reasonCode() == Transitions.SORT && a.chunk() == b.chunk();
    }

    /** The tcache bin of a tcache event, as pwndbg names it: {@code tcachebins[0x20]}. */
    public static String tcache(Event t) {
        return BinLabels.ofEvent(BinType.TCACHE, t.index(), t.size());
    }

    /**
     * The bin of a bin event, as pwndbg names it: {@code unsortedbin}, {@code largebins[0x400-0x430]};
     * {@code no bin} for a forged chunk a merge unlinked ({@link BinKind#NONE}).
     */
    public static String bin(Event t) {
        if (t.binKind() == BinKind.NONE) {
            return "no bin";
        }
        return BinLabels.ofEvent(BinType.of(t.binKind()), t.index(), t.size());
    }

    private static String reason(Event t) {
        if (t.reasonCode() == Transitions.BINMAP) {
            return " [binmap scan]"; // "use the next largest bin": the smallest non-empty bin above the request's
        }
        return " [" + Transitions.reasonName(t.reasonCode()).replace('_', ' ') + "]";
    }
}
