package io.mallocscope.cli.source;

/**
 * Which part of a run a state view looks at: the process ({@code --pid}, default the program, the first
 * process), the arena ({@code --arena}: its number as {@code arenas} lists it, 0 for main_arena, or its
 * address; default main_arena) and the thread whose tcache is shown ({@code --thread}: 0 the main
 * thread, 1, 2 … in order of creation; default 0). A null field is the default.
 */
public record Focus(Integer pid, String arena, Integer thread) {
    /** The program, main_arena, the main thread's tcache: what every view showed before threads. */
    public static final Focus DEFAULT = new Focus(null, null, null);

    public boolean isDefault() {
        return pid == null && arena == null && thread == null;
    }
}
