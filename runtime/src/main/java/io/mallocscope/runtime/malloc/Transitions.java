package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.event.EventKind;

/**
 * The moments at which the allocator changes the state of a chunk. Every method is empty: with no
 * agent attached the JIT inlines them to nothing; the recording agent adds advice to each
 * {@link TransitionPoint} and so sees the allocator's work step by step.
 *
 * <p>Which call sites report which reason (binInsert/binRemove; tcachePut/tcacheGet carry no reason):
 * <ul>
 * <li>{@link #FREE}: a chunk freed into a fastbin or the unsorted bin by {@code _int_free}, including
 *     sysmalloc's free of the fenceposted old top ({@code tcachePut} reports frees into the tcache).</li>
 * <li>{@link #SORT}: the unsorted scan taking a chunk off the unsorted bin (binRemove) and placing it in
 *     its small or large bin (binInsert).</li>
 * <li>{@link #EXACT_FIT}: the chunk malloc returns from a fastbin, a small bin, or as an unsorted exact
 *     fit (binRemove).</li>
 * <li>{@link #BEST_FIT}: the victim of the large-bin best fit, a large request served from its own
 *     large bin (binRemove).</li>
 * <li>{@link #BINMAP}: the victim of the binmap scan ("use the next largest bin"), the chunk of the
 *     smallest non-empty bin above the request's own, small or large request alike (binRemove).</li>
 * <li>{@link #SPLIT}: the remainder of a best-fit/binmap split put at the unsorted head (binInsert).</li>
 * <li>{@link #LAST_REMAINDER}: the last-remainder shortcut (binRemove of the victim, binInsert of the
 *     remainder).</li>
 * <li>{@link #COALESCE}: a free neighbour unlinked to be merged, in free and malloc_consolidate
 *     (binRemove, from the bin the chunk was in: the unsorted bin until a malloc sorts it, whatever its
 *     size; {@link BinKind#NONE} for a forged chunk in no bin), followed by {@code coalesce}.</li>
 * <li>{@link #CONSOLIDATE}: malloc_consolidate taking a chunk off a fastbin (binRemove) and putting the
 *     merged result at the unsorted head (binInsert).</li>
 * <li>{@link #STASH}: chunks moved into the tcache by _int_malloc from a fastbin, a small bin or the
 *     unsorted bin (binRemove, then tcachePut).</li>
 * <li>{@link #MEMALIGN}: memalign's leader and tail freed into a bin (binInsert).</li>
 * <li>{@link #REALLOC}: realloc's old chunk or split-off remainder freed into a bin (binInsert), and the
 *     free next chunk realloc grows into (binRemove).</li>
 * <li>{@link #TRIM}: reserved; trimming itself is reported by {@code topShrink} (or {@code topExtend} when
 *     2.36's malloc_trim quirk grows the heap).</li>
 * </ul>
 * {@code split} reports every carve of a chunk (from top, a bin chunk, a realloc or memalign);
 * {@code topExtend} every sysmalloc that grew or replaced top, and the first top of an arena
 * {@code _int_new_arena} makes (old top 0, size 0); {@code mmapChunk}/{@code munmapChunk}
 * each mapping (mremap reports the old chunk unmapped and the new one mapped); {@code threshold}
 * changes of mmap_threshold and trim_threshold by free's dynamic adjustment, mallopt or tunables.
 */
public final class Transitions {
    private Transitions() {
    }

    public static final int FREE = 0;
    public static final int SORT = 1;
    public static final int EXACT_FIT = 2;
    public static final int BEST_FIT = 3;
    public static final int SPLIT = 4;
    public static final int LAST_REMAINDER = 5;
    public static final int COALESCE = 6;
    public static final int CONSOLIDATE = 7;
    public static final int STASH = 8;
    public static final int MEMALIGN = 9;
    public static final int REALLOC = 10;
    public static final int TRIM = 11;
    /**
     * The binmap scan's victim. Appended after {@link #TRIM}: the numbers are stored in recorded
     * timelines, so existing ones never change.
     */
    public static final int BINMAP = 12;

    /**
     * Whether the transitions are recorded: the allocator then does work that only their reports need
     * and glibc does not do (following a merged chunk's links to the bin it is taken from), and skips
     * it otherwise, so that a run without the agent costs what it did.
     */
    private static boolean watched;

    /** The recording agent records the transitions from here on (it calls this as it starts, before the program). */
    public static void watch() {
        watched = true;
    }

    static boolean watched() {
        return watched;
    }

    public static final int THRESHOLD_MMAP = 0;
    public static final int THRESHOLD_TRIM = 1;

    private static final String[] REASONS = {"free", "sort", "exact_fit", "best_fit", "split", "last_remainder",
            "coalesce", "consolidate", "stash", "memalign", "realloc", "trim", "binmap"};

    /** The lowercase word for a reason constant ("free", "sort", "exact_fit", …); "?" if unknown. */
    public static String reasonName(int reason) {
        return reason >= 0 && reason < REASONS.length ? REASONS[reason] : "?";
    }

    /** "mmap" or "trim". */
    public static String thresholdName(int which) {
        return which == THRESHOLD_MMAP ? "mmap" : which == THRESHOLD_TRIM ? "trim" : "?";
    }

    @TransitionPoint(EventKind.TCACHE_PUT)
    public static void tcachePut(long chunk, long size, int tcacheIndex, int countAfter) {
    }

    @TransitionPoint(EventKind.TCACHE_GET)
    public static void tcacheGet(long chunk, long size, int tcacheIndex, int countAfter) {
    }

    @TransitionPoint(EventKind.BIN_INSERT)
    public static void binInsert(int binKind, int binIndex, long chunk, long size, int reason) {
    }

    @TransitionPoint(EventKind.BIN_REMOVE)
    public static void binRemove(int binKind, int binIndex, long chunk, long size, int reason) {
    }

    @TransitionPoint(EventKind.SPLIT)
    public static void split(long chunk, long size, long remainder, long remainderSize) {
    }

    @TransitionPoint(EventKind.COALESCE)
    public static void coalesce(long chunk, long size, long neighbour, long neighbourSize, long merged,
                                long mergedSize) {
    }

    @TransitionPoint(EventKind.TOP_EXTEND)
    public static void topExtend(long oldTop, long oldSize, long newTop, long newSize) {
    }

    @TransitionPoint(EventKind.TOP_SHRINK)
    public static void topShrink(long top, long oldSize, long newSize) {
    }

    @TransitionPoint(EventKind.MMAP_CHUNK)
    public static void mmapChunk(long chunk, long size) {
    }

    @TransitionPoint(EventKind.MUNMAP_CHUNK)
    public static void munmapChunk(long chunk, long size) {
    }

    /** malloc_consolidate begins. */
    @TransitionPoint(EventKind.CONSOLIDATE)
    public static void consolidate() {
    }

    @TransitionPoint(EventKind.THRESHOLD)
    public static void threshold(int which, long oldValue, long newValue) {
    }

    /** Just before a simulated SIGABRT is thrown; the message is glibc's. */
    @TransitionPoint(EventKind.ABORT)
    public static void abort(String message) {
    }
}
