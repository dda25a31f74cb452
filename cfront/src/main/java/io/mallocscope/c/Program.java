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
    /** Calls whose import depends on whether their value is used, until the parse is over ({@link Builtins#settle}). */
    final List<Expr.Call> foldable = new ArrayList<>();
    /** libc data objects referenced by copy relocation (stdout, stdin, stderr). */
    final java.util.Set<String> copyRelocs = new java.util.LinkedHashSet<>();

    Program(SourceFile source) {
        this.source = source;
    }
}
