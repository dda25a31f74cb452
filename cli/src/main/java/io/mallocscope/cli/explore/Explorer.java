package io.mallocscope.cli.explore;

import io.mallocscope.cli.Addresses;
import io.mallocscope.cli.explain.ChunkLife;
import io.mallocscope.cli.explain.Narrator;
import io.mallocscope.cli.explain.Telling;
import io.mallocscope.cli.model.Bin;
import io.mallocscope.cli.model.BinLabels;
import io.mallocscope.cli.model.BinType;
import io.mallocscope.cli.model.Chunk;
import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.model.Op;
import io.mallocscope.cli.model.States;
import io.mallocscope.cli.model.Story;
import io.mallocscope.cli.render.BinsTextRenderer;
import io.mallocscope.cli.render.Style;
import io.mallocscope.cli.render.VisRenderer;
import io.mallocscope.cli.source.StateSource;
import io.mallocscope.runtime.text.Hex;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code mallocscope explore} shows and where it is, without a terminal: the current step, its call
 * and narration (the lines {@code timeline} prints), the heap walk, the bins and the hexdump of the
 * process rebuilt at that step; a chunk followed through the steps that touched it; and the searches
 * back and forward to the step where a bin, a chunk or a word of memory changed. {@link Screen} lays it
 * out, {@link ExploreUi} reads keys.
 */
public final class Explorer {
    /** The panes that scroll, in the order Tab visits them. */
    enum Pane { heap, bins, vis }

    private final StateSource source;
    private final List<Op> ops;
    /** the timeline's file (its story side file starts a far jump's telling), or null */
    private final java.nio.file.Path file;
    /** the story telling the steps, and the next step it tells (a story is told in order) */
    private Telling telling;
    private int nextToTell = 1;
    /** the narration told so far, by step */
    private final Map<Integer, List<String>> told = new HashMap<>();
    /** the program's writes before its first call, told as step 0 */
    private final List<String> beforeFirstCall;
    private int step;
    private HeapSnapshot state;
    private Chunks chunks;
    private String message = "";
    private long followed = -1;
    private List<Integer> followedSteps = List.of();
    private Watch watch;
    /** where the last search stopped, and what it watched */
    private int landed = -1;
    private Watch landedOn;
    private Pane focus = Pane.heap;
    private final Map<Pane, Integer> scroll = new HashMap<>();

    /** An explorer of {@code source} at {@code step}. */
    public Explorer(StateSource source, int step) {
        this(source, step, null);
    }

    /**
     * An explorer of {@code source}, read from {@code file} (null: not a file), at {@code step}: a jump
     * far ahead or back starts telling from the state its story side file saved last before the step.
     */
    public Explorer(StateSource source, int step, java.nio.file.Path file) {
        this.source = source;
        this.ops = source.ops();
        this.file = file;
        this.telling = Telling.from(source, null, Narrator.Writes.metadata, 1, line -> { });
        java.util.function.IntFunction<List<String>> narrator = telling.narration();
        this.beforeFirstCall = narrator == null ? List.of() : List.copyOf(narrator.apply(0));
        go(step);
    }

    // ---------------------------------------------------------------- what is shown

    public int step() {
        return step;
    }

    public int steps() {
        return source.steps();
    }

    public String name() {
        return source.name();
    }

    /** The one-line message of the last action (empty when none). */
    public String message() {
        return message;
    }

    Pane focus() {
        return focus;
    }

    int scroll(Pane p) {
        return scroll.getOrDefault(p, 0);
    }

    /** The current call as {@code timeline} heads it, {@code #8 malloc(0x438) = 0x…   File.java:52}; step 0 says so. */
    public String heading() {
        if (step == 0) {
            return "#0 before the first call";
        }
        Op op = ops.get(step - 1);
        return "#" + step + " " + (op.who() == null ? "" : "[" + op.who() + "] ") + Story.callText(op)
                + (op.site() == null ? "" : "   " + op.site());
    }

    /** What {@code timeline} prints under the current call. */
    public List<String> narration() {
        if (step == 0) {
            return beforeFirstCall;
        }
        List<String> lines = told.get(step);
        if (lines != null) {
            return lines;
        }
        if (step < nextToTell || step - nextToTell > io.mallocscope.runtime.timeline.Checkpoints.DEFAULT_EVERY) {
            // back before the story, or far ahead: from the state saved last before the step (else from step 1)
            Telling t = Telling.from(source, file, Narrator.Writes.metadata, step, line -> message = line);
            if (step < nextToTell || t.after() + 1 > nextToTell) {
                telling = t;
                nextToTell = t.after() + 1;
            }
        }
        while (nextToTell < step) {
            telling.story().skip(ops.get(nextToTell++ - 1)); // followed, not told: the same lines after
        }
        lines = List.copyOf(telling.story().tell(ops.get(step - 1)));
        nextToTell = step + 1;
        told.put(step, lines);
        return lines;
    }

