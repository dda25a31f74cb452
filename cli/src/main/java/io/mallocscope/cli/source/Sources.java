package io.mallocscope.cli.source;

import io.mallocscope.cli.UserError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Opens a SOURCE argument: a malloclab trace ({@code .rep}, replayed in-process with the given glibc
 * profile and tunables) or a recorded timeline (anything else). Chosen by a lookup on the file
 * extension.
 */
public final class Sources {
    /** How to open one kind of source. */
    @FunctionalInterface
    public interface Opener {
        StateSource open(Path file, ReplaySettings settings);
    }

    /** The allocator set-up a trace is replayed with (ignored for timelines, which carry their own). */
    public record ReplaySettings(String glibc, String tunables) {
    }

    private static final Map<String, Opener> BY_EXTENSION = Map.of("rep", RepSource::open);
    private static final Opener DEFAULT = TimelineSource::open;

    private Sources() {
    }

    /**
     * Opens {@code file} through {@link Inputs}: a {@code .rep} file is a trace, any other file a timeline;
     * a stream ({@code -}, a FIFO, {@code <(…)}) is a timeline when it starts like one, else a trace.
     */
    public static StateSource open(Path file, ReplaySettings settings) {
        return open(Inputs.open(file), settings);
    }

    /** Opens an input already checked by {@link Inputs#open}. */
    public static StateSource open(Inputs.Input in, ReplaySettings settings) {
        Path file = in.path();
        if (in.stream()) {
            return Inputs.isTimeline(in) ? DEFAULT.open(in.path(), settings) : RepSource.open(in, settings);
        }
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return BY_EXTENSION.getOrDefault(ext, DEFAULT).open(file, settings);
    }
}
