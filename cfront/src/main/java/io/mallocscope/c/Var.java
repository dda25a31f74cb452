package io.mallocscope.c;

/** A variable: a local in a stack frame (offset from rbp) or a global/static at an address. */
final class Var {
    final String name;
    CType type;
    final Tok at;
    final boolean global;
    boolean isStatic;
    boolean isExtern;
    boolean defined;
    /** Locals: offset from rbp; globals: absolute address (set when laid out). */
    long offset;
    long address;
    boolean addressTaken;
    boolean used;
    /** Order of the first write in the source (for gcc -O0's order of non-addressed scalars). */
    int firstWrite = Integer.MAX_VALUE;
    int declOrder;
    /** Block nesting path, e.g. "0.2.1", for gcc's block-order layout. */
    int blockId;
    int userAlign;
    Init init;
    boolean param;
    /** Source-order sequence numbers of this local's reads and writes, and of its declaration. */
    final java.util.List<Integer> reads = new java.util.ArrayList<>();
    final java.util.List<Integer> writes = new java.util.ArrayList<>();
    int declSeq;
    /** gcc gives it a PHI node (it is set in a loop or branch and live after): its SSA name comes first. */
    boolean phi;
    /** A variable-length array: the hidden locals gcc keeps its address and its upper bound in (else null). */
    Var vlaPointer;
    Var vlaBound;
    /**
     * A temporary for a struct a call returns into {@code x = f()}: gcc -O0 uses it only when
     * {@code x}'s address is taken (else the callee fills {@code x} itself); null: always used.
     */
    Var returnSlotOf;

    /** Whether gcc -O0 gives it a place in the frame. */
    boolean inFrame() {
        return used && vlaPointer == null && (returnSlotOf == null || returnSlotOf.addressTaken);
    }

    Var(String name, CType type, Tok at, boolean global) {
        this.name = name;
        this.type = type;
        this.at = at;
        this.global = global;
    }
}
