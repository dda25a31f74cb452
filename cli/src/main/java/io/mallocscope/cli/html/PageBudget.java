package io.mallocscope.cli.html;

/**
 * How much of the JVM's memory an HTML page may take while it is built. Every step of the page carries
 * the whole heap, so a page of many steps over a large heap outgrows any heap; the budget is checked
 * as each step is added, before anything is written, and a page that would not fit is refused with one
 * line saying how many steps would.
 */
public final class PageBudget {
    /**
     * Bytes one chunk (or bin entry) costs while the page is built: its model object, and its JSON twice
     * (the string builder and the string made from it), with room for the builder's growth.
     */
    static final long BYTES_PER_ENTRY = 320;
    static final long BYTES_PER_STEP = 600;

    private final long limit;
    private final int wanted;
    private long used;
    private int steps;

    /** A budget of half the memory this JVM can still take, for a page of {@code wanted} steps. */
    PageBudget(int wanted) {
        this(available() / 2, wanted);
    }

    PageBudget(long limit, int wanted) {
        this.limit = limit;
        this.wanted = wanted;
    }

    private static long available() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    /** Counts {@code step}; returns it. */
    HtmlModel.Step add(HtmlModel.Step step) {
        int entries = step.chunks().size();
        for (var b : step.bins().values()) {
            entries += b.size();
        }
        used += BYTES_PER_STEP + entries * BYTES_PER_ENTRY;
        steps++;
        if (used > limit) {
            long perStep = Math.max(1, used / steps);
            long fits = Math.max(1, limit / perStep - 1);
            throw new TooLarge("--format html: a page of " + wanted + " steps with this heap ("
                    + step.chunks().size() + " chunks at step " + step.number() + ") needs more than the "
                    + (limit >> 20) + " MiB this JVM can spare for it; about " + fits + " steps fit "
                    + "(--max-steps " + fits + "), or give Java more memory (MALLOCSCOPE_JAVA_OPTS=-Xmx…)");
        }
        return step;
    }

    /** A page that does not fit; its message is the one line to show the user. */
    public static final class TooLarge extends RuntimeException {
        TooLarge(String message) {
            super(message, null, false, false);
        }
    }
}
