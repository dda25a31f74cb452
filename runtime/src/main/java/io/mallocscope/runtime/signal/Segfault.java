package io.mallocscope.runtime.signal;

/**
 * SIGSEGV: the program touched memory it may not touch. Carries the faulting address, whether it
 * was a write, and why the access failed.
 */
public final class Segfault extends SimulatedSignal {
    private static final long serialVersionUID = 1L;

    private final long address;
    private final boolean write;
    private final String reason;

    /**
     * @param width the size of the access in bytes, or 0 for a bulk operation ({@code memset},
     *              {@code memcpy} …) where only the first bad address is known
     */
    public Segfault(long address, boolean write, int width, String reason) {
        super("SIGSEGV: invalid " + (write ? "write" : "read")
                + (width > 0 ? " of " + width + " byte" + (width == 1 ? "" : "s") : "")
                + " at 0x" + Long.toHexString(address) + " (" + reason + ")");
        this.address = address;
        this.write = write;
        this.reason = reason;
    }

    public long address() {
        return address;
    }

    public boolean isWrite() {
        return write;
    }

    /** Why the access failed: "address not mapped", "kernel address", "page not writable" … */
    public String reason() {
        return reason;
    }

    @Override
    public int signalNumber() {
        return 11;
    }

    @Override
    public String shellDescription() {
        return "Segmentation fault";
    }
}
