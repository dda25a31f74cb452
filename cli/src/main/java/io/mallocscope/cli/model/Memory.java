package io.mallocscope.cli.model;

/** Read access to the words of a simulated process, for the hexdump view. */
@FunctionalInterface
public interface Memory {
    /** The little-endian 64-bit word at {@code address}; unmapped memory reads as an exception. */
    long read64(long address);
}
