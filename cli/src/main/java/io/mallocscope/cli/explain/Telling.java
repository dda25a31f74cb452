package io.mallocscope.cli.explain;

import io.mallocscope.cli.model.Story;
import io.mallocscope.cli.source.StateSource;
import io.mallocscope.runtime.timeline.Checkpoints;
import io.mallocscope.runtime.timeline.Timeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * A {@link Story} and its narration ready to tell a source's calls from one of them on, knowing what
 * telling every call before it would have taught them (chunk names, top, live and binned chunks,
 * variables, lists): the next call to hand them is {@link #after()} + 1. For a long timeline they start
 * from the state its {@link StoryCheckpoints} side file saved nearest before that call, and follow the
 * few calls between; without one they follow every call from step 1, without telling it.
 */
public final class Telling {
    private final Story story;
    private final IntFunction<List<String>> narration;
    private final int after;

    private Telling(Story story, IntFunction<List<String>> narration, int after) {
        this.story = story;
        this.narration = narration;
        this.after = after;
    }

    /** The story, which tells (or skips) call {@link #after()} + 1 next, and every call after in order. */
    public Story story() {
        return story;
    }

    /** The narration the story adds under each call, or null (a trace, a timeline without writes). */
    public IntFunction<List<String>> narration() {
        return narration;
    }

    /** The calls already known: the story starts with call {@code after() + 1}. */
    public int after() {
        return after;
    }

    /**
     * Ready to tell {@code source}'s call {@code first} (and the calls after it) with the narration of
     * {@code writes} (null: none). A recorded timeline of {@link Checkpoints#WORTH_IT} steps or more read
     * from {@code file} gets its side file when it has none (said on {@code notes}, as its checkpoints are).
     */
    public static Telling from(StateSource source, Path file, Narrator.Writes writes, int first,
                               Consumer<String> notes) {
        Timeline t = source.timeline().orElse(null);
        Telling fresh = fresh(t, writes);
        if (t == null || first <= 1 || file == null) {
            return fresh;
        }
        for (boolean again = false; ; again = true) {
            StoryCheckpoints side = sideFile(source, file, t, first, notes);
            int i = side == null ? -1 : side.atOrBefore(first - 1);
            if (i < 0 || (fresh.narration != null && !side.narrated())) {
                return fresh;
            }
            Narrator narrator = fresh.narration == null ? null : new Narrator(t, writes);
            Story story = new Story(narrator == null ? null : narrator::linesFor);
            try {
                side.restore(i, story, narrator);
                return new Telling(story, narrator == null ? null : narrator::linesFor, side.step(i));
            } catch (IOException e) {
                if (narrator != null) {
                    narrator.close();
                }
                // a record whose checksum fails only now: the file is written again once, so that this
                // and every later --from N start from a saved state rather than from step 1
                if (again || !deleted(StoryCheckpoints.sideFile(file))) {
                    notes.accept("warning: " + e.getMessage() + ": told from step 1 instead");
                    return fresh;
                }
                notes.accept("warning: " + e.getMessage() + ": writing it again");
            }
        }
    }

    private static boolean deleted(Path side) {
        try {
            return Files.deleteIfExists(side);
        } catch (IOException e) {
            return false;
        }
    }

    private static Telling fresh(Timeline t, Narrator.Writes writes) {
        IntFunction<List<String>> narration = t == null ? null : Narrator.of(t, writes);
        return new Telling(new Story(narration), narration, 0);
    }

    /**
     * The timeline's story side file, written now when it has none (or a stale one) and is long enough
     * to be worth one; null when there is none to use.
     */
    private static StoryCheckpoints sideFile(StateSource source, Path file, Timeline t, int first,
                                             Consumer<String> notes) {
        StoryCheckpoints.Loaded loaded = StoryCheckpoints.load(file, t);
        if (loaded.checkpoints() != null) {
            return loaded.checkpoints();
        }
        int every = t.checkpoints().map(Checkpoints::every).orElse(Checkpoints.DEFAULT_EVERY);
        if (t.steps() < Checkpoints.WORTH_IT || first - 1 < every || !Files.isRegularFile(file)) {
            if (loaded.problem() == StoryCheckpoints.Problem.DAMAGED) {
                notes.accept("warning: " + loaded.why() + ": told from step 1 instead");
            }
            return null;
        }
        source.prepareTimeTravel(); // the process's checkpoints first: the telling restores them too
        every = t.checkpoints().map(Checkpoints::every).orElse(Checkpoints.DEFAULT_EVERY);
        Path side = StoryCheckpoints.sideFile(file);
        try {
            int n = StoryCheckpoints.write(file, t, source.ops(), every);
            notes.accept("wrote " + side + " (the story's state after every " + every + " steps, " + n + " of them"
                    + (loaded.problem() == StoryCheckpoints.Problem.OTHER_VERSION
                    ? ", replacing one written by another version of mallocscope" : "")
                    + "): timeline " + file.getFileName() + " --from N now starts telling from the nearest one");
        } catch (IOException | UncheckedIOException e) {
            notes.accept("warning: cannot write " + side + " (" + e.getMessage() + "): timeline --from N of "
                    + file.getFileName() + " follows every call from step 1");
            return null;
        }
        StoryCheckpoints.Loaded again = StoryCheckpoints.load(file, t);
        if (again.checkpoints() == null) {
            notes.accept("warning: " + again.why() + ": told from step 1 instead");
        }
        return again.checkpoints();
    }
}
