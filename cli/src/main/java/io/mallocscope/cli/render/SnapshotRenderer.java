package io.mallocscope.cli.render;

import io.mallocscope.cli.model.HeapSnapshot;

import java.io.PrintWriter;

/** Writes one view of a process state. One implementation per view and format. */
@FunctionalInterface
public interface SnapshotRenderer {
    void render(HeapSnapshot snapshot, PrintWriter out, Style style);
}
