package io.mallocscope.c;

import io.mallocscope.runtime.vm.AddressSpace;

/** One activation of a C function: its frame pointer and, while it returns, the value. */
final class Frame {
    final Machine m;
    final AddressSpace mem;
    final long rbp;
    final Function fn;
    /** The process runs under memcheck ({@link Machine#memcheck}), kept here so the hot paths test it with one load. */
    final boolean memcheck;
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
    /**
     * Under memcheck: a value with undefined bits was loaded (or came back from a call) since the
     * expression consuming values last cleared it. Each consumer of a value (a branch, a store, an
     * address, an argument) clears it, evaluates its operand and reads it: whole-value definedness, as
     * precise as Valgrind's for values that are all or nothing undefined. Never read without memcheck.
     */
    boolean undefined;
    /** Under memcheck: the lowest stack address its variable-length arrays took (0: none), made defined again when it returns. */
    long stackLow;
    /** Under memcheck: the value this frame returns has undefined bits. */
    boolean returnUndefined;

    Frame(Machine m, long rbp, Function fn) {
        this.m = m;
        this.mem = m.mem;
        this.rbp = rbp;
        this.fn = fn;
        this.memcheck = m.memcheck;
    }
}
