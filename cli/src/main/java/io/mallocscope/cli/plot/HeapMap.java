package io.mallocscope.cli.plot;

import io.mallocscope.cli.model.Chunk;
import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.source.StateSource;
import io.mallocscope.runtime.malloc.HeapView;

import java.util.ArrayList;
import java.util.List;

/**
 * The heap over time as a map, villoc's picture of one call drawn for every step: each step a row, each
 * chunk of the brk heap a box from its offset past the heap's start to its end, in its state. Mmapped
 * chunks lie far from the heap and are not drawn. A long source is drawn for its first {@link #MAX_STEPS}
 * steps.
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

    /** Reads steps {@code 0..min(steps, MAX_STEPS)} of {@code s}. */
    public static HeapMap of(StateSource s) {
        int last = Math.min(s.steps(), MAX_STEPS);
        List<Box> boxes = new ArrayList<>();
        long heapStart = 0;
        long usedEnd = 0;
        for (int n = 0; n <= last; n++) {
            HeapSnapshot snap = s.at(n);
            if (snap.heapStart() == 0) {
                continue;
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
        return new HeapMap(heapStart, last, s.steps(), boxes, usedEnd);
    }

    /** Where the map's address axis ends: past every chunk but top, with room to see the top chunk begin. */
    public long shownEnd() {
        long margin = Math.max(0x100, usedEnd / 8 + 15 & ~15L);
        return usedEnd + margin;
    }
}
