package io.mallocscope.runtime.signal;

/**
 * SIGSEGV: the program touched memory it may not touch. Carries the faulting address, whether it
 * was a write, and why the access failed ("address not mapped", "kernel address", "page not
 * writable" …).
 */
public final class Segfault extends MemoryFault {
    private static final long serialVersionUID = 1L;

    /**
     * @param width the size of the access in bytes, or 0 for a bulk operation ({@code memset},
     *              {@code memcpy} …) where only the first bad address is known
     */
    public Segfault(long address, boolean write, int width, String reason) {
        super("SIGSEGV", address, write, width, reason);
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
