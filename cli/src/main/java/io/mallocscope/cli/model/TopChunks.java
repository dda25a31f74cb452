package io.mallocscope.cli.model;

import io.mallocscope.runtime.event.EventKind;
import io.mallocscope.runtime.timeline.Event;

import java.util.HashSet;
import java.util.Set;

/**
 * The top chunks as a call's transitions show them: main's and each other arena's whose heap the
 * recording saw made (a set: the events do not say which arena they are of). A top is made by a
 * {@code top_extend} and moves where glibc moves it: to the remainder when it is carved
 * ({@code split}), to the merged chunk when a free merges into it ({@code coalesce}), to the remainder
 * when a realloc grows into it (a {@code split} of the chunk before it reaching past it); a
 * {@code top_shrink} names a top where it is.
 */
public final class TopChunks {
    private final Set<Long> tops = new HashSet<>();

    public TopChunks() {
    }

    private TopChunks(Set<Long> tops) {
        this.tops.addAll(tops);
    }

    public TopChunks copy() {
        return new TopChunks(tops);
    }

    public boolean isTop(long chunk) {
        return tops.contains(chunk);
    }

    /** Moves the tops as {@code t} (a transition of one call, in order) moves them. */
    public void follow(Event t) {
        if (t.kind() == EventKind.TOP_EXTEND) {
            if (t.otherSize() != 0) {
                tops.remove(t.other());
            }
            tops.add(t.chunk());
        } else if (t.kind() == EventKind.SPLIT) {
            if (tops.remove(t.chunk())) {
                tops.add(t.other());
                return;
            }
            for (long top : tops) { // realloc grown into the top: the old top lies inside the carved chunk
                if (Long.compareUnsigned(t.chunk(), top) < 0 && Long.compareUnsigned(top, t.other()) < 0) {
                    tops.remove(top);
                    tops.add(t.other());
                    return;
                }
            }
        } else if (t.kind() == EventKind.COALESCE && tops.remove(t.other())) {
            tops.add(t.merged()); // freed into the top
        } else if (t.kind() == EventKind.TOP_SHRINK) {
            tops.add(t.chunk()); // trimmed where it is
        }
    }

    /** The tops in address order (the story side file stores them). */
    public long[] sorted() {
        return StateCodec.sorted(tops);
    }

    /** Sets the tops to {@code chunks} (read back from the story side file). */
    public void set(long[] chunks) {
        tops.clear();
        for (long c : chunks) {
            tops.add(c);
        }
    }
}
