package io.mallocscope.c;

import java.util.ArrayList;
import java.util.List;

/** A C function: defined in the program, or a library function bound to the simulated libc. */
final class Function {
    final String name;
    CType type;
    final Tok at;
    Stmt body;
    /** Parameter slots (offsets from rbp), in order. */
    long[] paramOffsets;
    CType[] paramTypes;
    long frameSize;
    /** A struct of more than 16 bytes returned by value: the frame slot of the hidden pointer to the caller's memory (0: none). */
    long hiddenReturn;
    long address;
    Builtins.Builtin builtin;
    final List<Var> locals = new ArrayList<>();
    final List<Var> params = new ArrayList<>();
    /** The temporaries a member of a returned struct is read from ({@code f().x}), in the order they are made. */
    final List<Var> callTemps = new ArrayList<>();
    boolean isStatic;
    /** Its variable-length arrays, and whether one is declared inside a loop (gcc then saves more registers). */
    int vlaCount;
    boolean vlaInLoop;
    /** Its place among the definitions (1, 2, …: gcc -O0 compiles them in this order; 0: not defined). */
    int defOrder;
    /**
     * The alignment its frame needs, in bytes (gcc's preferred stack boundary): 16 when it calls a
     * library function, a function not compiled before it or through a pointer, or has a 16-aligned
     * local; else 8, or its callees' own. Set when laid out.
     */
    int stackBoundary;
    /** Where the program first calls or takes the address of it (null: never). */
    Tok usedAt;

    Function(String name, CType type, Tok at) {
        this.name = name;
        this.type = type;
        this.at = at;
    }

    boolean defined() {
        return body != null;
    }
}
