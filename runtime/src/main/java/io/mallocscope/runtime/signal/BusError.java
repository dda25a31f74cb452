package io.mallocscope.runtime.signal;

/**
 * SIGBUS: the program touched a page of a file mapping that lies wholly beyond the end of the
 * file (the mapping is there, the file behind it is not). Carries the address and the reason.
 */
public final class BusError extends SimulatedSignal {
    private static final long serialVersionUID = 1L;

    private final long address;
    private final boolean write;
    private final String reason;

    /**
     * @param width the size of the access in bytes, or 0 for a bulk operation where only the first
     *              bad address is known (as for {@link Segfault})
     */
    public BusError(long address, boolean write, int width, String reason) {
        super("SIGBUS: invalid " + (write ? "write" : "read")
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

    /** Why the access failed, e.g. "offset 0x1000 of /data/notes.txt is beyond the end of the file (size 0x1a)". */
    public String reason() {
        return reason;
    }

    @Override
    public int signalNumber() {
        return 7;
    }

    @Override
    public String shellDescription() {
        return "Bus error";
    }
}
