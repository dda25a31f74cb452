package io.mallocscope.junit;

import java.util.List;

/**
 * One live block as the process's LibC reported it: the pointer returned, the bytes asked for, the
 * function, and the program's stack when it was called.
 *
 * @param function "malloc", "calloc", "realloc", "reallocarray", "memalign", "aligned_alloc",
 *                 "posix_memalign", "valloc", "pvalloc", "strdup", or
 *                 {@link io.mallocscope.runtime.AllocationListener#STDIO_BUFFER} for stdout's buffer
 * @param stack    {@code Class.method(File.java:LINE)} frames, innermost first: the program's frames
 *                 only (mallocscope's own and the JDK's are left out), up to the test engine, at most
 *                 12 (Valgrind's default {@code --num-callers})
 */
public record Allocation(long pointer, long requested, String function, List<String> stack) {
    public Allocation {
        stack = List.copyOf(stack);
    }

    /** The first frame of {@link #stack()}: the line that called the function; "?" if none is known. */
    public String callSite() {
        return stack.isEmpty() ? "?" : stack.get(0);
    }
}
