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
    /** With memcheck: the statement or call the function is at (its reports' line for this frame). */
    Tok at;

    Frame(Machine m, long rbp, Function fn) {
        this.m = m;
        this.mem = m.mem;
        this.rbp = rbp;
        this.fn = fn;
    }
}
