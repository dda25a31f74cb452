package io.mallocscope.runtime.signal;

/**
 * SIGKILL from the kernel's out-of-memory killer: the program wrote to more pages than the
 * simulated machine has physical memory for. Linux does not fail the write, nor the {@code mmap}
 * or {@code brk} that reserved the pages (memory is overcommitted); it kills the process when a
 * page is touched and none is left. The shell then prints "Killed" and the status is 137.
 */
public final class OutOfMemoryKill extends SimulatedSignal {
    private static final long serialVersionUID = 1L;

    private final long totalVmKb;
    private final long anonRssKb;
    private final long physicalMemory;
    private final boolean jvmHeap;

    /**
     * @param totalVmKb      the process's mapped memory, in KiB (the kernel's {@code total-vm})
     * @param anonRssKb      its resident pages, in KiB ({@code anon-rss})
     * @param physicalMemory the simulated machine's physical memory, in bytes
     */
    public OutOfMemoryKill(long totalVmKb, long anonRssKb, long physicalMemory) {
        this(totalVmKb, anonRssKb, physicalMemory, false);
    }

    /** {@code jvmHeap}: the JVM's own heap ran out first (the simulated memory was set too large for it). */
    public OutOfMemoryKill(long totalVmKb, long anonRssKb, long physicalMemory, boolean jvmHeap) {
        super("Out of memory: total-vm:" + totalVmKb + "kB, anon-rss:" + anonRssKb + "kB");
        this.totalVmKb = totalVmKb;
        this.anonRssKb = anonRssKb;
        this.physicalMemory = physicalMemory;
        this.jvmHeap = jvmHeap;
    }

    public long totalVmKb() {
        return totalVmKb;
    }

    public long anonRssKb() {
        return anonRssKb;
    }

    /** The simulated physical memory that ran out, in bytes. */
    public long physicalMemory() {
        return physicalMemory;
    }

    /**
     * The line the kernel logs for the kill, naming {@code program}, with the simulated memory size
     * (in a real system it goes to the kernel log; here to the program's stderr).
     */
    public String killLine(String program) {
        String head = "Out of memory: Killed process (" + program + ") total-vm:" + totalVmKb + "kB, anon-rss:" + anonRssKb
                + "kB ";
        if (jvmHeap) {
            return head + "(the JVM's heap of " + (Runtime.getRuntime().maxMemory() >>> 20) + " MiB ran out first; "
                    + "give it more with -Xmx, e.g. MALLOCSCOPE_JAVA_OPTS=-Xmx2g)";
        }
        return head + "(the simulated machine's " + (physicalMemory >>> 20) + " MiB of physical memory are used up)";
    }

    @Override
    public int signalNumber() {
        return 9;
    }

    @Override
    public String shellDescription() {
        return "Killed";
    }
}
