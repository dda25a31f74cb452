package io.mallocscope.cli.model;

/** Read access to the words of a simulated process, for the hexdump view. */
@FunctionalInterface
public interface Memory {
    /** The little-endian 64-bit word at {@code address}; unmapped memory reads as an exception. */
    long read64(long address);

    /**
     * Reads up to {@code count} words from {@code address} on into {@code into}, stopping before the
     * first that cannot be read.
     *
     * @return how many words were read
     */
    default int read(long address, long[] into, int count) {
        for (int i = 0; i < count; i++) {
            try {
                into[i] = read64(address + 8L * i);
            } catch (RuntimeException unreadable) {
                return i;
            }
        }
        return count;
    }
}
