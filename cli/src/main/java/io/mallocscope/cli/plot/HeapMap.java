package io.mallocscope.cli.plot;

import io.mallocscope.cli.model.Chunk;
import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.runtime.malloc.HeapView;

import java.util.ArrayList;
import java.util.List;

/**
 * The heap over time as a map, villoc's picture of one call drawn for every step: each step a row, each
 * chunk of the brk heap a box from its offset past the heap's start to its end, in its state. Mmapped
 * chunks lie far from the heap and are not drawn. A long source is drawn for its first {@link #MAX_STEPS}
 * steps. It is made ({@link Builder}) from the snapshots the plot's {@link HeapSeries} reads anyway.
 */
public final class HeapMap {
    /** How many steps a map draws at most (a row of boxes each). */
    public static final int MAX_STEPS = 1000;

    /** One chunk at one step: {@code offset} past the heap's start. */
    public record Box(int step, long offset, long size, HeapView.State state) {
    }

    public final long heapStart;
    /** the last step drawn */
    public final int last;
    /** how many steps the source has */
    public final int steps;
    public final List<Box> boxes;
    /** the end of the highest chunk other than top (the top chunk is drawn up to just past it) */
    public final long usedEnd;

    private HeapMap(long heapStart, int last, int steps, List<Box> boxes, long usedEnd) {
        this.heapStart = heapStart;
        this.last = last;
        this.steps = steps;
        this.boxes = List.copyOf(boxes);
        this.usedEnd = usedEnd;
    }

    /**
     * A map made from the snapshots of a walk over the source's steps that reads them anyway (the
     * plot's series): given steps {@code 0, 1, …} in order, it keeps those up to {@code MAX_STEPS}.
     */
    public static final class Builder {
        private final int steps;
        private final int last;
        private final List<Box> boxes = new ArrayList<>();
        private long heapStart;
        private long usedEnd;

        /** For a source of {@code steps} steps. */
        public Builder(int steps) {
            this.steps = steps;
            this.last = Math.min(steps, MAX_STEPS);
        }

        /** Step {@code n}'s heap; steps past the last one drawn are left out. */
        public void add(int n, HeapSnapshot snap) {
            if (n > last || snap.heapStart() == 0) {
                return;
            }
            heapStart = snap.heapStart();
            for (Chunk c : snap.chunks()) {
                long off = c.address() - heapStart;
                boxes.add(new Box(n, off, c.size(), c.state()));
                if (c.state() != HeapView.State.TOP) {
                    usedEnd = Math.max(usedEnd, off + c.size());
                }
            }
        }

        public HeapMap build() {
            return new HeapMap(heapStart, last, steps, boxes, usedEnd);
        }
    }

    /** Where the map's address axis ends: past every chunk but top, with room to see the top chunk begin. */
    public long shownEnd() {
        long margin = Math.max(0x100, usedEnd / 8 + 15 & ~15L);
        return usedEnd + margin;
    }
}