    /** The followed chunk's address, or -1. */
    public long followed() {
        return followed;
    }

    /** The steps that touched the followed chunk. */
    public List<Integer> followedSteps() {
        return followedSteps;
    }

    /** The heap walk, one line per chunk: address, size and flags, who handed it out, its list, its links. */
    public List<String> heapLines() {
        List<String> out = new ArrayList<>();
        HeapSnapshot s = state;
        if (s.heapStart() == 0 && s.chunks().isEmpty()) {
            out.add("no heap yet");
            return out;
        }
        for (Chunk c : s.chunks()) {
            out.add(heapLine(c, s));
        }
        for (Chunk c : s.mmapped()) {
            out.add(heapLine(c, s));
        }
        if (s.corrupt()) {
            out.add("(the walk stops here: the next chunk header is impossible)");
        }
        return out;
    }

    private String heapLine(Chunk c, HeapSnapshot s) {
        StringBuilder b = new StringBuilder();
        b.append(c.address() == followed || c.mem() == followed ? "▶" : " ");
        b.append(Hex.of(c.address())).append(' ').append(pad(Hex.of(c.size()), 8));
        b.append(c.prevInuse() ? "P" : "-").append(c.isMmapped() ? "M" : "-").append(c.nonMainArena() ? "N" : "-");
        Integer by = chunks.createdBy.get(c.address());
        b.append(' ').append(pad(by == null ? "" : "#" + by, 4));
        String where = switch (c.state()) {
            case IN_USE -> c.isMmapped() ? "mmapped" : "in use";
            case TOP -> "top";
            default -> chunks.binOf.getOrDefault(c.address(), States.binWord(c.state()));
        };
        b.append(' ').append(where);
        if (States.isFree(c.state())) {
            b.append("  fd ").append(Hex.of(c.fdDecoded()));
            if (c.bk() != 0 || c.state() != io.mallocscope.runtime.malloc.HeapView.State.TCACHE) {
                b.append(" bk ").append(Hex.of(c.bk()));
            }
            if (c.fdNextsize() != 0 || c.bkNextsize() != 0) {
                b.append(" fd_nextsize ").append(Hex.of(c.fdNextsize())).append(" bk_nextsize ")
                        .append(Hex.of(c.bkNextsize()));
            }
        }
        return b.toString();
    }

    /** pwndbg's {@code bins}, as {@code mallocscope bins --at N} prints it. */
    public List<String> binLines() {
        return lines(w -> new BinsTextRenderer().render(state, w, Style.PLAIN));
    }

    /** pwndbg's {@code vis_heap_chunks}, as {@code mallocscope vis --at N} prints it (tabs as spaces). */
    public List<String> visLines() {
        if (state.heapStart() == 0 && state.chunks().isEmpty()) {
            return List.of("no heap yet");
        }
        List<String> out = new ArrayList<>();
        for (String l : lines(w -> new VisRenderer(0).render(state, w, Style.PLAIN))) {
            out.add(l.replace("\t", "  "));
        }
        return out;
    }

    /** The row of the vis pane where the followed chunk starts, or -1. */
    int visRowOfFollowed(List<String> vis) {
        if (followed < 0) {
            return -1;
        }
        String a = Hex.of(followed);
        String b = Hex.of(followed - 16);
        for (int i = 0; i < vis.size(); i++) {
            if (vis.get(i).startsWith(a + " ") || vis.get(i).startsWith(b + " ")) {
                return i;
            }
        }
        return -1;
    }

