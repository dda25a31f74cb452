package io.mallocscope.cli;

import io.mallocscope.cli.source.Focus;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code --pid}, {@code --arena} and {@code --thread}: which process, arena and tcache a state view shows. */
final class FocusOptions {
    @Mixin
    Pid process;

    @Option(names = "--arena", paramLabel = "N",
            description = "The arena to show: its number in 'arenas' (0: main_arena, the default) or its address.")
    String arena;

    @Option(names = "--thread", paramLabel = "K",
            description = "Whose tcache to show: thread K (0: the main thread, the default; 1, 2 … in order of creation).")
    Integer thread;

    Focus focus() {
        return new Focus(process.pid, arena, thread);
    }

    /** {@code --pid} alone, for the views of a whole process (maps, arenas). */
    static final class Pid {
        @Option(names = "--pid", paramLabel = "N",
                description = "The process to show: the program (the first process, the default) or a child it forked.")
        Integer pid;

        Focus focus() {
            return new Focus(pid, null, null);
        }
    }
}
