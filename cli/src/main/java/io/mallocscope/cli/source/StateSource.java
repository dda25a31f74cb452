package io.mallocscope.cli.source;

import io.mallocscope.cli.model.ArenaTable;
import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.model.Op;
import io.mallocscope.runtime.CProcess;

import io.mallocscope.runtime.timeline.Timeline;
import io.mallocscope.runtime.trace.Trace;

import java.util.List;
import java.util.Optional;

/**
 * Something the views can look at step by step: a recorded timeline, or a malloclab trace replayed
 * in-process. Step {@code n} is the state after the {@code n}-th top-level call; step 0 is before the
 * first.
 */
public interface StateSource {
    /** The file, for messages. */
    String name();

    /** How many top-level calls there are (the last step). */
    int steps();

    /** The state after step {@code n}, {@code 0 <= n <= steps()}. */
    HeapSnapshot at(int n);

    /**
     * The state after step {@code n} of the process, arena and thread {@code focus} names ({@code --pid},
     * {@code --arena}, {@code --thread}).
     *
     * @throws io.mallocscope.cli.UserError (usage) for one the source does not have at that step
     */
    HeapSnapshot at(int n, Focus focus);

    /**
     * As {@link #at(int, Focus)} with no more than {@code detail} in it (a source may give more): a view
     * that reads no memory, or only the mappings, costs less on a big heap.
     */
    default HeapSnapshot at(int n, Focus focus, Detail detail) {
        return focus.isDefault() ? at(n) : at(n, focus);
    }

    /** Every arena of the process {@code focus} names after step {@code n}, with its heaps and threads. */
    ArenaTable arenasAt(int n, Focus focus);

    /** The top-level calls, numbered from 1, with their events; read on demand, so iterate rather than hold them. */
    List<Op> ops();

    /**
     * The simulated process after step {@code n}, live (valid until the next call on this source): for
     * a view that reads every step's heap as it goes (the HTML page), without a snapshot per step.
     */
    CProcess process(int n);

    /** What the replayed process printed so far on stdout (a trace); "" for a recorded timeline, which has its own. */
    default String stdout() {
        return "";
    }

    /** What the replayed process printed so far on stderr (a trace); "" for a recorded timeline. */
    default String stderr() {
        return "";
    }

    /** The recorded timeline behind this source, if it is one (for exporters that work on raw events). */
    default Optional<Timeline> timeline() {
        return Optional.empty();
    }

    /**
     * Set when the states shown may not be the recorded ones: a timeline recorded without the
     * program's writes, and the first event where the rebuilt process departs from the recording.
     */
    default Optional<String> rebuildWarning() {
        return Optional.empty();
    }

    /** The malloclab trace behind this source, if it is one (for views that replay it their own way). */
    default Optional<Trace> trace() {
        return Optional.empty();
    }

    /**
     * Where this source's notes go, one line each without the {@code mallocscope: } prefix: a recorded
     * timeline's side file of checkpoints written, or not used (then the line starts {@code warning:}).
     */
    default void noteTo(java.util.function.Consumer<String> sink) {
    }

    /**
     * Makes every later {@link #at} cost about the same whatever the step: a long recorded timeline
     * gets its side file of checkpoints (docs/timeline-format.md) if it has none. Nothing for other sources.
     */
    default void prepareTimeTravel() {
    }

    /** Set when only part of the source could be read: where it stopped being readable and why. */
    default Optional<String> damage() {
        return Optional.empty();
    }
}
