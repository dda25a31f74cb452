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
    boolean isStatic;
    /** Its variable-length arrays, and whether one is declared inside a loop (gcc then saves more registers). */
    int vlaCount;
    boolean vlaInLoop;
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
