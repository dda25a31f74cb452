package io.mallocscope.runtime.vm;

/**
 * How many pages the program's read-only data and its writable data (.data and .bss) take. A small
 * program has one of each (the default); a program with more than a page of string literals, or
 * large global arrays, has more, and everything after them (.data, .bss, the initial program
 * break and so the heap) moves up by as many pages, as ld and the kernel place them.
 */
public record ProgramImage(int rodataPages, int dataPages) {
    /** One page of each: the layout of {@link Layout}'s constants. */
    public static final ProgramImage SMALL = new ProgramImage(1, 1);

    public ProgramImage {
        if (rodataPages < 1 || dataPages < 1 || rodataPages > 4096 || dataPages > (1 << 20)) {
            throw new IllegalArgumentException("program image of " + rodataPages + " rodata and " + dataPages
                    + " data pages");
        }
    }

    /** How far the RELRO page, .data, .bss and the break move up from {@link Layout}'s constants. */
    public long shift() {
        return (rodataPages - 1) * AddressSpace.PAGE_SIZE;
    }

    /** The first page of .data (where {@link Layout#DATA_START} is for a small program). */
    public long dataStart() {
        return Layout.DATA_START + shift();
    }

    /** The end of .bss, page-aligned. */
    public long bssEnd() {
        return dataStart() + dataPages * AddressSpace.PAGE_SIZE;
    }

    /** The initial program break: the page after .bss. */
    public long initialBrk() {
        return bssEnd();
    }
}
