package io.mallocscope.c;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A checked C translation unit: its globals, functions and string literals, ready to lay out and run. */
final class Program {
    final SourceFile source;
    final List<Var> globals = new ArrayList<>();
    final List<Var> staticLocals = new ArrayList<>();
    /** Variables declared extern and used (defined later in the file, or libc's stdout/stderr/stdin). */
    final java.util.Set<Var> externs = new java.util.LinkedHashSet<>();
    final Map<String, Function> functions = new LinkedHashMap<>();
    final List<Expr.Str> strings = new ArrayList<>();
    /** Library functions the program calls or takes the address of, as gcc -O0 emits them (PLT entries). */
    final java.util.Set<String> imports = new java.util.LinkedHashSet<>();
    /**
     * Library functions whose address the program takes (a name not called): ld gives them a GOT entry
     * (R_X86_64_GLOB_DAT) instead of a .got.plt slot, and their calls go through .plt.got.
     */
    final java.util.Set<String> addressTaken = new java.util.LinkedHashSet<>();
    /** How often each function's name is read, and how often as the function of a direct call (the difference: its address taken). */
    final Map<String, int[]> nameUses = new java.util.HashMap<>();
    /** Calls whose import depends on whether their value is used, until the parse is over ({@link Builtins#settle}). */
    final List<Expr.Call> foldable = new ArrayList<>();
    /** libc data objects referenced by copy relocation (stdout, stdin, stderr). */
    final java.util.Set<String> copyRelocs = new java.util.LinkedHashSet<>();

    /** The imports that take a .got.plt slot (and a PLT entry): those whose address is not taken. */
    int gotPltSlots() {
        int n = 0;
        for (String i : imports) {
            n += addressTaken.contains(i) ? 0 : 1;
        }
        return n;
    }

    /** .plt.got's entries: __cxa_finalize's (crtstuff's) and one for each called function whose address is taken. */
    int pltGotEntries() {
        return 1 + imports.size() - gotPltSlots();
    }

    Program(SourceFile source) {
        this.source = source;
    }
}
