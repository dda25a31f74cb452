package io.mallocscope.cli.explain;

import io.mallocscope.cli.model.Op;
import io.mallocscope.cli.model.Story;
import io.mallocscope.runtime.timeline.SideFiles;
import io.mallocscope.runtime.timeline.Timeline;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * What the text timeline's telling knows every {@code every} steps, in a side file
 * {@code FILE.timeline.story} beside the timeline, so that {@code timeline FILE --from N} starts telling
 * from the nearest saved step instead of following every call from step 1: the {@link Story}'s chunk
 * names and top chunk, and the {@link Narrator}'s (each process's names, variables, live, mmapped and
 * binned chunks, the lists each chunk is in, the calls that handed chunks out). A record holds the
 * whole state (a keyframe) or what changed since the record before, deflated, with its CRC-32. A
 * keyframe starts when the records since the last one add up to as much as it (or after
 * {@link #KEYFRAME_EVERY} records), so restoring reads about a keyframe and a half.
 *
 * <p>Layout: the magic {@code MALLOCST} and a version byte; the records; the index (the steps between
 * records, whether the narration's state is saved, the timeline's length, the CRC-32 of its first and
 * last 64 KiB, its steps and events; then each record's step, offset, length, CRC-32 and keyframe); a
 * trailer (the index's offset, length and CRC-32, the magic again). A side file that does not match its
 * timeline, or was written by another version, is not used.
 */
public final class StoryCheckpoints {
    /** What is appended to a timeline's file name to name its side file. */
    public static final String SUFFIX = ".story";
    static final byte[] MAGIC = {'M', 'A', 'L', 'L', 'O', 'C', 'S', 'T'};
    /**
     * The version written and read: a change to what the telling keeps, or to how a step changes it,
     * must change it (an older side file is then written again).
     */
    static final int VERSION = 3;
    /** At most this many records from one keyframe to the next (sooner when the changes add up to one). */
    static final int KEYFRAME_EVERY = 256;
    private static final int TRAILER = 8 + 4 + 4 + MAGIC.length;
    private static final int EDGE = 64 << 10;

    private final Path file;
    private final int every;
    private final boolean narrated;
    private final int[] steps;
    private final long[] offsets;
    private final int[] lengths;
    private final int[] crcs;
    private final int[] keyframes;

    private StoryCheckpoints(Path file, int every, boolean narrated, int[] steps, long[] offsets, int[] lengths,
                             int[] crcs, int[] keyframes) {
        this.file = file;
        this.every = every;
        this.narrated = narrated;
        this.steps = steps;
        this.offsets = offsets;
        this.lengths = lengths;
        this.crcs = crcs;
        this.keyframes = keyframes;
    }

    /** The side file of {@code timeline}: its name with {@link #SUFFIX} appended, in the same directory. */
    public static Path sideFile(Path timeline) {
        return timeline.resolveSibling(timeline.getFileName() + SUFFIX);
    }

    /** Steps between two saved states. */
    public int every() {
        return every;
    }

    /** How many states are saved. */
    public int count() {
        return steps.length;
    }

    /** Whether the narration's state is saved too (a timeline recorded with the program's writes). */
    boolean narrated() {
        return narrated;
    }

    /** The step after which state {@code i} was saved. */
    public int step(int i) {
        return steps[i];
    }

    /** The last state saved after step {@code step} or an earlier one, or -1. */
    public int atOrBefore(int step) {
        int i = Arrays.binarySearch(steps, step);
        return i >= 0 ? i : -i - 2;
    }

    // ================================================================ writing

    /**
     * Writes the side file of {@code timeline} (read from {@code timelineFile}, whose calls are
     * {@code ops}): follows every call as the text timeline does, without telling, and saves the state
     * after every {@code every} steps. Written to a temporary file first, so a reader never sees half of it.
     *
     * @return how many states were saved
     */
    public static int write(Path timelineFile, Timeline timeline, List<Op> ops, int every) throws IOException {
        if (every < 1) {
            throw new IllegalArgumentException("every " + every + " steps");
        }
        Path side = sideFile(timelineFile);
        Path tmp = Files.createTempFile(side.toAbsolutePath().getParent(), side.getFileName().toString(), ".tmp");
        Narrator narrator = Narrator.tells(timeline) ? new Narrator(timeline, Narrator.Writes.none) : null;
        Story story = new Story();
        List<int[]> dir = new ArrayList<>(); // step, crc, keyframe, length
        List<Long> at = new ArrayList<>();
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        boolean moved = false;
        try {
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                out.write(MAGIC);
                out.write(VERSION);
                long pos = MAGIC.length + 1;
                int keyframe = -1;
                long keyframeRaw = 0;
                long rawSinceKeyframe = 0;
                int n = Math.min(ops.size(), timeline.steps());
                for (int step = 1; step <= n; step++) {
                    story.skip(ops.get(step - 1));
                    if (step % every != 0) {
                        continue;
                    }
                    // a keyframe when restoring through the records since the last would read as much as one again
                    boolean whole = keyframe < 0 || rawSinceKeyframe >= keyframeRaw || dir.size() - keyframe >= KEYFRAME_EVERY;
                    ByteArrayOutputStream raw = new ByteArrayOutputStream(1 << 12);
                    DataOutputStream d = new DataOutputStream(raw);
                    d.writeBoolean(whole);
                    story.save(d, whole);
                    if (narrator != null) {
                        narrator.followTo(step);
                        narrator.save(d, whole, story);
                    }
                    d.flush();
                    if (whole) {
                        keyframe = dir.size();
                        keyframeRaw = raw.size();
                        rawSinceKeyframe = 0;
                    } else {
                        rawSinceKeyframe += raw.size();
                    }
                    byte[] packed = SideFiles.deflate(deflater, raw.toByteArray(), ByteOrder.BIG_ENDIAN);
                    CRC32 crc = new CRC32();
                    crc.update(packed);
                    out.write(packed);
                    dir.add(new int[] {step, (int) crc.getValue(), keyframe, packed.length});
                    at.add(pos);
                    pos += packed.length;
                }
                ByteArrayOutputStream ix = new ByteArrayOutputStream();
                DataOutputStream d = new DataOutputStream(ix);
                d.writeInt(every);
                d.writeBoolean(narrator != null);
                Identity.of(timelineFile, timeline).write(d);
                d.writeInt(dir.size());
                for (int i = 0; i < dir.size(); i++) {
                    int[] r = dir.get(i);
                    d.writeInt(r[0]);
                    d.writeLong(at.get(i));
                    d.writeInt(r[3]);
                    d.writeInt(r[1]);
                    d.writeInt(r[2]);
                }
                d.flush();
                byte[] index = ix.toByteArray();
                CRC32 crc = new CRC32();
                crc.update(index);
                out.write(index);
                DataOutputStream t = new DataOutputStream(out);
                t.writeLong(pos);
                t.writeInt(index.length);
                t.writeInt((int) crc.getValue());
                t.write(MAGIC);
                t.flush();
            }
            SideFiles.publish(tmp, side, timelineFile);
            moved = true;
        } finally {
            deflater.end();
            if (narrator != null) {
                narrator.close();
            }
            if (!moved) {
                Files.deleteIfExists(tmp); // whatever stopped the writing (an error too): no half file left
            }
        }
        return dir.size();
    }

    // ================================================================ reading

    /**
     * Why a side file is not used: missing (nothing to say), stale (written again), written by another
     * version of mallocscope (written again, said so) or damaged.
     */
    enum Problem { MISSING, STALE, OTHER_VERSION, DAMAGED }

    /** The side file read, or why not (with a reason for a damaged one). */
    record Loaded(StoryCheckpoints checkpoints, Problem problem, String why) {
    }

    /** Reads the side file of {@code timeline} (read from {@code timelineFile}) when it matches it. */
    static Loaded load(Path timelineFile, Timeline timeline) {
        Path side = sideFile(timelineFile);
        if (!Files.isRegularFile(side)) {
            return new Loaded(null, Problem.MISSING, "");
        }
        try (FileChannel ch = FileChannel.open(side, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < MAGIC.length + 1 + TRAILER) {
                return new Loaded(null, Problem.DAMAGED, side + " is too short");
            }
            byte[] head = SideFiles.read(ch, 0, MAGIC.length + 1);
            if (!Arrays.equals(Arrays.copyOf(head, MAGIC.length), MAGIC)) {
                return new Loaded(null, Problem.DAMAGED, side + " is not a story side file");
            }
            if (head[MAGIC.length] != VERSION) {
                return new Loaded(null, Problem.OTHER_VERSION, side + " is of version " + head[MAGIC.length]);
            }
            DataInputStream t = new DataInputStream(new java.io.ByteArrayInputStream(SideFiles.read(ch, size - TRAILER, TRAILER)));
            long indexAt = t.readLong();
            int indexLength = t.readInt();
            int indexCrc = t.readInt();
            byte[] magic = t.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC) || indexAt < MAGIC.length + 1 || indexLength < 0
                    || indexAt + indexLength != size - TRAILER) {
                return new Loaded(null, Problem.DAMAGED, side + " is cut short or damaged (its trailer)");
            }
            byte[] index = SideFiles.read(ch, indexAt, indexLength);
            CRC32 crc = new CRC32();
            crc.update(index);
            if ((int) crc.getValue() != indexCrc) {
                return new Loaded(null, Problem.DAMAGED, side + " is damaged (its index's checksum)");
            }
            DataInputStream d = new DataInputStream(new java.io.ByteArrayInputStream(index));
            int every = d.readInt();
            boolean narrated = d.readBoolean();
            if (!Identity.read(d).equals(Identity.of(timelineFile, timeline))) {
                return new Loaded(null, Problem.STALE, side + " was written for another timeline");
            }
            int n = d.readInt();
            if (n < 0 || n > indexLength / 24) {
                return new Loaded(null, Problem.DAMAGED, side + " is damaged (its index)");
            }
            int[] steps = new int[n];
            long[] offsets = new long[n];
            int[] lengths = new int[n];
            int[] crcs = new int[n];
            int[] keyframes = new int[n];
            for (int i = 0; i < n; i++) {
                steps[i] = d.readInt();
                offsets[i] = d.readLong();
                lengths[i] = d.readInt();
                crcs[i] = d.readInt();
                keyframes[i] = d.readInt();
                if (offsets[i] < MAGIC.length + 1 || lengths[i] < 0 || offsets[i] + lengths[i] > indexAt
                        || keyframes[i] < 0 || keyframes[i] > i || (i > 0 && steps[i] <= steps[i - 1])) {
                    return new Loaded(null, Problem.DAMAGED, side + " is damaged (its index)");
                }
            }
            return new Loaded(new StoryCheckpoints(side, every, narrated, steps, offsets, lengths, crcs, keyframes),
                    null, "");
        } catch (IOException e) {
            return new Loaded(null, Problem.DAMAGED, side + " cannot be read (" + e.getMessage() + ")");
        }
    }

    /**
     * Restores state {@code i} into a new {@code story} and {@code narrator} (null when the timeline
     * is not narrated): they then know what they knew after step {@link #step(int) step(i)}.
     */
    void restore(int i, Story story, Narrator narrator) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Inflater inflater = new Inflater();
            try {
                for (int r = keyframes[i]; r <= i; r++) {
                    byte[] packed = SideFiles.read(ch, offsets[r], lengths[r]);
                    CRC32 crc = new CRC32();
                    crc.update(packed);
                    if ((int) crc.getValue() != crcs[r]) {
                        throw new IOException(file + " is damaged (the checksum of the state after step " + steps[r]
                                + ")");
                    }
                    DataInputStream d = new DataInputStream(new java.io.ByteArrayInputStream(SideFiles.inflate(inflater, packed, ByteOrder.BIG_ENDIAN)));
                    if (d.readBoolean() != (r == keyframes[i])) {
                        throw new IOException(file + " is damaged (the state after step " + steps[r] + ")");
                    }
                    story.load(d);
                    if (narrated && narrator != null) {
                        narrator.load(d, story);
                        if (narrator.told() != steps[r]) {
                            throw new IOException(file + " is damaged (the state after step " + steps[r] + ")");
                        }
                    }
                }
            } catch (DataFormatException | java.io.EOFException | RuntimeException e) {
                throw new IOException(file + " is damaged (" + e.getMessage() + ")", e);
            } finally {
                inflater.end();
            }
        }
    }

    /** What the side file checks of its timeline: length, steps, events, the checksums of its two ends. */
    private record Identity(long length, int steps, int events, int headCrc, int tailCrc) {
        static Identity of(Path timelineFile, Timeline timeline) throws IOException {
            try (FileChannel ch = FileChannel.open(timelineFile, StandardOpenOption.READ)) {
                long size = ch.size();
                int head = (int) Math.min(size, EDGE);
                int tail = (int) Math.min(size, EDGE);
                return new Identity(size, timeline.steps(), timeline.size(), crc(SideFiles.read(ch, 0, head)),
                        crc(SideFiles.read(ch, size - tail, tail)));
            }
        }

        static Identity read(DataInputStream d) throws IOException {
            return new Identity(d.readLong(), d.readInt(), d.readInt(), d.readInt(), d.readInt());
        }

        void write(DataOutputStream d) throws IOException {
            d.writeLong(length);
            d.writeInt(steps);
            d.writeInt(events);
            d.writeInt(headCrc);
            d.writeInt(tailCrc);
        }

        private static int crc(byte[] b) {
            CRC32 c = new CRC32();
            c.update(b);
            return (int) c.getValue();
        }
    }
}
