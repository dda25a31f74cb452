package io.mallocscope.cli.render;

import io.mallocscope.cli.model.States;
import io.mallocscope.runtime.malloc.HeapView;
import io.mallocscope.runtime.text.Hex;
import io.mallocscope.cli.model.Chunk;
import io.mallocscope.cli.model.HeapSnapshot;

import java.io.PrintWriter;

/**
 * The chunk walk as pwndbg's {@code heap} prints it: per chunk a heading with its state and flag
 * bits, its address, its size with and without the flag bits, and for a free chunk the links as
 * they are stored in memory (a tcache/fastbin {@code fd} safe-linked, as pwndbg shows it).
 * Chunks obtained with mmap follow the heap.
 */
public final class HeapRenderer implements SnapshotRenderer {
    @Override
    public void render(HeapSnapshot s, PrintWriter out, Style style) {
        if (s.heapStart() == 0 && s.mmapped().isEmpty()) {
            out.println("The heap is not initialized yet (no allocation has happened at step " + s.step() + ").");
            return;
        }
        for (Chunk c : s.chunks()) {
            chunk(c, out, style);
        }
        if (s.corrupt()) {
            out.println(style.bad("The walk stops here: the next size word cannot be a chunk's (the heap looks corrupted)."));
            out.println();
        }
        for (Chunk c : s.mmapped()) {
            chunk(c, out, style);
        }
    }

    static void chunk(Chunk c, PrintWriter out, Style style) {
        StringBuilder head = new StringBuilder(States.title(c.state()));
        if (c.prevInuse()) {
            head.append(" | PREV_INUSE");
        }
        if (c.isMmapped()) {
            head.append(" | IS_MMAPED");
        }
        if (c.nonMainArena()) {
            head.append(" | NON_MAIN_ARENA");
        }
        String h = head.toString();
        out.println(States.isFree(c.state()) ? style.free(h) : c.state() == HeapView.State.TOP ? style.hint(h) : style.bold(h));
        out.println("Addr: " + style.address(Hex.of(c.address())));
        out.println("Size: " + Hex.of(c.size()) + " (with flag bits: " + Hex.of(c.sizeField()) + ")");
        switch (c.state()) {
            case TCACHE, FASTBIN -> out.println("fd: " + Hex.of(c.fd()));
            case UNSORTED, SMALLBIN -> {
                out.println("fd: " + Hex.of(c.fd()));
                out.println("bk: " + Hex.of(c.bk()));
            }
            case LARGEBIN -> {
                out.println("fd: " + Hex.of(c.fd()));
                out.println("bk: " + Hex.of(c.bk()));
                out.println("fd_nextsize: " + Hex.of(c.fdNextsize()));
                out.println("bk_nextsize: " + Hex.of(c.bkNextsize()));
            }
            default -> {
            }
        }
        out.println();
    }
}