    private static List<String> lines(java.util.function.Consumer<PrintWriter> render) {
        StringWriter sw = new StringWriter();
        PrintWriter w = new PrintWriter(sw);
        render.accept(w);
        w.flush();
        List<String> out = new ArrayList<>(List.of(sw.toString().split("\n", -1)));
        if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    // ---------------------------------------------------------------- moving

    /** Shows step {@code n} (clamped to the source's steps). */
    public void go(int n) {
        int to = Math.max(0, Math.min(source.steps(), n));
        show(to, source.at(to));
    }

    /** Shows step {@code n}, whose state {@code at} is. */
    private void show(int n, HeapSnapshot at) {
        step = n;
        state = at;
        chunks = new Chunks(state, ops, n);
        scroll.clear();
    }

    public void next() {
        message = step == source.steps() ? "at the last step (" + step + ")" : "";
        go(step + 1);
    }

    public void previous() {
        message = step == 0 ? "at step 0, before the first call" : "";
        go(step - 1);
    }

    /** Jumps to the step the user typed; a bad number is a message, and nothing moves. */
    public void jump(String typed) {
        String t = typed.trim();
        try {
            int n = Integer.parseInt(t.startsWith("#") ? t.substring(1) : t);
            if (n < 0 || n > source.steps()) {
                message = "no step " + n + ": " + source.name() + " has steps 0.." + source.steps();
                return;
            }
            message = "";
            go(n);
        } catch (NumberFormatException e) {
            message = "not a step number: '" + t + "' (0.." + source.steps() + ")";
        }
    }

    /** Follows the chunk at {@code typed} (its address or the pointer a call handed out): every step that touched it. */
    public void follow(String typed) {
        Long a = parseAddress(typed);
        if (a == null) {
            message = Addresses.notOne(typed.trim()) + " (e.g. 0x5555555592a0)";
            return;
        }
        long chunk = ChunkLife.chunkOf(ops, a);
        List<Integer> touched = new ArrayList<>();
        for (ChunkLife.Step s : new ChunkLife(chunk).steps(ops, Narrator.of(source, Narrator.Writes.all))) {
            touched.add(s.number());
        }
        if (touched.isEmpty()) {
            message = "no call touched a chunk at " + Hex.of(a);
            return;
        }
        followed = chunk;
        followedSteps = List.copyOf(touched);
        message = "following " + Hex.of(chunk) + ": steps " + joined(touched) + "  (] next, [ previous)";
    }

    /** The next ({@code +1}) or previous ({@code -1}) step that touched the followed chunk. */
    public void nextTouch(int direction) {
        if (followed < 0) {
            message = "follow a chunk first (c)";
            return;
        }
        Integer to = null;
        for (int n : followedSteps) {
            if (direction > 0 && n > step && to == null) {
                to = n;
            } else if (direction < 0 && n < step) {
                to = n;
            }
        }
        if (to == null) {
            message = Hex.of(followed) + ": no step " + (direction > 0 ? "after " : "before ") + step + " touched it";
            return;
        }
        message = Hex.of(followed) + ": step " + to + " of " + joined(followedSteps);
        go(to);
    }

    /**
     * Runs back ({@code -1}: to the last step before this one that changed it) or forward ({@code +1}: to
     * the next step that changes it) to where {@code typed} changed: a bin by its name
     * ({@code tcachebins[0x90]}, {@code unsortedbin}), a chunk by its address (or the pointer handed out),
     * or the word at an address ({@code @0x7fffffffe3c0}, or any address that is not a chunk's). An empty
     * {@code typed} repeats the last search's target.
     */
    public void runTo(String typed, int direction) {
        Watch w;
        if (typed.isBlank()) {
            if (watch == null) {
                message = "name a bin (unsortedbin, tcachebins[0x90]), a chunk or @address to watch";
                return;
            }
            w = watch;
        } else {
            w = Watch.parse(typed.trim(), state, ops);
            if (w == null) {
                message = "not a bin, chunk or address: '" + typed.trim() + "'";
                return;
            }
            if (w instanceof BinWatch b && !binNames().contains(b.bin())) {
                message = "no such bin: '" + b.bin() + "' (" + namesOfKind(b.bin()) + ")";
                return;
            }
        }
        watch = w;
        // back: the last step up to this one whose call changed it, as reverse-continue stops at the last write;
        // when the last search landed here, the change before it (so r again goes on back)
        boolean again = landed == step && w.equals(landedOn);
        int from = direction < 0 ? 0 : step;
        int to = direction < 0 ? (again ? step - 1 : step) : source.steps();
        if (from >= to) {
            message = w.name() + ": no step " + (direction > 0 ? "after " : "before ") + step;
            return;
        }
        // one forward walk: each step's state read once, in order (an earlier step replays from the start)
        String previous = w.read(source.at(from));
        int found = -1;
        HeapSnapshot foundState = null; // kept when it is the walk's last step, not read again
        String was = null;
        String now = null;
        for (int n = from + 1; n <= to; n++) {
            HeapSnapshot at = source.at(n);
            String v = w.read(at);
            if (!Objects.equals(v, previous)) {
                found = n;
                foundState = at;
                was = previous;
                now = v;
                if (direction > 0) {
                    break;
                }
            }
            previous = v;
        }
        if (found < 0) {
            message = w.name() + " did not change " + (direction > 0 ? "after step " + step
                    : (to == step ? "up to step " : "before step ") + step);
            go(step);
            return;
        }
        message = w.name() + " changed in step " + found + ": " + change(was, now);
        // back, the walk went on past the change: the snapshot it kept copies only the brk heap, and the rest
        // (mmapped chunks, stack, globals) would be read from a process that has moved on, so rebuild that step
        show(found, found == to ? foundState : source.at(found));
        landed = found;
        landedOn = w;
    }

    /** Separates the parts of a watched value; a change names only the parts that differ. */
    static final String PARTS = "; ";

    /** {@code was → now}, or for values of several parts, each part that changed. */
    static String change(String was, String now) {
        String[] a = was.split(PARTS);
        String[] b = now.split(PARTS);
        if (a.length == 1 || a.length != b.length) {
            return was + " → " + now;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < a.length; i++) {
            if (!a[i].equals(b[i])) {
                int sp = a[i].indexOf(' ');
                String key = i > 0 && sp > 0 ? a[i].substring(0, sp + 1) : "";
                out.add(key.isEmpty() ? a[i] + " → " + b[i]
                        : key + a[i].substring(key.length()) + " → " + b[i].substring(Math.min(key.length(), b[i].length())));
            }
        }
        return String.join(", ", out);
    }

    // ---------------------------------------------------------------- panes

    /** Tab: the next pane takes the scroll keys. */
    void cycleFocus() {
        Pane[] all = Pane.values();
        focus = all[(focus.ordinal() + 1) % all.length];
    }

    /** Scrolls the focused pane by {@code rows} (not past its top). */
    void scrollFocused(int rows) {
        scroll.put(focus, Math.max(0, scroll(focus) + rows));
    }

    void say(String m) {
        message = m;
    }

    /** An address typed at the prompt, as the commands read one ({@link Addresses}), or {@code @ADDR}; null if none. */
    static Long parseAddress(String typed) {
        String t = typed.strip();
        java.util.OptionalLong a = Addresses.parse(t.startsWith("@") ? t.substring(1) : t);
        return a.isPresent() ? a.getAsLong() : null;
    }

    private static String joined(List<Integer> steps) {
        StringBuilder b = new StringBuilder();
        for (int n : steps) {
            b.append(b.length() == 0 ? "" : " ").append(n);
        }
        return b.toString();
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s + " " : s + " ".repeat(w - s.length());
    }

    /** Names the chunks of one state: which call handed each out, which bin each is in. */
    private static final class Chunks {
        final Map<Long, Integer> createdBy = new HashMap<>();
        final Map<Long, String> binOf = new HashMap<>();

        Chunks(HeapSnapshot s, List<Op> ops, int step) {
            for (int i = 0; i < step; i++) {
                Op op = ops.get(i);
                if (op.mem() != 0) {
                    createdBy.put(op.mem() - 16, op.number());
                }
            }
            for (Bin b : s.bins()) {
                for (long c : b.chunks()) {
                    binOf.putIfAbsent(c, BinLabels.name(b));
                }
            }
        }
    }

    /** The names of the bins this glibc has, in order (tcachebins[0x20] … largebins[…]), read off its geometry. */
    private List<String> binNames;

    private List<String> binNames() {
        if (binNames == null) {
            io.mallocscope.runtime.malloc.HeapView v = io.mallocscope.runtime.malloc.HeapView.of(
                    source.process(step).malloc());
            List<String> names = new ArrayList<>();
            for (int kind : new int[] {io.mallocscope.runtime.malloc.BinKind.TCACHE,
                    io.mallocscope.runtime.malloc.BinKind.FASTBIN, io.mallocscope.runtime.malloc.BinKind.UNSORTED,
                    io.mallocscope.runtime.malloc.BinKind.SMALLBIN, io.mallocscope.runtime.malloc.BinKind.LARGEBIN}) {
                for (int index = 0; index < 256; index++) {
                    try {
                        names.add(BinLabels.name(BinType.of(kind), index, v.binLowestSize(kind, index)));
                    } catch (IllegalArgumentException noSuchBin) {
                        // not a bin of this kind in this release
                    }
                }
            }
            binNames = List.copyOf(names);
        }
        return binNames;
    }

    /** "tcachebins[0x20] … tcachebins[0x410]": the first and last bins of {@code bin}'s kind, or that there are none. */
    private String namesOfKind(String bin) {
        String kind = bin.contains("[") ? bin.substring(0, bin.indexOf('[') + 1) : bin;
        List<String> same = binNames().stream().filter(n -> n.startsWith(kind)).toList();
        return same.isEmpty() ? "this glibc has no " + kind.replace("[", "")
                : same.get(0) + " … " + same.get(same.size() - 1);
    }

    /** What a search watches: a value read off each step's state, compared step to step. */
    interface Watch {
        String name();

        /** The watched thing's value in {@code s}, as the message shows it. */
        String read(HeapSnapshot s);

        /** A bin by name, a chunk of {@code now} by address or handed-out pointer, else the word at an address. */
        static Watch parse(String typed, HeapSnapshot now, List<Op> ops) {
            if (!typed.startsWith("0") && !typed.startsWith("@") && !typed.matches("[0-9a-fA-F]+")) {
                // pwndbg's bin names only: a typo would otherwise watch a bin that never exists
                return BIN_NAME.matcher(typed).matches() ? new BinWatch(typed) : null;
            }
            Long a = parseAddress(typed);
            if (a == null) {
                return null;
            }
            if (!typed.startsWith("@")) {
                for (Chunk c : now.chunks()) {
                    if (c.address() == a || c.mem() == a) {
                        return new ChunkWatch(c.address());
                    }
                }
                for (Chunk c : now.mmapped()) {
                    if (c.address() == a || c.mem() == a) {
                        return new ChunkWatch(c.address());
                    }
                }
                long chunk = ChunkLife.chunkOf(ops, a);
                if (chunk != a) {
                    return new ChunkWatch(chunk);
                }
            }
            return new WordWatch(a);
        }
    }

    /** The bin names the views print (BinLabels): unsortedbin, tcachebins[0x20], largebins[0x500-0x530] … */
    static final java.util.regex.Pattern BIN_NAME = java.util.regex.Pattern.compile(
            "unsortedbin|(tcachebins|fastbins|smallbins|largebins)\\[0x[0-9a-f]+(-0x[0-9a-f]+)?\\]");

    /** A bin's chain, by pwndbg's name for it. */
    record BinWatch(String bin) implements Watch {
        public String name() {
            return bin;
        }

        public String read(HeapSnapshot s) {
            for (Bin b : s.bins()) {
                if (BinLabels.name(b).equals(bin)) {
                    List<String> chain = new ArrayList<>();
                    b.chunks().forEach(c -> chain.add(Hex.of(c)));
                    return "[" + String.join(" ", chain) + "]";
                }
            }
            return "[]";
        }
    }

    /** A chunk: its state in the walk and its first six words (prev_size, size, fd, bk, fd/bk_nextsize) as they lie. */
    record ChunkWatch(long chunk) implements Watch {
        private static final String[] WORDS = {"prev_size", "size", "fd", "bk", "fd_nextsize", "bk_nextsize"};

        public String name() {
            return "chunk " + Hex.of(chunk);
        }

        public String read(HeapSnapshot s) {
            String state = "not a chunk";
            for (List<Chunk> list : List.of(s.chunks(), s.mmapped())) {
                for (Chunk c : list) {
                    if (c.address() == chunk) {
                        state = switch (c.state()) {
                            case IN_USE -> c.isMmapped() ? "mmapped" : "in use";
                            case TOP -> "top";
                            default -> States.binWord(c.state());
                        };
                    }
                }
            }
            StringBuilder b = new StringBuilder(state);
            for (int i = 0; i < WORDS.length; i++) {
                b.append(PARTS).append(WORDS[i]).append(' ');
                try {
                    b.append(Hex.of(s.memory().read64(chunk + 8L * i)));
                } catch (RuntimeException e) {
                    b.append("unmapped");
                }
            }
            return b.toString();
        }
    }

    /** The 8 bytes at an address, as a watchpoint sees them. */
    record WordWatch(long address) implements Watch {
        public String name() {
            return "the word at " + Hex.of(address);
        }

        public String read(HeapSnapshot s) {
            try {
                return Hex.of(s.memory().read64(address));
            } catch (RuntimeException e) {
                return "unmapped";
            }
        }
    }
}
