package io.mallocscope.c;

import io.mallocscope.runtime.vm.AddressSpace;

/** One activation of a C function: its frame pointer and, while it returns, the value. */
final class Frame {
    final Machine m;
    final AddressSpace mem;
    final long rbp;
    final Function fn;
    long ret;
    /** A struct returned by value: its bytes when the return ran. */
    byte[] retBytes;
    String label;
    /** The frame that called this one (null for main's and a thread function's). */
    Frame caller;
    /**
     * {@code prog.c:LINE} this frame is at: said before each library call, store and call of the
     * program's functions (and, under memcheck, each load), for memcheck's stacks.
     */
    String site;

    Frame(Machine m, long rbp, Function fn) {
        this.m = m;
        this.mem = m.mem;
        this.rbp = rbp;
        this.fn = fn;
    }
}
