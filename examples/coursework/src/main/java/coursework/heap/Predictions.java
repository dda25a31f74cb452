package coursework.heap;

/**
 * Exercise 1, your answer: where does each allocation of {@link AllocationPuzzle#run} land?
 * Give each pointer as an offset from the heap start, e.g. 0x2a0 for the first malloc(24).
 */
public final class Predictions {
    private Predictions() {
    }

    /** The offsets of a, b, d, e, f, g, h, in that order. */
    public static long[] offsets() {
        // BEGIN SOLUTION
        return new long[] {
                0x2a0, // a: malloc(24), the first chunk after the 0x290 tcache chunk
                0x2c0, // b: malloc(40), a 0x30 chunk right after a's 0x20 chunk
                0x2f0, // d: malloc(0x100), a 0x110 chunk after b
                0x2a0, // e: malloc(16) needs a 0x20 chunk: a's, from the tcache
                0x2c0, // f: malloc(0x20) needs a 0x30 chunk: b's, from the tcache
                0x400, // g: malloc(0x500), carved from top after d
                0x400, // h: g (0x510, too big for the tcache) merged back into top when freed
        };
        // END SOLUTION
    }
}
