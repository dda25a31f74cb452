package io.mallocscope.cli.source;

import io.mallocscope.cli.UserError;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.malloc.GlibcProfile;
import io.mallocscope.runtime.timeline.Timeline;
import io.mallocscope.runtime.trace.ThreadedTrace;
import io.mallocscope.runtime.trace.Trace;
import io.mallocscope.runtime.trace.TraceFile;
import io.mallocscope.runtime.trace.TraceFormatException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The one way every command opens an input (a trace, a timeline) and says what is wrong with it, so
 * that the same mistake gives the same line and status everywhere: a missing file, a directory, a
 * device, no permission are usage errors (2) naming what the path is; a trace line that does not parse
 * is {@code FILE:LINE: …} (1); a bad {@code # tunables:} line is a usage error (2). {@code -} (standard
 * input), a FIFO and bash's {@code <(…)} are read as streams.
 */
public final class Inputs {
    /** An input ready to read: a regular file ({@code stream}: a copy of what a stream gave), named as typed. */
    public record Input(Path path, String name, boolean stream) {
    }

    private Inputs() {
    }

    public static Input open(Path typed) {
        String name = typed.toString();
        if (name.equals("-")) {
            return copy(System.in, name, false);
        }
        String kind = FileKinds.notRegular(typed);
        if (kind == null) {
            if (!Files.isReadable(typed)) {
                throw UserError.usage(name + ": permission denied");
            }
            return new Input(typed, name, false);
        }
        if (kind.equals("missing")) {
            throw UserError.usage(name + ": no such file");
        }
        if (kind.contains("pipe") || kind.contains("FIFO") || kind.contains("character device")) {
            try (InputStream in = Files.newInputStream(typed)) {
                return copy(in, name, kind.contains("character device"));
            } catch (IOException e) {
                throw cannotRead(name, e);
            }
        }
        throw UserError.usage(name + ": it is " + kind + ", not a trace or a timeline");
    }

    /**
     * Reads a stream to its end into a temporary file (deleted when the JVM exits). With {@code sniff} (a
     * character device), first bytes that are neither a timeline's nor text (a NUL among them: /dev/zero,
     * /dev/urandom) are refused before more is read: such a device never ends, and a copy of it would
     * fill the disk. (A pipe's binary bytes are copied and then told apart line by line, as a file's are.)
     */
    private static Input copy(InputStream in, String name, boolean sniff) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("mallocscope-input-", ".bin");
            tmp.toFile().deleteOnExit();
            byte[] head = in.readNBytes(4096);
            Files.write(tmp, head);
            boolean text = true;
            for (byte b : head) {
                text &= b != 0;
            }
            if (sniff && !text && !Timeline.looksLikeTimeline(tmp)) {
                throw UserError.usage(name + ": it is a device whose first bytes are binary, not a trace or a timeline");
            }
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.APPEND)) {
                in.transferTo(out);
            }
            return new Input(tmp, name, true);
        } catch (IOException e) {
            throw cannotRead(name, e);
        } catch (UserError e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // deleted at exit anyway
            }
            throw e;
        }
    }

    public static UserError cannotRead(String name, IOException e) {
        String why = e instanceof AccessDeniedException ? "permission denied"
                : e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
                : String.valueOf(e.getMessage());
        return UserError.usage(name + ": cannot read it: " + why);
    }

    /** True if the input starts as a timeline does (a stream has no extension to go by). */
    public static boolean isTimeline(Input in) {
        try {
            return Timeline.looksLikeTimeline(in.path());
        } catch (IOException e) {
            throw cannotRead(in.name(), e);
        }
    }

    /** The trace in {@code in}: a line that does not parse is {@code FILE:LINE: …}, status 1. */
    public static Trace trace(Input in) {
        try {
            return in.stream() ? Trace.parseBytes(in.name(), Files.readAllBytes(in.path())) : Trace.read(in.path());
        } catch (TraceFormatException e) {
            throw UserError.data(e.getMessage());
        } catch (IOException e) {
            throw cannotRead(in.name(), e);
        }
    }

    /** A trace as read: {@code threaded} is set when it has thread lines, and {@code trace} is then its ops. */
    public record Traced(Trace trace, ThreadedTrace threaded) {
    }

    /**
     * The trace in {@code in}, with thread lines ({@code T K}, {@code X K}) or without: the errors of
     * {@link #trace(Input)}. A trace without them is read as {@link #trace(Input)} reads it.
     */
    public static Traced traced(Input in) {
        try {
            try {
                Trace t = in.stream() ? Trace.parseBytes(in.name(), Files.readAllBytes(in.path())) : Trace.read(in.path());
                return new Traced(t, null);
            } catch (TraceFormatException e) {
                if (!String.valueOf(e.getMessage()).contains(": " + Trace.THREAD_LINE + " (")) {
                    throw e;
                }
                // one char per byte: a byte that is not ASCII is reported by its value, as Trace reports it
                String text = new String(Files.readAllBytes(in.path()), StandardCharsets.ISO_8859_1);
                if (text.startsWith("\u00ef\u00bb\u00bf")) {
                    text = text.substring(3); // a UTF-8 byte-order mark, as Trace skips it
                }
                ThreadedTrace tt = ThreadedTrace.parse(in.name(), text);
                return new Traced(tt.ops(), tt);
            }
        } catch (TraceFormatException e) {
            throw UserError.data(e.getMessage());
        } catch (IOException e) {
            throw cannotRead(in.name(), e);
        }
    }

    /**
     * The trace in {@code in} checked but not held, to be replayed as it is read again (a replay of
     * millions of ops): the same errors as {@link #trace(Input)}.
     */
    public static TraceFile traceFile(Input in) {
        try {
            return TraceFile.open(in.path(), in.name());
        } catch (TraceFormatException e) {
            throw UserError.data(e.getMessage());
        } catch (IOException e) {
            throw cannotRead(in.name(), e);
        }
    }

    /**
     * The process options a trace is replayed with: {@code glibc}, and the trace's {@code # tunables:}
     * line or else {@code tunables}. A profile or tunables that make no process are a usage error naming
     * where they came from.
     */
    public static ProcessOptions replayOptions(Trace t, String glibc, String tunables) {
        return replayOptions(t.name(), t.tunables(), glibc, tunables);
    }

    /** As {@link #replayOptions(Trace, String, String)} for a trace read as a stream. */
    public static ProcessOptions replayOptions(TraceFile t, String glibc, String tunables) {
        return replayOptions(t.name(), t.tunables(), glibc, tunables);
    }

    /** The tunables a trace is replayed with: its own {@code # tunables:} line, else {@code tunables} ("" for none). */
    public static String tunables(Trace t, String tunables) {
        return tunables(t.tunables(), tunables);
    }

    private static String tunables(String own, String given) {
        return own != null ? own : given == null ? "" : given;
    }

    /**
     * As {@link #replayOptions(Trace, String, String)} for trace {@code name} whose own tunables are
     * {@code own} (null: it has no {@code # tunables:} line).
     */
    public static ProcessOptions replayOptions(String name, String own, String glibc, String tunables) {
        ProcessOptions o = ProcessOptions.defaults().withGlibc(glibc).withTunables(tunables(own, tunables))
                .withStdout(OutputStream.nullOutputStream()).withStderr(OutputStream.nullOutputStream());
        try {
            GlibcProfile.forVersion(o.glibc());
            GlibcProfile.checkTunables(o.tunables());
        } catch (IllegalArgumentException e) {
            throw UserError.usage((own != null ? name + ": its '# tunables:' line: " : "") + e.getMessage());
        }
        return o;
    }
}
