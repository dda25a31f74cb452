package io.mallocscope.cli.model;

import io.mallocscope.runtime.malloc.HeapView;

import java.util.ArrayList;
import java.util.List;

/**
 * The chunks of one state (heap walk, then mmapped chunks) by address. A diff looks up every chunk of both
 * states, once per call when a trace's changes are explained, so this is an open-addressing table on
 * primitive keys: chunk addresses are 16-byte aligned and share their high bits, which a boxed
 * {@code HashMap<Long, …>} spreads badly.
 */
public final class ChunkIndex {
    private final long[] keys;
    private final Chunk[] values;
    private final int mask;
    /** The chunks in listing order, each address once (its last listing wins, as a map's put would). */
    private final List<Chunk> ordered;
    private final Chunk top;

    public ChunkIndex(HeapSnapshot s) {
        int n = s.chunks().size() + s.mmapped().size();
        int cap = Integer.highestOneBit(Math.max(4, n) * 2) * 2;
        keys = new long[cap];
        values = new Chunk[cap];
        mask = cap - 1;
        List<Chunk> all = new ArrayList<>(n);
        all.addAll(s.chunks());
        all.addAll(s.mmapped());
        List<Integer> order = new ArrayList<>(n);
        Chunk firstTop = null;
        for (Chunk c : s.chunks()) {
            if (c.state() == HeapView.State.TOP) {
                firstTop = c;
                break;
            }
        }
        top = firstTop;
        for (Chunk c : all) {
            int i = slot(c.address());
            if (values[i] == null) {
                keys[i] = c.address();
                order.add(i);
            }
            values[i] = c;
        }
        ordered = new ArrayList<>(order.size());
        for (int i : order) {
            ordered.add(values[i]);
        }
    }

    /** The chunk at {@code address}, or null. */
    public Chunk get(long address) {
        return values[slot(address)];
    }

    public boolean contains(long address) {
        return get(address) != null;
    }

    /** The first chunk of the heap walk in state top, or null. */
    public Chunk top() {
        return top;
    }

    /** Every chunk once, heap chunks first, in the order the state lists them. */
    public List<Chunk> chunks() {
        return ordered;
    }

    private int slot(long address) {
        int i = (int) ((address * 0x9E3779B97F4A7C15L) >>> 40) & mask;
        while (values[i] != null && keys[i] != address) {
            i = (i + 1) & mask;
        }
        return i;
    }
}
