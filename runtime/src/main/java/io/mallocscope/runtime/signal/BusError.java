package io.mallocscope.runtime.signal;

/**
 * SIGBUS: the program touched a page of a file mapping that lies wholly beyond the end of the
 * file (the mapping is there, the file behind it is not). Carries the address and the reason, e.g.
 * "offset 0x1000 of /data/notes.txt is beyond the end of the file (size 0x1a)".
 */
public final class BusError extends MemoryFault {
    private static final long serialVersionUID = 1L;

    /**
     * @param width the size of the access in bytes, or 0 for a bulk operation where only the first
     *              bad address is known (as for {@link Segfault})
     */
    public BusError(long address, boolean write, int width, String reason) {
        super("SIGBUS", address, write, width, reason);
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
