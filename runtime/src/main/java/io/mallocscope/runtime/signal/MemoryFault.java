package io.mallocscope.runtime.signal;

/**
 * A signal raised by a memory access the kernel refused ({@link Segfault}, {@link BusError}): the
 * faulting address, whether it was a write, and why the access failed.
 */
public abstract class MemoryFault extends SimulatedSignal {
    private static final long serialVersionUID = 1L;

    private final long address;
    private final boolean write;
    private final String reason;

    /**
     * @param signal the signal's name in the message ("SIGSEGV")
     * @param width  the size of the access in bytes, or 0 for a bulk operation ({@code memset},
     *               {@code memcpy} …) where only the first bad address is known
     */
    MemoryFault(String signal, long address, boolean write, int width, String reason) {
        super(signal + ": invalid " + (write ? "write" : "read")
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

    /** Why the access failed: "address not mapped", "page not writable", "beyond the end of the file" … */
    public String reason() {
        return reason;
    }
}
