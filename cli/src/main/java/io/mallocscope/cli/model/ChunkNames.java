package io.mallocscope.cli.model;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Which call handed out each chunk ({@code #N}), as the story and the narration name chunks: a map
 * from chunk address to call number that only grows (a chunk handed out again is renamed). Names read
 * whole from a saved state stay in two sorted arrays (found by binary search, shared by a fork's
 * copy); names given after are kept in a map beside them. So a long timeline's hundreds of thousands
 * of names are restored without a map entry each.
 */
public final class ChunkNames {
    private long[] chunks = new long[0];
    private int[] calls = new int[0];
    /** names given after the arrays, and (as {@link #NONE}) names of the arrays taken away */
    private final Map<Long, Integer> added = new HashMap<>();
    /** In {@link #added}: the chunk has no name (calls are numbered from 1). */
    private static final int NONE = 0;
    private int removed;

    /** The call that handed out {@code chunk} last, or null. */
    public Integer get(long chunk) {
        Integer c = added.get(chunk);
        if (c != null) {
            return c == NONE ? null : c;
        }
        int i = Arrays.binarySearch(chunks, chunk);
        return i >= 0 ? calls[i] : null;
    }

    /** Call {@code call} handed out {@code chunk}. */
    public void put(long chunk, int call) {
        if (call == NONE) {
            throw new IllegalArgumentException("call " + call);
        }
        Integer was = added.put(chunk, call);
        if (was != null && was == NONE) {
            removed--;
        }
    }

    /** {@code chunk} has no name any more (a restored narration's chunk the story names and it does not). */
    public void remove(long chunk) {
        if (get(chunk) == null) {
            return;
        }
        if (Arrays.binarySearch(chunks, chunk) >= 0) {
            added.put(chunk, NONE);
            removed++;
        } else {
            added.remove(chunk);
        }
    }

    /** A copy (a fork's child's), changed from then on on its own. */
    public ChunkNames copy() {
        ChunkNames n = new ChunkNames();
        n.chunks = chunks; // never changed: shared
        n.calls = calls;
        n.added.putAll(added);
        n.removed = removed;
        return n;
    }

    /** Every chunk named, sorted. */
    public long[] all() {
        long[] more = StateCodec.sorted(removed == 0 ? added.keySet()
                : added.entrySet().stream().filter(e -> e.getValue() != NONE).map(Map.Entry::getKey).toList());
        long[] out = new long[chunks.length + more.length];
        int n = 0;
        int j = 0;
        for (long c : chunks) {
            while (j < more.length && more[j] < c) {
                out[n++] = more[j++];
            }
            if (j < more.length && more[j] == c) {
                j++;
            } else if (removed != 0 && added.get(c) != null && added.get(c) == NONE) {
                continue;
            }
            out[n++] = c;
        }
        while (j < more.length) {
            out[n++] = more[j++];
        }
        return Arrays.copyOf(out, n);
    }

    /** Writes the names of {@code sorted} chunks: their count, then each as its distance from the one before and its call. */
    public void write(DataOutput out, long[] sorted) throws IOException {
        StateCodec.writeVarLong(out, sorted.length);
        long before = 0;
        for (long c : sorted) {
            StateCodec.writeVarLong(out, c - before);
            StateCodec.writeVarLong(out, get(c));
            before = c;
        }
    }

    /** Reads a {@link #write} into these names (while they are empty, straight into the sorted arrays); returns its chunks. */
    public long[] read(DataInput in) throws IOException {
        int n = (int) StateCodec.readVarLong(in);
        long[] read = new long[n];
        int[] by = new int[n];
        long before = 0;
        for (int i = 0; i < n; i++) {
            read[i] = before + StateCodec.readVarLong(in);
            by[i] = (int) StateCodec.readVarLong(in);
            before = read[i];
        }
        if (chunks.length == 0 && added.isEmpty()) {
            chunks = read;
            calls = by;
        } else {
            for (int i = 0; i < n; i++) {
                added.put(read[i], by[i]);
            }
        }
        return read;
    }
}
