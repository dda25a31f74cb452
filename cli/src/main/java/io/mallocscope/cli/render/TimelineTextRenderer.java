package io.mallocscope.cli.render;

import io.mallocscope.cli.model.Op;
import io.mallocscope.cli.model.Story;

import java.io.PrintWriter;
import java.util.List;

/**
 * The timeline as a story: each top-level call numbered ({@code #12 malloc(0x18) = 0x5555555592c0
 * FirstFit.java:31}; {@code #12 [t2] malloc(0x18) = …} for thread 2's call, {@code [pid 3]} for a forked
 * process's) and under it, in the {@link Story}'s words, what the allocator did. A chunk is
 * also named by the call that handed it out ({@code #3}), so one chunk's life can be followed down the
 * page.
 */
public final class TimelineTextRenderer {
    /** More lines for step N (see {@link Story#Story(java.util.function.IntFunction)}), or null. */
    private final java.util.function.IntFunction<List<String>> narration;

    public TimelineTextRenderer() {
        this(null);
    }

    /** A renderer whose story adds {@code narration}'s lines under each call (steps asked in order). */
    public TimelineTextRenderer(java.util.function.IntFunction<List<String>> narration) {
        this.narration = narration;
    }

    /**
     * Writes {@code ops}. {@code history} are the calls before the first shown one (for naming chunks
     * created earlier); it may be empty.
     */
    public void render(List<Op> history, List<Op> ops, PrintWriter out, Style style) {
        if (history.isEmpty()) {
            render(ops, op -> true, out, style);
            return;
        }
        List<Op> all = new java.util.ArrayList<>(history);
        all.addAll(ops);
        java.util.Set<Op> shown = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        shown.addAll(ops);
        render(all, shown::contains, out, style);
    }

    /**
     * Writes the calls of {@code all} that {@code show} accepts; the others still name the chunks they
     * handed out, so a filtered view keeps the {@code #N} names.
     */
    public void render(Iterable<Op> all, java.util.function.Predicate<Op> show, PrintWriter out, Style style) {
        render(new Story(narration), all, show, out, style);
    }

    /**
     * Writes the calls of {@code ops} that {@code show} accepts, told by {@code story}, which knows the
     * calls before the first of {@code ops} (cli.explain's {@code Telling}); its narration is this
     * renderer's.
     */
    public void render(Story story, Iterable<Op> ops, java.util.function.Predicate<Op> show, PrintWriter out,
                       Style style) {
        boolean first = true;
        for (Op op : ops) {
            if (first && narration != null && op.number() == 1 && show.test(op)) {
                // the program's writes before its first call, when there are any to tell
                List<String> before = narration.apply(0);
                if (!before.isEmpty()) {
                    out.println(style.bold("#0") + " before the first call");
                    before.forEach(l -> out.println("    " + l));
                }
            }
            first = false;
            if (!show.test(op)) {
                story.skip(op);
                continue;
            }
            // told before its heading is printed: a call whose story cannot be told (its run not rebuilt)
            // ends the output after the last call told whole
            List<String> told = story.tell(op);
            StringBuilder line = new StringBuilder(style.bold("#" + op.number())).append(' ');
            if (op.who() != null) {
                line.append('[').append(op.who()).append("] ");
            }
            line.append(op.result() == null ? op.call() : op.call() + " = " + style.address(op.result()));
            if (op.site() != null) {
                line.append("   ").append(style.dim(op.site()));
            }
            out.println(line);
            for (String said : told) {
                out.println("    " + said);
            }
        }
    }
}
