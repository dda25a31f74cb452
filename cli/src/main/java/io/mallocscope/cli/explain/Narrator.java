package io.mallocscope.cli.explain;

import io.mallocscope.cli.UserError;
import io.mallocscope.cli.model.BinLabels;
import io.mallocscope.cli.model.BinType;
import io.mallocscope.cli.model.ChunkNames;
import io.mallocscope.cli.model.StateCodec;
import io.mallocscope.cli.model.Story;
import io.mallocscope.runtime.text.Hex;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.malloc.HeapView;
import io.mallocscope.runtime.malloc.BinKind;
import io.mallocscope.runtime.malloc.Transitions;
import io.mallocscope.runtime.timeline.Event;
import io.mallocscope.runtime.event.EventKind;
import io.mallocscope.runtime.timeline.Reconstructor;
import io.mallocscope.runtime.timeline.Timeline;
import io.mallocscope.runtime.vm.AddressSpace;
import io.mallocscope.runtime.vm.Region;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a recorded timeline's memory says beyond its transitions, step by step: the program's own
 * writes into heap metadata named by field and chunk ("program wrote 0x7fffffffe3a0 into #1's
 * bk_nextsize (0x5555555592b8)"), every write the allocator made outside the heap's chunks, the arenas
 * and its own structures ("largebin insert wrote 0x5555555596e0 to 0x7fffffffe3c0 (stack, not heap
 * memory)"), a chunk handed out outside every heap ("malloc returned 0x7fffffffe3b0: a stack
 * address"), and the checks that could have stopped such a step but passed.
 *
 * <p>It replays the timeline (a {@link Reconstructor} of its own) forward: ask for the steps in
 * increasing order; asking for an earlier step replays from the start. The allocator's writes outside
 * the heap are found by comparing the pages of every writable mapping that is not the heap (stack,
 * libc's and the program's data, anonymous mappings) before and after each call.
 */
public final class Narrator {
    /** Which of the program's writes are narrated. */
    public enum Writes {
        /** none: the allocator's own story only (and its out-of-heap writes) */
        none,
        /** writes into heap metadata and malloc's globals (the default) */
        metadata,
        /** every write, user data included */
        all
    }

    /** Mappings larger than this are not compared page by page (a program's big buffer, never malloc's target). */
    private static final long WATCH_LIMIT = 4L << 20;
    private static final long PAGE = 4096;

    private final Timeline timeline;
    private final Writes writes;
    private final Reconstructor replay;
    private final boolean safeLinking;
    private final boolean largebinSmallestChecked;
    /**
     * What the telling knows of one process's heap: the names of its chunks, which are live, mmapped or
     * in a bin. A fork's child starts with a copy of its parent's (it inherits the heap); after the fork
     * each process's calls change only its own.
     */
    private static final class Known {
        /** chunk address → the call that handed it out */
        ChunkNames createdBy = new ChunkNames();
        /**
         * chunk address → the program's variable its pointer went to, where the recording says: a C
         * program's call site reads {@code prog.c:12 → p1} when the front end saw {@code p1 = malloc(…)}
         */
        final Map<Long, String> variable = new HashMap<>();
        /** chunks handed out and not given back: address → size (from its size word) */
        final TreeMap<Long, Long> live = new TreeMap<>();
        /** chunks the allocator mmapped (their mappings are heap memory) */
        final Set<Long> mmappedChunks = new HashSet<>();
        /** chunks the transitions put in a bin and did not take out, with how many times (a double free: twice) */
        final Map<Long, Integer> inBins = new HashMap<>();
        /** the chunks named, or made live or not, or put in or taken out of a bin since the last {@link #save} */
        final Set<Long> touchedNames = new HashSet<>();
        /** the chunks whose variable was set or cleared since the last {@link #save} */
        final Set<Long> touchedVariables = new HashSet<>();
        /** the chunks whose name differed from the story's at the last {@link #save} (or {@link #load}) */
        final Set<Long> differs = new HashSet<>();
        final Set<Long> touchedLive = new HashSet<>();
        final Set<Long> touchedBins = new HashSet<>();
        final Set<Long> touchedMmapped = new HashSet<>();

        Known copy() {
            Known k = new Known();
            k.createdBy = createdBy.copy();
            k.variable.putAll(variable);
            k.live.putAll(live);
            k.mmappedChunks.addAll(mmappedChunks);
            k.inBins.putAll(inBins);
            return k;
        }
    }

    /**
     * {@code pid:list:chunk} → how many times the chunk is in that list (a tcache's list also names its
     * thread), with the keys of each chunk at hand (a chunk leaves every list at once when merged).
     */
    private static final class Lists {
        final Map<String, Integer> count = new HashMap<>();
        /** the keys changed since the last save (once saving) */
        final Set<String> touched = new HashSet<>();
        boolean tracking;
        private final Map<Long, Set<String>> byChunk = new HashMap<>();

        /** Puts the chunk in the list once more; returns how many times it is there now. */
        int add(String key, long chunk) {
            int n = count.merge(key, 1, Integer::sum);
            touch(key);
            if (n == 1) {
                byChunk.computeIfAbsent(chunk, c -> new HashSet<>(2)).add(key);
            }
            return n;
        }

        private void touch(String key) {
            if (tracking) {
                touched.add(key);
            }
        }

        /** Takes the chunk out of the list once. */
        void take(String key, long chunk) {
            Integer n = count.get(key);
            if (n == null) {
                return;
            }
            touch(key);
            if (n > 1) {
                count.put(key, n - 1);
            } else {
                count.remove(key);
                Set<String> keys = byChunk.get(chunk);
                keys.remove(key);
                if (keys.isEmpty()) {
                    byChunk.remove(chunk);
                }
            }
        }

        /** Takes the chunk out of every list (of every process), or only out of the tcaches. */
        void removeChunk(long chunk, boolean tcachesOnly) {
            Set<String> keys = byChunk.get(chunk);
            if (keys == null) {
                return;
            }
            keys.removeIf(k -> {
                if (tcachesOnly && !k.contains(":tcache")) {
                    return false;
                }
                count.remove(k);
                touch(k);
                return true;
            });
            if (keys.isEmpty()) {
                byChunk.remove(chunk);
            }
        }

        void clear() {
            count.clear();
            byChunk.clear();
            touched.clear();
        }

        /** Rebuilds the keys by chunk after {@link #count} was changed directly. */
        void reindex() {
            byChunk.clear();
            for (String k : count.keySet()) {
                long chunk = Long.parseLong(k.substring(k.lastIndexOf(':') + 1));
                byChunk.computeIfAbsent(chunk, c -> new HashSet<>(2)).add(k);
            }
        }
    }

    /** pid → what the telling knows of that process's heap */
    private final Map<Integer, Known> known = new HashMap<>();
    // the known state of the process whose call or write is being told (see use)
    private ChunkNames createdBy;
    private Map<Long, String> variable;
    private TreeMap<Long, Long> live;
    private Set<Long> mmappedChunks;
    private Map<Long, Integer> inBins;
    private Known current;
    /** the lists each chunk is in, in every process */
    private final Lists inList = new Lists();
    /** {@code pid:chunk} → the call that handed the chunk out in that process, until it frees it */
    private final Map<String, Integer> handedOut = new HashMap<>();
    /** the keys of {@link #handedOut} changed since the last save */
    private final Set<String> touchedHandedOut = new HashSet<>();
    /** chunks whose PREV_INUSE bit this step's writes clear: their prev_size is metadata */
    private final Set<Long> prevInuseCleared = new HashSet<>();
    private int nextStep = 1;

    public Narrator(Timeline timeline, Writes writes) {
        this.timeline = timeline;
        this.writes = writes;
        this.replay = new Reconstructor(timeline);
        String glibc = timeline.header().glibc();
        this.safeLinking = !glibc.isEmpty() && compare(glibc, "2.32") >= 0;
        this.largebinSmallestChecked = !glibc.isEmpty() && compare(glibc, "2.42") >= 0;
    }

    /**
     * The narration of {@code source}'s steps, for a renderer: empty lines for a trace (no memory was
     * recorded) and for a timeline recorded without writes, or when {@code writes} is null.
     */
    public static java.util.function.IntFunction<List<String>> of(io.mallocscope.cli.source.StateSource source,
                                                                  Writes writes) {
        return source.timeline().map(t -> of(t, writes)).orElse(null);
    }

    /** The narration of {@code timeline}'s steps; null when it was recorded without writes or attached late. */
    public static java.util.function.IntFunction<List<String>> of(Timeline timeline, Writes writes) {
        if (writes == null || !tells(timeline)) {
            return null;
        }
        Narrator n = new Narrator(timeline, writes);
        return n::linesFor;
    }

    /** Whether {@code timeline} is narrated: recorded with the program's writes, from its start. */
    static boolean tells(Timeline timeline) {
        return timeline.header().recorded("writes") && !timeline.header().attached();
    }

    /**
     * The lines for step {@code step} (1-based): first what the allocator did outside the heap during
     * the call, then the program's writes after it, before the next call. Steps are asked in order; step 0
     * (the writes before the first call) starts the telling again.
     */
    public List<String> linesFor(int step) {
        if (step < nextStep) {
            startAgain();
        }
        if (step == 0) {
            return rebuilt(0, this::beforeFirstCall);
        }
        while (nextStep < step) {
            int s = nextStep++;
            rebuilt(s, () -> follow(s)); // a step not asked for: only what the later steps need to know of it
        }
        List<String> lines = nextStep == step ? rebuilt(step, () -> narrate(nextStep++)) : List.of();
        if (nextStep > timeline.steps()) {
            replay.close(); // all told: the replay's threads end (a new telling replays from the start)
        }
        return lines;
    }

    /**
     * Step {@code step} told or followed, or, when the replay could not rebuild the run there (a process
     * it did not fork, a memory read the rebuilt process refuses after the replay departed), one
     * {@link UserError} naming the step and the Reconstructor's reason. A failure with no reason from the
     * replay, or one before the step where the replay departed, is a bug of the telling and stays one.
     */
    private <T> T rebuilt(int step, java.util.function.Supplier<T> telling) {
        try {
            return telling.get();
        } catch (UserError e) {
            throw e;
        } catch (RuntimeException e) {
            String why = replay.problem().orElse(null);
            if (!explainedByReplay(replay.problemStep(), step) || why == null) {
                throw e;
            }
            throw UserError.data("cannot tell step " + step + ": " + why);
        }
    }

    /**
     * Whether a failure while telling {@code step} is the replay's: it departed at or before that step.
     * A replay that departed later (driven there by an earlier view, or known from a checkpoint) says
     * nothing of a failure before it, which stays the telling's own bug.
     */
    static boolean explainedByReplay(int problemStep, int step) {
        return problemStep >= 0 && problemStep <= step;
    }

    private void rebuilt(int step, Runnable following) {
        rebuilt(step, () -> {
            following.run();
            return null;
        });
    }

    /** Forgets everything told: the next step told is step 1. */
    private void startAgain() {
        known.clear();
        inList.clear();
        handedOut.clear();
        nextStep = 1;
    }

    /**
     * Follows the steps up to {@code step} without telling them: afterwards the telling knows what it
     * would know had it told steps 1 to {@code step} (for {@link StoryCheckpoints}).
     */
    void followTo(int step) {
        if (step < nextStep - 1) {
            startAgain();
        }
        while (nextStep <= step) {
            int s = nextStep++;
            rebuilt(s, () -> follow(s));
        }
    }

    /** The last step told or followed (0: none yet). */
    int told() {
        return nextStep - 1;
    }

    // ---------------------------------------------------------------- saved and restored (StoryCheckpoints)

    /** Each process's known state as the last {@link #save} wrote it (the same objects: a fork replaces them). */
    private Map<Integer, Known> savedKnown = Map.of();
    /** Whether the changes since the last save are noted (from the first save on: a whole one). */
    private boolean tracking;

    private <T> void touch(Set<T> touched, T key) {
        if (tracking) {
            touched.add(key);
        }
    }

    /**
     * Writes what the telling knows after the steps told or followed so far, beside {@code story}'s state
     * after the same steps (saved just before). {@code whole}: everything; else what changed since the
     * save before: each process's chunks named, made live or not, put in or taken out of a bin or mmapped
     * since, the lists and handed-out calls changed since (a process that is new since, or replaced at a
     * fork, is written whole). The names are the story's but for a few (a posix_memalign's chunk, which
     * only the narration names): only those that differ from the story's are written. {@link #load} of
     * the saves in order, each after the story's, gives the same state.
     */
    void save(java.io.DataOutput out, boolean whole, Story story) throws java.io.IOException {
        out.writeInt(told());
        out.writeInt(known.size());
        for (int pid : new java.util.TreeSet<>(known.keySet())) {
            Known k = known.get(pid);
            boolean all = whole || savedKnown.get(pid) != k;
            out.writeInt(pid);
            out.writeBoolean(all);
            int key = storyPid(pid);
            ChunkNames base = story.names(key);
            saveNames(out, k, base, all ? union(k.createdBy.all(), base == null ? new long[0] : base.all())
                    : union(StateCodec.sorted(k.touchedNames), story.namesSaved(key)), all);
            StateCodec.changes(out, k.variable, all ? k.variable.keySet() : k.touchedVariables, StateCodec.LONG,
                    StateCodec.TEXT);
            StateCodec.changes(out, k.live, all ? k.live.keySet() : k.touchedLive, StateCodec.LONG, StateCodec.LONG);
            StateCodec.changes(out, k.mmappedChunks, all ? k.mmappedChunks : k.touchedMmapped, StateCodec.LONG);
            StateCodec.changes(out, k.inBins, all ? k.inBins.keySet() : k.touchedBins, StateCodec.LONG, StateCodec.INT);
            k.touchedNames.clear();
            k.touchedVariables.clear();
            k.touchedLive.clear();
            k.touchedMmapped.clear();
            k.touchedBins.clear();
        }
        ListKeys.changes(out, inList.count, whole ? inList.count.keySet() : inList.touched);
        ListKeys.changes(out, handedOut, whole ? handedOut.keySet() : touchedHandedOut);
        inList.touched.clear();
        touchedHandedOut.clear();
        savedKnown = new HashMap<>(known);
        tracking = whole || tracking; // the first save is whole: what changes after it is noted
        inList.tracking = tracking;
    }

    /** The story's key for process {@code pid}: 0 when the timeline has one process (its calls say no pid). */
    private int storyPid(int pid) {
        return timeline.pids().size() > 1 ? pid : 0;
    }

    /** In a saved name: the chunk is named as the story names it. */
    private static final int AS_STORY = 0;
    /** In a saved name: the chunk has no name (the story names it, the narration does not). */
    private static final int UNNAMED = 1;

    /**
     * The names among {@code chunks} (sorted) that differ from the story's {@code base}, each as its
     * distance from the one before and its call + 1 ({@link #UNNAMED}: none); in a change, a chunk that
     * differed and no longer does as {@link #AS_STORY}.
     */
    private static void saveNames(java.io.DataOutput out, Known k, ChunkNames base, long[] chunks, boolean all)
            throws java.io.IOException {
        if (all) {
            k.differs.clear();
        }
        long[] at = new long[chunks.length];
        int[] code = new int[chunks.length];
        int n = 0;
        for (long c : chunks) {
            Integer mine = k.createdBy.get(c);
            Integer theirs = base == null ? null : base.get(c);
            if (java.util.Objects.equals(mine, theirs)) {
                if (k.differs.remove(c)) {
                    at[n] = c;
                    code[n++] = AS_STORY;
                }
            } else {
                k.differs.add(c);
                at[n] = c;
                code[n++] = mine == null ? UNNAMED : mine + 1;
            }
        }
        StateCodec.writeVarLong(out, n);
        long before = 0;
        for (int i = 0; i < n; i++) {
            StateCodec.writeVarLong(out, at[i] - before);
            StateCodec.writeVarLong(out, code[i]);
            before = at[i];
        }
    }

    /** The union of two sorted arrays, sorted, each value once. */
    private static long[] union(long[] a, long[] b) {
        long[] out = new long[a.length + b.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < a.length || j < b.length) {
            long v = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j];
            out[n++] = v;
            while (i < a.length && a[i] == v) {
                i++;
            }
            while (j < b.length && b[j] == v) {
                j++;
            }
        }
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }

    /**
     * Applies one {@link #save}, written beside {@code story}'s save, which {@code story} has just loaded:
     * the telling then knows what it knew then, and goes on with the step after.
     */
    void load(java.io.DataInput in, Story story) throws java.io.IOException {
        int told = in.readInt();
        for (int n = in.readInt(); n > 0; n--) {
            int pid = in.readInt();
            boolean whole = in.readBoolean();
            int key = storyPid(pid);
            ChunkNames base = story.names(key);
            Known k;
            if (whole) {
                k = new Known();
                k.createdBy = base == null ? new ChunkNames() : base.copy(); // the story's arrays, shared
            } else {
                k = known.computeIfAbsent(pid, p -> new Known());
                if (base != null) {
                    for (long c : story.namesSaved(key)) { // the names the story was just given, given here too
                        Integer by = base.get(c);
                        if (!k.differs.contains(c) && by != null) {
                            k.createdBy.put(c, by);
                        }
                    }
                }
            }
            known.put(pid, k);
            long before = 0;
            for (long m = StateCodec.readVarLong(in); m > 0; m--) {
                long c = before + StateCodec.readVarLong(in);
                long code = StateCodec.readVarLong(in);
                before = c;
                Integer as = base == null ? null : base.get(c);
                if (code == AS_STORY) {
                    k.differs.remove(c);
                    if (as == null) {
                        k.createdBy.remove(c);
                    } else {
                        k.createdBy.put(c, as);
                    }
                } else if (code == UNNAMED) {
                    k.differs.add(c);
                    k.createdBy.remove(c);
                } else {
                    k.differs.add(c);
                    k.createdBy.put(c, (int) (code - 1));
                }
            }
            StateCodec.apply(in, k.variable, StateCodec.READ_LONG, StateCodec.READ_TEXT);
            StateCodec.apply(in, k.live, StateCodec.READ_LONG, StateCodec.READ_LONG);
            StateCodec.apply(in, k.mmappedChunks, StateCodec.READ_LONG);
            StateCodec.apply(in, k.inBins, StateCodec.READ_LONG, StateCodec.READ_INT);
        }
        ListKeys.apply(in, inList.count);
        inList.reindex();
        ListKeys.apply(in, handedOut);
        nextStep = told + 1;
    }

    /**
     * The lists' ({@code pid:list:chunk}) and handed-out calls' ({@code pid:chunk}) keys saved compactly:
     * grouped by process and list, each chunk as its distance from the one before in its group. Written
     * as a {@link StateCodec#changes}: the keys gone, then those there with their counts.
     */
    private static final class ListKeys {
        private record Key(int pid, String list, long chunk) implements Comparable<Key> {
            static Key of(String k) {
                int first = k.indexOf(':');
                int last = k.lastIndexOf(':');
                return new Key(Integer.parseInt(k.substring(0, first)), first == last ? "" : k.substring(first + 1, last),
                        Long.parseLong(k.substring(last + 1)));
            }

            String text() {
                return list.isEmpty() ? pid + ":" + chunk : pid + ":" + list + ":" + chunk;
            }

            @Override
            public int compareTo(Key o) {
                int c = Integer.compare(pid, o.pid);
                if (c == 0) {
                    c = list.compareTo(o.list);
                }
                return c != 0 ? c : Long.compare(chunk, o.chunk);
            }
        }

        static void changes(java.io.DataOutput out, Map<String, Integer> now, Set<String> touched)
                throws java.io.IOException {
            List<Key> gone = new ArrayList<>();
            List<Key> there = new ArrayList<>();
            for (String k : touched) {
                (now.containsKey(k) ? there : gone).add(Key.of(k));
            }
            write(out, gone, null);
            write(out, there, now);
        }

        private static void write(java.io.DataOutput out, List<Key> keys, Map<String, Integer> values)
                throws java.io.IOException {
            java.util.Collections.sort(keys);
            int groups = 0;
            for (int i = 0; i < keys.size(); i++) {
                if (i == 0 || !sameGroup(keys.get(i - 1), keys.get(i))) {
                    groups++;
                }
            }
            StateCodec.writeVarLong(out, groups);
            for (int i = 0; i < keys.size(); ) {
                int j = i + 1;
                while (j < keys.size() && sameGroup(keys.get(i), keys.get(j))) {
                    j++;
                }
                Key g = keys.get(i);
                StateCodec.writeVarLong(out, g.pid);
                out.writeUTF(g.list);
                StateCodec.writeVarLong(out, j - i);
                long before = 0;
                for (int m = i; m < j; m++) {
                    Key k = keys.get(m);
                    StateCodec.writeVarLong(out, k.chunk - before);
                    before = k.chunk;
                    if (values != null) {
                        StateCodec.writeVarLong(out, values.get(k.text()));
                    }
                }
                i = j;
            }
        }

        private static boolean sameGroup(Key a, Key b) {
            return a.pid == b.pid && a.list.equals(b.list);
        }

        static void apply(java.io.DataInput in, Map<String, Integer> into) throws java.io.IOException {
            for (int pass = 0; pass < 2; pass++) {
                for (long g = StateCodec.readVarLong(in); g > 0; g--) {
                    int pid = (int) StateCodec.readVarLong(in);
                    String list = in.readUTF();
                    long before = 0;
                    for (long m = StateCodec.readVarLong(in); m > 0; m--) {
                        long chunk = before + StateCodec.readVarLong(in);
                        before = chunk;
                        String key = new Key(pid, list, chunk).text();
                        if (pass == 0) {
                            into.remove(key);
                        } else {
                            into.put(key, (int) StateCodec.readVarLong(in));
                        }
                    }
                }
            }
        }
    }

    /** Ends the replay's threads and processes (a later step replays again). */
    void close() {
        replay.close();
    }

    /** Step 0: the program's writes before its first call, told as those after a call are. */
    private List<String> beforeFirstCall() {
        List<String> lines = new ArrayList<>();
        int end = timeline.steps() > 0 ? timeline.callOfStep(1) : timeline.size();
        for (int i = 0; i < end && writes != Writes.none; i++) {
            if (timeline.depth(i) == 0 && timeline.kind(i) == EventKind.WRITE) {
                programWrite(i, lines);
            }
        }
        return lines;
    }

    private List<String> narrate(int step) {
        return step(step, true);
    }

    /**
     * Step {@code step} changes what the telling knows (names, live and binned chunks, lists, variables)
     * exactly as {@link #narrate} does, without the lines: no snapshots of the pages before and after
     * the call, no heap walk; memory is read only for the size word of a chunk handed out.
     */
    private void follow(int step) {
        step(step, false);
    }

    /** Step {@code step}: what it changes in the known state, and when {@code tell}, its lines. */
    private List<String> step(int step, boolean tell) {
        List<String> lines = new ArrayList<>();
        int call = timeline.callOfStep(step);
        int end = timeline.endOfStep(step);
        Event c = timeline.event(call);
        use(timeline.pidOf(call));
        List<Event> inside = new ArrayList<>();
        long returned = 0;
        boolean hasReturn = false;
        for (int i = call + 1; i < end; i++) {
            if (timeline.depth(i) != 0) {
                inside.add(timeline.event(i));
            } else if (timeline.kind(i) == EventKind.RETURN) {
                Event r = timeline.event(i);
                if (r.hasRet()) {
                    returned = r.ret();
                    hasReturn = true;
                }
                break;
            }
        }
        List<String> doubled = new ArrayList<>();
        for (Event e : inside) {
            switch (e.kind()) {
                case MMAP_CHUNK -> {
                    mmappedChunks.add(e.chunk());
                    touch(current.touchedMmapped, e.chunk());
                }
                case TCACHE_PUT, BIN_INSERT -> {
                    inBins.merge(e.chunk(), 1, Integer::sum);
                    touch(current.touchedBins, e.chunk());
                    if (e.kind() == EventKind.BIN_INSERT) {
                        // a chunk leaving a tcache unrecorded (a thread's tcache given back at its exit)
                        inList.removeChunk(e.chunk(), true);
                    }
                    if (inList.add(listKey(call, e), e.chunk()) == 2 && tell) {
                        doubled.add(doubleFree(e));
                    }
                }
                case TCACHE_GET, BIN_REMOVE -> {
                    inBins.computeIfPresent(e.chunk(), (k, n) -> n > 1 ? n - 1 : null);
                    touch(current.touchedBins, e.chunk());
                    inList.take(listKey(call, e), e.chunk());
                }
                case COALESCE -> {
                    inBins.remove(e.chunk());
                    inBins.remove(e.other());
                    touch(current.touchedBins, e.chunk());
                    touch(current.touchedBins, e.other());
                    inList.removeChunk(e.chunk(), false);
                    inList.removeChunk(e.other(), false);
                }
                default -> {
                }
            }
        }
        CProcess p = null;
        if (tell) {
            p = stateBefore(call, timeline.pidOf(call));
            Map<Long, byte[]> before = snapshot(p.memory());
            long forged = c.fnName().equals("free") && c.args().length > 0 ? foreignArena(p, c.args()[0] - 16, lines) : 0;
            p = stateBefore(call + 1, timeline.pidOf(call));
            if (!WRITES_THE_CALLERS_MEMORY.contains(c.fnName())) {
                allocatorWrites(p, before, c, inside, lines);
            }
            if (forged != 0) {
                intoForgedArena(p, forged, inside, lines);
            }
            lines.addAll(doubled);
        }
        long mem = hasReturn && handsOut(c.fnName()) ? returned : 0;
        if (c.fnName().equals("posix_memalign") && returned == 0) {
            p = p != null ? p : stateBefore(call + 1, timeline.pidOf(call));
            mem = p.memory().read64(c.args()[0]);
        }
        long freed = c.fnName().equals("free") || (c.fnName().equals("realloc") && mem != c.args()[0])
                ? c.args()[0] : 0;
        if (freed != 0) {
            live.remove(freed - 16);
            touch(current.touchedLive, freed - 16);
            String key = timeline.pidOf(call) + ":" + (freed - 16);
            handedOut.remove(key);
            touch(touchedHandedOut, key);
        }
        if (mem != 0) {
            // the same process handed the chunk out before and has not freed it (a fork's child has its own heap)
            String key = timeline.pidOf(call) + ":" + (mem - 16);
            Integer earlier = handedOut.put(key, step);
            touch(touchedHandedOut, key);
            if (earlier != null && tell) {
                lines.add(c.fnName() + " returned " + Hex.of(mem) + " again: call #" + earlier
                        + " handed it out and it was not freed since, so two live pointers now share one chunk");
            }
        }
        if (mem != 0) {
            createdBy.put(mem - 16, step);
            touch(current.touchedNames, mem - 16);
            String site = c.site();
            int arrow = site == null ? -1 : site.indexOf(" → ");
            if (arrow >= 0) {
                variable.put(mem - 16, site.substring(arrow + 3));
                touch(current.touchedVariables, mem - 16);
            } else if (variable.remove(mem - 16) != null) {
                touch(current.touchedVariables, mem - 16);
            }
            p = p != null ? p : stateBefore(call + 1, timeline.pidOf(call));
            live.put(mem - 16, p.memory().read64(mem - 8) & ~7L);
            touch(current.touchedLive, mem - 16);
            if (tell) {
                handedOutside(p, c.fnName(), mem, inside, lines);
            }
        }
        if (c.fnName().equals("fork") && hasReturn && returned > 0 && returned <= Integer.MAX_VALUE) {
            // the child inherits the heap as it is at the fork: the names of its chunks, which are live and free
            known.put((int) returned, known.get(timeline.pidOf(call)).copy());
        }
        if (!tell) {
            return lines;
        }
        prevInuseCleared.clear();
        for (int i = call + 1; i < end && writes != Writes.none; i++) {
            if (timeline.depth(i) == 0 && timeline.kind(i) == EventKind.WRITE) {
                clearsPrevInuse(timeline.event(i));
            }
        }
        for (int i = call + 1; i < end; i++) {
            if (timeline.depth(i) == 0 && timeline.kind(i) == EventKind.WRITE && writes != Writes.none) {
                programWrite(i, lines);
            }
        }
        return lines;
    }

    /** Tells what follows from process {@code pid}'s own known state (a new process's is empty). */
    private void use(int pid) {
        Known k = known.computeIfAbsent(pid, x -> new Known());
        current = k;
        createdBy = k.createdBy;
        variable = k.variable;
        live = k.live;
        mmappedChunks = k.mmappedChunks;
        inBins = k.inBins;
    }

    /** Notes the chunks whose size word's low byte {@code w} writes with PREV_INUSE clear. */
    private void clearsPrevInuse(Event w) {
        long a = w.address();
        long len = Math.min(w.length(), 1 << 16);
        byte[] b = w.isFill() ? null : w.bytes();
        for (long at = ((a + 7) & ~15L) + 8; Long.compareUnsigned(at - a, len) < 0; at += 16) {
            int v = b == null ? w.fillValue() : b[(int) (at - a)];
            if ((v & 1) == 0) {
                prevInuseCleared.add(at - 8);
            }
        }
    }

    private static boolean handsOut(String fn) {
        return switch (fn) {
            case "malloc", "calloc", "realloc", "reallocarray", "memalign", "aligned_alloc", "valloc", "pvalloc" -> true;
            default -> false;
        };
    }

    // ---------------------------------------------------------------- the allocator outside the heap

    /** The watched pages' contents (null: a page without data of its own, reading as zeros). */
    private Map<Long, byte[]> snapshot(AddressSpace as) {
        Map<Long, byte[]> pages = new HashMap<>();
        for (Region r : as.regions()) {
            if (!watched(r)) {
                continue;
            }
            for (long a = r.start(); Long.compareUnsigned(a, r.end()) < 0; a += PAGE) {
                if (as.holdsData(a)) {
                    byte[] b = new byte[(int) PAGE];
                    as.readBytes(a, b, 0, b.length);
                    pages.put(a, b);
                }
            }
        }
        return pages;
    }

    private boolean watched(Region r) {
        return r.writable() && !r.shared() && !r.name().equals("[heap]") && r.size() <= WATCH_LIMIT
                && !mmappedChunks.contains(r.start());
    }

    /**
     * Calls whose writes outside the heap are their job, not the allocator's: the {@code pthread_t} and
     * the stack attribute of pthread_create, a join's {@code retval}, waitpid's status.
     */
    private static final java.util.Set<String> WRITES_THE_CALLERS_MEMORY = java.util.Set.of("pthread_create",
            "pthread_join", "pthread_detach", "fork", "waitpid");

    private void allocatorWrites(CProcess p, Map<Long, byte[]> before, Event call, List<Event> inside,
                                 List<String> lines) {
        AddressSpace as = p.memory();
        HeapView view = null;
        byte[] now = new byte[(int) PAGE];
        java.util.Set<Long> arenaHeaps = null; // found at the first anonymous mapping (a heap is one)
        for (Region r : as.regions()) {
            if (!watched(r)) {
                continue;
            }
            if (r.name().isEmpty() && arenaHeaps == null) {
                arenaHeaps = new java.util.HashSet<>();
                for (HeapView.Arena a : p.malloc().view().arenas()) {
                    for (HeapView.HeapInfo h : a.heaps()) {
                        arenaHeaps.add(h.address());
                    }
                }
            }
            if (r.name().isEmpty() && arenaHeaps.contains(r.start())) {
                continue; // a non-main arena's heap is heap memory: its arena and chunks are malloc's own
            }
            for (long a = r.start(); Long.compareUnsigned(a, r.end()) < 0; a += PAGE) {
                byte[] old = before.get(a);
                if (old == null && !as.holdsData(a)) {
                    continue;
                }
                as.readBytes(a, now, 0, now.length);
                if (old != null && java.util.Arrays.equals(old, now)) {
                    continue;
                }
                for (int w = 0; w < PAGE; w += 8) {
                    long was = old == null ? 0 : word(old, w);
                    long is = word(now, w);
                    if (was == is) {
                        continue;
                    }
                    long at = a + w;
                    if (view == null) {
                        view = HeapView.of(p.malloc());
                    }
                    if (view.globalName(at).isPresent() || view.globalName(at + 4).isPresent()) {
                        continue; // malloc's own globals: main_arena, mp_, the tcache pointer …
                    }
                    lines.add(writer(call, inside, at, is) + " wrote " + Hex.of(is) + " to " + Hex.of(at) + " ("
                            + place(r) + ", not heap memory)");
                    String passed = uncheckedWrite(inside, is);
                    if (passed != null) {
                        lines.add("  " + passed);
                    }
                }
            }
        }
    }

    /** Which step of the call wrote {@code value} to {@code at}: the transition about that chunk, else the call. */
    private static String writer(Event call, List<Event> inside, long at, long value) {
        // the last transition about the written value's chunk (a sort is a removal, then the insert that writes)
        for (int i = inside.size() - 1; i >= 0; i--) {
            Event e = inside.get(i);
            if (isTransition(e) && (e.chunk() == value || e.chunk() + 16 == value)) {
                return transitionName(e);
            }
        }
        for (int i = inside.size() - 1; i >= 0; i--) {
            Event e = inside.get(i);
            if (isTransition(e) && Long.compareUnsigned(at - e.chunk(), 0x30) < 0) {
                return transitionName(e);
            }
        }
        for (Event e : inside) {
            if (e.kind() == EventKind.BIN_REMOVE && e.reasonCode() == Transitions.COALESCE) {
                return "unlink_chunk (" + Hex.of(e.chunk()) + (e.binKind() == BinKind.NONE ? ", in no bin"
                        : " off " + binName(e) + "s") + ", to merge it)";
            }
        }
        return call.fnName();
    }

    private static boolean isTransition(Event e) {
        return switch (e.kind()) {
            case TCACHE_PUT, TCACHE_GET, BIN_INSERT, BIN_REMOVE, SPLIT, COALESCE -> true;
            default -> false;
        };
    }

    private static String transitionName(Event e) {
        return switch (e.kind()) {
            case TCACHE_PUT -> "tcache_put";
            case TCACHE_GET -> "tcache_get";
            case BIN_INSERT -> binName(e) + " insert";
            case BIN_REMOVE -> e.binKind() == BinKind.NONE ? "unlink_chunk" : binName(e) + " removal";
            case SPLIT -> "split";
            case COALESCE -> "coalescing";
            default -> e.kind().wireName();
        };
    }

    private static String binName(Event e) {
        return e.bin().equals("unsorted") ? "unsortedbin" : e.bin();
    }

    /** The check that could have refused an out-of-heap write but did not look, when cheap to name. */
    private String uncheckedWrite(List<Event> inside, long value) {
        for (Event e : inside) {
            if (e.kind() == EventKind.BIN_REMOVE && e.reasonCode() == Transitions.COALESCE) {
                return "unlink_chunk's check passed: " + Hex.of(e.chunk()) + "'s fd->bk and bk->fd both point back at it";
            }
            if (e.kind() == EventKind.BIN_INSERT && e.bin().equals("largebin") && e.chunk() == value) {
                return largebinSmallestChecked
                        ? "the chunk went in as the bin's smallest; this glibc checks bk_nextsize there, yet the write happened"
                        : "no check stopped it: the chunk went in as the bin's smallest, a path whose "
                        + "bk_nextsize->fd_nextsize store this glibc does not check (2.42 adds the check)";
            }
        }
        return null;
    }

    /** A chunk handed out outside the heap and the allocator's mappings: the end of a poisoned list. */
    private void handedOutside(CProcess p, String fn, long mem, List<Event> inside, List<String> lines) {
        long chunk = mem - 16;
        Region r = p.memory().regionAt(chunk);
        if (r != null && (r.name().equals("[heap]") || mmappedChunks.contains(r.start()))) {
            return;
        }
        if (r != null && r.name().isEmpty() && (!watched(r) || p.malloc().view().arenas().stream()
                .anyMatch(a -> a.heaps().stream().anyMatch(h -> h.address() == r.start())))) {
            return; // a non-main arena's heap
        }
        lines.add(fn + " returned " + Hex.of(mem) + ": " + (r == null ? "an unmapped address" : article(place(r))
                + " address"));
        for (Event e : inside) {
            if (e.kind() == EventKind.TCACHE_GET && e.chunk() == chunk) {
                lines.add("  " + (safeLinking
                        ? "the safe-linking check passed: " + Hex.of(mem) + " is 16-aligned"
                        : "tcache_get checked nothing: this glibc has no safe-linking alignment check (2.32 adds it)"));
            } else if (e.kind() == EventKind.BIN_REMOVE && e.bin().equals("fastbin") && e.chunk() == chunk) {
                long size = p.memory().read64(chunk + 8);
                lines.add("  the fastbin size check passed: the size word at " + Hex.of(chunk + 8) + " ("
                        + Hex.of(size) + ") belongs to this fastbin"
                        + (safeLinking ? "; the safe-linking check passed: " + Hex.of(mem) + " is 16-aligned" : ""));
            }
        }
    }

    /** Which list {@code e} puts a chunk in or takes it from, in the process (and for a tcache, the thread) of the call. */
    private String listKey(int call, Event e) {
        boolean tcache = e.kind() == EventKind.TCACHE_PUT || e.kind() == EventKind.TCACHE_GET;
        String list = tcache ? "tcache" + e.index() + "@" + timeline.threadOf(call) : e.bin() + e.index();
        return timeline.pidOf(call) + ":" + list + ":" + e.chunk();
    }

    /** A chunk put into a bin it is already in: the double free, and the check that let it through. */
    private String doubleFree(Event e) {
        boolean tcache = e.kind() == EventKind.TCACHE_PUT;
        String bin = tcache ? BinLabels.ofEvent(BinType.TCACHE, e.index(), e.size()) : Story.bin(e);
        Integer by = createdBy.get(e.chunk());
        String why = tcache ? "the tcache's double-free check passed: the chunk's key word was not the tcache's"
                : e.bin().equals("fastbin") ? "the fasttop check passed: it compares the chunk only with the one at "
                + "the bin's head"
                : "no check compared it with the chunks already in the bin";
        return Hex.of(e.chunk()) + (by == null ? "" : " (#" + by + ")") + " went into " + bin
                + " while still in it: a double free, the chunk is in the list twice; " + why;
    }

    /**
     * A freed chunk whose NON_MAIN_ARENA bit is set goes to the arena its heap's {@code heap_info} names
     * (arena.c's {@code heap_for_ptr(p)->ar_ptr}): said when that is not {@code main_arena} and lies in a
     * chunk's user data (house of mind), with where the heap_info was read.
     */
    private long foreignArena(CProcess p, long chunk, List<String> lines) {
        long size;
        try {
            size = p.memory().read64(chunk + 8);
        } catch (RuntimeException e) {
            return 0;
        }
        if ((size & 4) == 0) {
            return 0;
        }
        Region r = p.memory().regionAt(chunk);
        if (r == null || !r.name().equals("[heap]")) {
            return 0; // a real non-main heap: its heap_info is malloc's own
        }
        long heapInfo = chunk & -HEAP_MAX_SIZE;
        long arena;
        try {
            arena = p.memory().read64(heapInfo);
        } catch (RuntimeException e) {
            lines.add("free: " + Hex.of(chunk) + " has NON_MAIN_ARENA set, so free reads its arena from heap_info at "
                    + Hex.of(heapInfo) + ", which is not mapped");
            return 0;
        }
        Map.Entry<Long, Long> in = live.floorEntry(arena);
        String where = in != null && Long.compareUnsigned(arena - in.getKey(), in.getValue()) < 0
                ? "inside " + chunkName(in.getKey()) + " user data, an arena the program forged"
                : "not an arena malloc made";
        lines.add("free: " + Hex.of(chunk) + " has NON_MAIN_ARENA set in the main heap, so free took its arena from "
                + "the heap_info at " + Hex.of(heapInfo) + " (the chunk's address rounded down to 64 MiB): ar_ptr "
                + Hex.of(arena) + ", " + where);
        return arena;
    }

    /**
     * The fastbin insert into a forged arena: malloc_state's {@code fastbinsY} (after its mutex, flags and
     * have_fastchunks, 16 bytes in) now holds the chunk, a heap address written where the program chose.
     */
    private void intoForgedArena(CProcess p, long arena, List<Event> inside, List<String> lines) {
        for (Event e : inside) {
            if (e.kind() == EventKind.BIN_INSERT && e.bin().equals("fastbin")) {
                int index = (int) (e.size() >> 4) - 2;
                long slot = arena + 16 + 8L * index;
                try {
                    if (p.memory().read64(slot) == e.chunk()) {
                        lines.add("fastbin insert wrote " + Hex.of(e.chunk()) + " to " + Hex.of(slot)
                                + " (the forged arena's fastbinsY[" + index + "]), where the program chose");
                    }
                } catch (RuntimeException unmapped) {
                    // nothing was written there
                }
            }
        }
    }

    /** arena.c's HEAP_MAX_SIZE on x86-64: 2 × DEFAULT_MMAP_THRESHOLD_MAX. */
    private static final long HEAP_MAX_SIZE = 64L << 20;

    private static String article(String place) {
        return place.startsWith("the ") || place.startsWith("an ") || place.startsWith("a ") ? place
                : ("aeiou".indexOf(place.charAt(0)) >= 0 ? "an " : "a ") + place;
    }

    /** What a mapping is, in a few words: {@code stack}, {@code libc's data}, {@code the program's data}. */
    static String place(Region r) {
        String n = r.name();
        if (n.equals("[stack]")) {
            return "stack";
        }
        if (n.isEmpty()) {
            return "anonymous mapping";
        }
        if (n.contains("libc.so")) {
            return "libc's data";
        }
        if (n.contains("ld-linux")) {
            return "ld.so's data";
        }
        if (n.startsWith("[")) {
            return n;
        }
        return "the program's data";
    }

    /**
     * Process {@code pid} just before event {@code event}: the replay's {@code stateBefore} gives the
     * program's process, and a forked child's call or write is told from the child's own memory.
     */
    private CProcess stateBefore(int event, int pid) {
        CProcess root;
        try {
            root = replay.stateBefore(event);
        } catch (IllegalArgumentException e) { // a header naming a glibc or tunables this build cannot make
            throw UserError.data("cannot rebuild the recorded process: " + e.getMessage());
        }
        if (root.pid() == pid) {
            return root;
        }
        for (CProcess p : root.processes()) {
            if (p.pid() == pid) {
                return p;
            }
        }
        if (event < timeline.size()) {
            replay.stateBefore(event + 1); // the call at event is the one the replay could not make: its reason
        }
        throw new IllegalStateException("event " + event + ": no process " + pid + " in the rebuilt run");
    }

    // ---------------------------------------------------------------- the program's writes

    private void programWrite(int i, List<String> lines) {
        Event w = timeline.event(i);
        long a = w.address();
        long len = w.length();
        if (len <= 0) {
            return;
        }
        use(timeline.pidOf(i));
        CProcess p = stateBefore(i, timeline.pidOf(i));
        Map.Entry<Long, Long> c = live.floorEntry(a);
        boolean userData = c != null && !inBins.containsKey(c.getKey()) && Long.compareUnsigned(a, c.getKey() + 16) >= 0
                && Long.compareUnsigned(a + len, c.getKey() + c.getValue()
                + (prevInuseCleared.contains(c.getKey() + c.getValue()) ? 0 : 8)) <= 0;
        List<Field> fields = new ArrayList<>();
        HeapView view = null;
        if (!userData) {
            view = HeapView.of(p.malloc());
            fields = fields(view, p.memory(), a, len);
        }
        CProcess after = stateBefore(i + 1, timeline.pidOf(i));
        // where the program made the write, as a call line ends with its call's (format 5 on)
        String site = w.site().isEmpty() ? "" : "   " + w.site();
        if (fields.isEmpty()) {
            if (writes == Writes.all) {
                lines.add("program wrote " + len + " byte" + (len == 1 ? "" : "s") + " to " + Hex.of(a) + " ("
                        + where(after, a) + ")" + site);
            }
            return;
        }
        for (Field f : fields) {
            long value = after.memory().read64(f.at);
            StringBuilder s = new StringBuilder("program wrote ").append(Hex.of(value)).append(" into ")
                    .append(f.name).append(" (").append(Hex.of(f.at)).append(")");
            if (f.bytes < 8) {
                s.append(", ").append(f.bytes).append(f.bytes == 1 ? " byte" : " bytes").append(" of it");
            }
            String meaning = f.meaning(value, view);
            if (!meaning.isEmpty()) {
                s.append(": ").append(meaning);
            }
            lines.add(s.append(site).toString());
        }
    }

    /** Where a write of user data went: {@code #3's user data +0x8}, {@code stack}. */
    private String where(CProcess p, long a) {
        Map.Entry<Long, Long> c = live.floorEntry(a);
        if (c != null && Long.compareUnsigned(a, c.getKey() + c.getValue() + 8) < 0) {
            return chunkName(c.getKey()) + " user data +" + Hex.of(a - c.getKey() - 16);
        }
        Region r = p.memory().regionAt(a);
        return r == null ? "unmapped" : r.name().equals("[heap]") ? "heap" : place(r);
    }

    private String chunkName(long chunk) {
        Integer by = createdBy.get(chunk);
        String name = variable.get(chunk);
        return by == null ? "chunk " + Hex.of(chunk) + "'s" : name == null ? "#" + by + "'s" : "#" + by + " (" + name + ")'s";
    }

    /** One metadata word a write touched. */
    private record Field(long at, int bytes, String name, Kind kind, long was) {
        enum Kind { PREV_SIZE, SIZE, LINK, TCACHE_NEXT, TCACHE_KEY, PLAIN }

        String meaning(long value, HeapView view) {
            return switch (kind) {
                case SIZE -> sizeWord(value) + (was != value ? " (was " + Hex.of(was) + ")" : "");
                case TCACHE_NEXT -> {
                    long target = view.revealPointer(at, value);
                    yield target == value ? "" : "decodes to " + Hex.of(target)
                            + (was != value ? " (was " + Hex.of(was == 0 ? 0 : view.revealPointer(at, was)) + ")" : "");
                }
                case TCACHE_KEY -> value != was ? "the key tcache's double-free check looks for (" + Hex.of(was)
                        + ") is overwritten" : "";
                default -> was != value ? "was " + Hex.of(was) : "";
            };
        }
    }

    /** {@code 0x420 | PREV_INUSE}: a size word's size and the flag bits spelled out. */
    static String sizeWord(long v) {
        StringBuilder s = new StringBuilder("size ").append(Hex.of(v & ~7L));
        if ((v & 1) != 0) {
            s.append(" | PREV_INUSE");
        }
        if ((v & 2) != 0) {
            s.append(" | IS_MMAPPED");
        }
        if ((v & 4) != 0) {
            s.append(" | NON_MAIN_ARENA");
        }
        if ((v & 7) == 0) {
            s.append(", no flag bits (PREV_INUSE clear: the chunk before counts as free)");
        }
        return s.toString();
    }

    /** The metadata words among the {@code len} bytes at {@code a}, named; empty for user data and other memory. */
    private List<Field> fields(HeapView view, AddressSpace mem, long a, long len) {
        List<Field> out = new ArrayList<>();
        long first = a & ~7L;
        long last = (a + len - 1) & ~7L;
        if (Long.compareUnsigned(last - first, 4096) > 0) {
            last = first + 4096; // a big memset: its first page of words is enough to name what it hit
        }
        List<HeapView.Chunk> chunks = null;
        for (long word = first; Long.compareUnsigned(word, last) <= 0; word += 8) {
            int bytes = (int) (Math.min(a + len, word + 8) - Math.max(a, word));
            long was = mem.read64(word);
            Optional<String> global = view.globalName(word);
            if (global.isPresent()) {
                out.add(new Field(word, bytes, global.get(), Field.Kind.PLAIN, was));
                continue;
            }
            if (chunks == null) {
                chunks = new ArrayList<>(view.chunks());
                chunks.addAll(view.mmappedChunks());
                chunks.sort((x, y) -> Long.compareUnsigned(x.address(), y.address()));
            }
            HeapView.Chunk c = containing(chunks, word);
            if (c == null) {
                continue;
            }
            Field f = field(view, chunks, c, word, bytes, was);
            if (f != null) {
                out.add(f);
            }
        }
        return out;
    }

    private static HeapView.Chunk containing(List<HeapView.Chunk> chunks, long word) {
        int lo = 0;
        int hi = chunks.size() - 1;
        HeapView.Chunk found = null;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(chunks.get(mid).address(), word) <= 0) {
                found = chunks.get(mid);
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found == null || Long.compareUnsigned(word - found.address(), Math.max(found.size(), 16)) >= 0) {
            return null;
        }
        return found;
    }

    /**
     * A chunk's field as the narration names it: {@code p1->bk_nextsize} when a C program's variable
     * holds the chunk's pointer, else {@code #1's bk_nextsize}; a tcache entry's {@code next} and
     * {@code key} say {@code (tcache)} after the variable's ({@code b->next (tcache)}).
     */
    private String fieldName(long chunk, String field) {
        String name = variable.get(chunk);
        if (name == null || createdBy.get(chunk) == null) {
            return chunkName(chunk) + " " + field;
        }
        return field.startsWith("tcache ") ? name + "->" + field.substring(7) + " (tcache)" : name + "->" + field;
    }

    private Field field(HeapView view, List<HeapView.Chunk> chunks, HeapView.Chunk c, long word, int bytes, long was) {
        long off = word - c.address();
        long who = c.address();
        if (view.tcache() != 0 && c.mem() == view.tcache() && off >= 16) {
            return tcacheStruct(c, off - 16, word, bytes, was);
        }
        if (off == 0) {
            // prev_size means something only when the chunk before is free
            return c.prevInuse() && !prevInuseCleared.contains(c.address()) ? null
                    : new Field(word, bytes, fieldName(who, "prev_size"), Field.Kind.PREV_SIZE, was);
        }
        if (off == 8) {
            return new Field(word, bytes, fieldName(who, "size"), Field.Kind.SIZE, was);
        }
        HeapView.State s = c.state();
        if (s == HeapView.State.IN_USE || s == HeapView.State.TOP) {
            return null;
        }
        if (s == HeapView.State.TCACHE) {
            return off == 16 ? new Field(word, bytes, fieldName(who, "tcache next"), Field.Kind.TCACHE_NEXT, was)
                    : off == 24 ? new Field(word, bytes, fieldName(who, "tcache key"), Field.Kind.TCACHE_KEY, was) : null;
        }
        if (off == 16) {
            // a fastbin's fd is safe-linked like the tcache's next
            return new Field(word, bytes, fieldName(who, "fd"), s == HeapView.State.FASTBIN ? Field.Kind.TCACHE_NEXT
                    : Field.Kind.LINK, was);
        }
        if (off == 24) {
            return new Field(word, bytes, fieldName(who, "bk"), Field.Kind.LINK, was);
        }
        if (s == HeapView.State.LARGEBIN && off == 32) {
            return new Field(word, bytes, fieldName(who, "fd_nextsize"), Field.Kind.LINK, was);
        }
        if (s == HeapView.State.LARGEBIN && off == 40) {
            return new Field(word, bytes, fieldName(who, "bk_nextsize"), Field.Kind.LINK, was);
        }
        return null;
    }

    /** counts[] and entries[] of the tcache_perthread_struct (u16 counts from 2.30, u8 before). */
    private static Field tcacheStruct(HeapView.Chunk c, long off, long word, int bytes, long was) {
        long body = c.size() - 16;
        int countWidth = body == 0x280 ? 2 : body == 0x240 ? 1 : 0;
        if (countWidth == 0) {
            return new Field(word, bytes, "tcache_perthread_struct+" + Hex.of(off), Field.Kind.PLAIN, was);
        }
        long countsEnd = 64L * countWidth;
        if (off < countsEnd) {
            int firstBin = (int) (off / countWidth);
            int lastBin = (int) ((off + 7) / countWidth);
            return new Field(word, bytes, "tcache counts[" + firstBin + ".." + lastBin + "] (chunks " + Hex.of(binSize(firstBin))
                    + ".." + Hex.of(binSize(lastBin)) + ")", Field.Kind.PLAIN, was);
        }
        int bin = (int) ((off - countsEnd) / 8);
        return new Field(word, bytes, "tcache entries[" + bin + "] (" + Hex.of(binSize(bin)) + " chunks)",
                Field.Kind.PLAIN, was);
    }

    private static long binSize(int tcacheIndex) {
        return 0x20L + 0x10L * tcacheIndex;
    }

    private static long word(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    /** Compares dotted versions numerically: {@code 2.9 < 2.31}. */
    static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int u = i < x.length ? parse(x[i]) : 0;
            int v = i < y.length ? parse(y[i]) : 0;
            if (u != v) {
                return Integer.compare(u, v);
            }
        }
        return 0;
    }

    private static int parse(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
