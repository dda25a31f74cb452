package io.mallocscope.runtime.timeline;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.malloc.Malloc;
import io.mallocscope.runtime.vm.AddressSpace;
import io.mallocscope.runtime.vm.Region;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Time travel for a timeline: a side file {@code FILE.timeline.ckpt} beside it holding the timeline's
 * index (where each block starts, the decoder state there, how many steps come before it) and
 * checkpoints of the rebuilt process every {@code every} steps (its mappings, every page holding
 * data, the break, the allocator's few Java-side fields). {@link Timeline#read} opens the index
 * instead of reading the whole timeline, and {@link Reconstructor} restores the nearest checkpoint
 * at or before a step and replays only the calls after it, so a view costs the same at any step of
 * any timeline. The format is in docs/timeline-format.md.
 *
 * <p>A keyframe holds every page; a checkpoint between two keyframes holds only the pages that
 * changed since the checkpoint before it (the others are marked unchanged). The writer starts a
 * keyframe every {@link #KEYFRAME_EVERY} checkpoints, or sooner when the changed pages since the last
 * one add up to half the heap, so restoring reads at most {@link #KEYFRAME_EVERY} records and about a
 * heap and a half of pages. Each checkpoint is deflated on its own, with a CRC-32.
 *
 * <p>A side file that does not match its timeline (its length, the checksums of its first, last
 * and some other blocks) or is damaged is not used: the timeline is then read and rebuilt from step
 * 0 as without it, and {@link Timeline#checkpointNote()} says why.
 */
public final class Checkpoints {
    /** What is appended to a timeline's file name to name its side file. */
    public static final String SUFFIX = ".ckpt";
    /** Steps between two checkpoints unless told otherwise. */
    public static final int DEFAULT_EVERY = 1024;
    /** A timeline with fewer steps than this rebuilds from step 0 fast enough not to need a side file. */
    public static final int WORTH_IT = 8192;

    static final byte[] MAGIC = {'M', 'A', 'L', 'L', 'O', 'C', 'C', 'K'};
    /** The version this writer writes: 2 adds pages stored as the words changed since the checkpoint before. */
    static final int VERSION = 2;
    /** The oldest version still read (its records hold whole pages only). */
    static final int OLDEST_VERSION = 1;
    /** Every this many checkpoints one holds every page; the ones between, the pages changed since the one before. */
    static final int KEYFRAME_EVERY = 16;
    private static final int TRAILER = 8 + 4 + 4 + MAGIC.length;

    private final Path file;
    private final int every;
    private final int[] steps;
    private final int[] events;
    private final long[] offsets;
    private final int[] lengths;
    private final int[] crcs;
    private final int[] keyframes;
    private final int departureEvent;
    private final String departure;
    private final String departurePrefix;

    private Checkpoints(Path file, int every, int[] steps, int[] events, long[] offsets, int[] lengths, int[] crcs,
                        int[] keyframes, int departureEvent, String departure, String departurePrefix) {
        this.file = file;
        this.every = every;
        this.steps = steps;
        this.events = events;
        this.offsets = offsets;
        this.lengths = lengths;
        this.crcs = crcs;
        this.keyframes = keyframes;
        this.departureEvent = departureEvent;
        this.departure = departure;
        this.departurePrefix = departurePrefix;
    }

    /** The side file of {@code timeline}: its name with {@link #SUFFIX} appended, in the same directory. */
    public static Path sideFile(Path timeline) {
        return timeline.resolveSibling(timeline.getFileName() + SUFFIX);
    }

    /** The side file these checkpoints were read from. */
    public Path file() {
        return file;
    }

    /** Steps between two checkpoints. */
    public int every() {
        return every;
    }

    /** How many checkpoints there are. */
    public int count() {
        return steps.length;
    }

    /** The step of checkpoint {@code i}. */
    public int step(int i) {
        return steps[i];
    }

    /** The last checkpoint whose state is the process just before event {@code event}, or -1. */
    int atOrBefore(int event) {
        int i = Arrays.binarySearch(events, event);
        return i >= 0 ? i : -i - 2;
    }

    /** The event checkpoint {@code i} stands before (everything earlier replayed). */
    int event(int i) {
        return events[i];
    }

    /** Where the replay first departs from the recording, if before {@code event}: {where, problem prefix}. */
    String[] departureBefore(int event) {
        return departureEvent >= 0 && departureEvent < event ? new String[] {departure, departurePrefix} : null;
    }

    int departureBeforeEvent() {
        return departureEvent;
    }

    // ================================================================ writing

    /**
     * Writes {@code timeline}'s side file (read from {@code timelineFile}): replays it from step 0 and
     * keeps the process every {@code every} steps. Memory: the rebuilt process and one copy of its
     * pages (the checkpoint before). Written to a temporary file first, so a reader never sees half of it.
     *
     * @return how many checkpoints were written
     * @throws IOException if the side file cannot be written
     */
    public static int write(Path timelineFile, Timeline timeline, int every) throws IOException {
        return write(timelineFile, timeline, every, VERSION);
    }

    /** As {@link #write(Path, Timeline, int)}, in format {@code version} (1: whole pages only; for tests of old files). */
    static int write(Path timelineFile, Timeline timeline, int every, int version) throws IOException {
        if (version < OLDEST_VERSION || version > VERSION) {
            throw new IllegalArgumentException("version " + version);
        }
        if (every < 1) {
            throw new IllegalArgumentException("every " + every + " steps");
        }
        Path side = sideFile(timelineFile);
        // a name of its own, so that two views writing at once do not write into one file
        Path tmp = Files.createTempFile(side.toAbsolutePath().getParent(), side.getFileName().toString(), ".tmp");
        List<int[]> dir = new ArrayList<>(); // step, event, crc, keyframe
        List<long[]> at = new ArrayList<>(); // offset, length
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try (Reconstructor r = new Reconstructor(timeline, false);
             OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            out.write(MAGIC);
            out.write(version);
            long pos = MAGIC.length + 1;
            Map<Long, byte[]> previous = null;
            int keyframeIndex = -1;
            long rawSinceKeyframe = 0;
            for (int step = every; step <= timeline.steps(); step += every) {
                CProcess p = r.stateAt(step);
                if (!restorable(p)) {
                    previous = null; // a mapping with a page cache: no checkpoint while it lasts
                    continue;
                }
                Pages pages = Pages.of(p, previous);
                // a keyframe when restoring through the chain would read more than half a heap again
                long heap = (long) pages.numbers.length * AddressSpace.PAGE_SIZE;
                boolean keyframe = previous == null || dir.size() - keyframeIndex >= KEYFRAME_EVERY
                        || 2 * (rawSinceKeyframe + (version >= 2 ? pages.changedBytes : pages.changedPages
                        * AddressSpace.PAGE_SIZE)) > heap;
                Map<Long, byte[]> now = new HashMap<>();
                byte[] raw = capture(p, keyframe ? Pages.of(p, null) : pages, keyframe ? null : previous, now, version >= 2);
                if (keyframe) {
                    keyframeIndex = dir.size();
                    rawSinceKeyframe = 0;
                } else {
                    rawSinceKeyframe += version >= 2 ? pages.changedBytes : pages.changedPages * AddressSpace.PAGE_SIZE;
                }
                previous = now;
                byte[] packed = SideFiles.deflate(deflater, raw, ByteOrder.LITTLE_ENDIAN);
                CRC32 crc = new CRC32();
                crc.update(packed);
                out.write(packed);
                dir.add(new int[] {step, timeline.endOfStep(step), (int) crc.getValue(), keyframeIndex});
                at.add(new long[] {pos, packed.length});
                pos += packed.length;
            }
            Departure departure = new Departure(r);
            // the index is stored as is: reading it is one read and bulk copies, no inflating
            byte[] index = index(timelineFile, timeline, every, dir, at, departure);
            CRC32 crc = new CRC32();
            crc.update(index);
            out.write(index);
            Out t = new Out();
            t.i64(pos);
            t.i32(index.length);
            t.i32((int) crc.getValue());
            t.b.writeBytes(MAGIC);
            t.b.writeTo(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        } finally {
            deflater.end();
        }
        SideFiles.publish(tmp, side, timelineFile);
        return dir.size();
    }

    /** The departure the writer's full replay found (the event and words a restored replay must repeat). */
    private record Departure(int event, String where, String prefix) {
        Departure(Reconstructor r) {
            this(r.departureEvent(), r.departureWhere(), r.departurePrefix());
        }
    }

    /**
     * Whether a checkpoint holds all of {@code p}: one thread, no forked children (their state is not
     * in a checkpoint) and no mapping with a page cache behind it.
     */
    private static boolean restorable(CProcess p) {
        if (p.malloc().javaState().multipleThreads() || !p.children().isEmpty()) {
            return false;
        }
        for (Region r : p.memory().regions()) {
            if (r.file() != null) {
                return false;
            }
        }
        return true;
    }

    /**
     * One checkpoint's bytes: break, errno, the allocator's Java state, the mappings, and every page
     * holding data: raw, or "as in the checkpoint before" when it is the same as in {@code previous}
     * (null for a keyframe). {@code keep} receives a copy of each page (shared with {@code previous}
     * when unchanged), for the next checkpoint to compare against.
     */
    private static byte[] capture(CProcess p, Pages pages, Map<Long, byte[]> previous, Map<Long, byte[]> keep,
                                  boolean words) {
        Out o = new Out();
        o.i64(p.kernel().currentBrk());
        o.i32(p.kernel().errno());
        Malloc.JavaState m = p.malloc().javaState();
        o.i64(m.av());
        o.i64(m.tp());
        o.u8(m.multipleThreads() ? 1 : 0);
        o.i64(m.fallbackSize());
        o.longs(m.mmappedChunks());
        o.longs(m.segments());
        List<Region> regions = p.memory().regions();
        o.varint(regions.size());
        for (Region r : regions) {
            o.i64(r.start());
            o.i64(r.end());
            o.varint(r.prot());
            o.str(r.name());
            o.i64(r.offset());
            o.u8(r.shared() ? 1 : 0);
        }
        o.varint(pages.numbers.length);
        long last = 0;
        for (int i = 0; i < pages.numbers.length; i++) {
            long n = pages.numbers[i];
            o.varint(n - last);
            last = n;
            byte[] b = pages.bytes[i];
            byte[] before = previous == null ? null : previous.get(n);
            if (pages.same[i]) {
                o.u8(PAGE_SAME);
                keep.put(n, before);
            } else if (words && before != null && diff(before, b, o)) {
                keep.put(n, b.clone()); // PAGE_WORDS and the words that changed, written by diff
            } else {
                o.u8(PAGE_RAW);
                o.b.writeBytes(b);
                keep.put(n, b.clone());
            }
        }
        return o.b.toByteArray();
    }

    /**
     * The pages of a process holding data, by number, which are the same as in {@code previous}, and
     * about how many bytes the changed ones take (whole pages, or the words changed in a page that was there).
     */
    private record Pages(long[] numbers, byte[][] bytes, boolean[] same, int changedPages, long changedBytes) {
        static Pages of(CProcess p, Map<Long, byte[]> previous) {
            Map<Long, byte[]> live = new HashMap<>();
            p.memory().forEachPage(live::put);
            long[] numbers = live.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
            byte[][] bytes = new byte[numbers.length][];
            boolean[] same = new boolean[numbers.length];
            long changed = 0;
            int changedPages = 0;
            for (int i = 0; i < numbers.length; i++) {
                bytes[i] = live.get(numbers[i]);
                byte[] before = previous == null ? null : previous.get(numbers[i]);
                same[i] = before != null && Arrays.equals(before, bytes[i]);
                if (!same[i]) {
                    changedPages++;
                    changed += before == null ? bytes[i].length : Math.min(bytes[i].length, diffSize(before, bytes[i]));
                }
            }
            return new Pages(numbers, bytes, same, changedPages, changed);
        }
    }

    private static final int PAGE_RAW = 0;
    private static final int PAGE_SAME = 1;
    /** Version 2: the page of the checkpoint before with some of its 8-byte words replaced. */
    private static final int PAGE_WORDS = 2;
    /** A page whose changed words (with their run headers) take more than this is stored whole. */
    private static final int WORDS_AT_MOST = 3 * (int) AddressSpace.PAGE_SIZE / 4;

    /**
     * The runs of 8-byte words in which {@code now} differs from {@code before} (two pages), as
     * {start, end} byte offsets, in order.
     */
    private static List<int[]> runs(byte[] before, byte[] now) {
        List<int[]> runs = new ArrayList<>();
        int len = now.length;
        int pos = 0;
        while (pos < len) {
            int m = Arrays.mismatch(before, pos, len, now, pos, len);
            if (m < 0) {
                break;
            }
            int start = (pos + m) & ~7;
            int end = Math.min(len, start + 8);
            while (end < len && !Arrays.equals(before, end, Math.min(len, end + 8), now, end, Math.min(len, end + 8))) {
                end = Math.min(len, end + 8);
            }
            runs.add(new int[] {start, end});
            pos = end;
        }
        return runs;
    }

    /** About how many bytes {@link #diff} writes for these pages. */
    private static int diffSize(byte[] before, byte[] now) {
        int size = 3;
        for (int[] r : runs(before, now)) {
            size += 4 + r[1] - r[0];
        }
        return size;
    }

    /**
     * Writes {@code now} as {@link #PAGE_WORDS}: the count of runs, then each run's distance in words
     * from the end of the one before, its length in words and its bytes; unless that takes more than
     * {@link #WORDS_AT_MOST} bytes (then nothing is written and the page is stored whole).
     *
     * @return whether it was written
     */
    private static boolean diff(byte[] before, byte[] now, Out o) {
        if (before.length != now.length || (now.length & 7) != 0) {
            return false;
        }
        List<int[]> runs = runs(before, now);
        int size = 0;
        for (int[] r : runs) {
            size += 4 + r[1] - r[0];
        }
        if (size > WORDS_AT_MOST) {
            return false;
        }
        o.u8(PAGE_WORDS);
        o.varint(runs.size());
        int last = 0;
        for (int[] r : runs) {
            o.varint((r[0] - last) >>> 3);
            o.varint((r[1] - r[0]) >>> 3);
            o.b.write(now, r[0], r[1] - r[0]);
            last = r[1];
        }
        return true;
    }

    private static byte[] index(Path timelineFile, Timeline t, int every, List<int[]> dir, List<long[]> at,
                                Departure departure) throws IOException {
        TimelineReader.Index ix = t.index();
        Out o = new Out();
        o.i64(Files.size(timelineFile));
        TimelineHeader h = t.header();
        o.varint(h.version());
        o.varint(h.fields().size());
        h.fields().forEach((k, v) -> {
            o.str(k);
            o.str(v);
        });
        o.u8(t.problem().isPresent() ? 1 : 0);
        if (t.problem().isPresent()) {
            o.str(t.problem().get());
        }
        o.varint(t.size());
        o.varint(t.steps());
        o.ints(t.outputs());
        o.varint(ix.nBlocks);
        for (int b = 0; b < ix.nBlocks; b++) {
            o.i64(ix.blockAt[b]);
            o.varint(ix.blockFirst[b]);
            o.varint(ix.blockFirstCall[b]);
            o.i64(ix.blockLastAddr[b]);
            o.varint(ix.blockFirstText[b]);
            int[] fns = ix.blockOpenFns[b];
            o.varint(fns == null ? 0 : fns.length + 1);
            if (fns != null) {
                for (int f : fns) {
                    o.varint(f);
                }
            }
        }
        o.b.writeBytes(blockHeads(timelineFile, ix));
        o.varint(ix.sites.size());
        ix.sites.forEach((id, s) -> {
            o.varint(id);
            o.str(s);
        });
        o.varint(ix.texts.size());
        for (String s : ix.texts) {
            o.str(s);
        }
        o.varint(every);
        o.varint(dir.size());
        for (int i = 0; i < dir.size(); i++) {
            int[] d = dir.get(i);
            o.varint(d[0]);
            o.varint(d[1]);
            o.i32(d[2]);
            o.varint(d[3]);
            o.i64(at.get(i)[0]);
            o.varint((int) at.get(i)[1]);
        }
        o.varint(departure.event() + 1);
        if (departure.event() >= 0) {
            o.str(departure.where());
            o.str(departure.prefix());
        }
        return o.b.toByteArray();
    }

    /**
     * The 8-byte headers (length, CRC-32) of the header block, the last block and about 30 between,
     * as the timeline file holds them now: with its length, what tells that a side file indexes this
     * timeline (a timeline is written once, append-only; another recording differs in its header's
     * start time, a longer or cut file in its length, a damaged one in a block's checksum).
     */
    private static byte[] blockHeads(Path timelineFile, TimelineReader.Index ix) throws IOException {
        int[] blocks = sampled(ix.nBlocks);
        ByteBuffer heads = ByteBuffer.allocate(blocks.length * TimelineFormat.BLOCK_HEADER);
        try (FileChannel ch = FileChannel.open(timelineFile, StandardOpenOption.READ)) {
            for (int b : blocks) {
                heads.limit(heads.position() + TimelineFormat.BLOCK_HEADER);
                long at = ix.blockAt[b] - heads.position();
                while (heads.hasRemaining()) {
                    if (ch.read(heads, at + heads.position()) < 0) {
                        throw new IOException("the timeline ends inside block " + b + "'s header");
                    }
                }
            }
        }
        return heads.array();
    }

    /** The blocks whose headers {@link #blockHeads} compares: the first, the last and about 30 evenly between. */
    private static int[] sampled(int nBlocks) {
        if (nBlocks <= 0) {
            return new int[0];
        }
        int step = Math.max(1, nBlocks / 32);
        int n = (nBlocks - 1) / step + 1; // 0, step, 2 step … below nBlocks
        boolean last = (nBlocks - 1) % step != 0; // and the last block, unless it is one of them
        int[] blocks = new int[n + (last ? 1 : 0)];
        for (int i = 0; i < n; i++) {
            blocks[i] = i * step;
        }
        if (last) {
            blocks[n] = nBlocks - 1;
        }
        return blocks;
    }

    // ================================================================ reading

    /** What {@link #load} found: the index and checkpoints, or why the side file was not used. */
    record Loaded(TimelineReader.Index index, Checkpoints checkpoints, String note) {
    }

    /**
     * Reads {@code timelineFile}'s side file if there is one: null when there is none; a note (and no
     * index) when it does not match the timeline or is damaged.
     */
    static Loaded load(Path timelineFile) {
        Path side = sideFile(timelineFile);
        if (!Files.isRegularFile(side)) {
            return null;
        }
        try (FileChannel ch = FileChannel.open(side, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < MAGIC.length + 1 + TRAILER) {
                return stale(side, "it is too short");
            }
            byte[] head = SideFiles.read(ch, 0, MAGIC.length + 1);
            byte[] trailer = SideFiles.read(ch, size - TRAILER, TRAILER);
            if (!Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length)
                    || !Arrays.equals(trailer, TRAILER - MAGIC.length, TRAILER, MAGIC, 0, MAGIC.length)) {
                return stale(side, "it is not a checkpoint file");
            }
            if (head[MAGIC.length] < OLDEST_VERSION || head[MAGIC.length] > VERSION) {
                return stale(side, "its version " + head[MAGIC.length] + " is not one of " + OLDEST_VERSION + ".."
                        + VERSION);
            }
            In tr = new In(trailer);
            long at = tr.i64();
            int len = tr.i32();
            int crc = tr.i32();
            if (at < 0 || len < 0 || at + len != size - TRAILER) {
                return stale(side, "its index is out of place");
            }
            byte[] packed = SideFiles.read(ch, at, len);
            CRC32 c = new CRC32();
            c.update(packed);
            if ((int) c.getValue() != crc) {
                return stale(side, "its index fails its checksum");
            }
            return parse(timelineFile, side, new In(packed));
        } catch (IOException | RuntimeException e) {
            return stale(side, "it cannot be read (" + e.getMessage() + ")");
        }
    }

    private static Loaded stale(Path side, String why) {
        return new Loaded(null, null, side + " is not used: " + why);
    }

    private static Loaded parse(Path timelineFile, Path side, In in) throws IOException {
        long length = in.i64();
        if (length != Files.size(timelineFile)) {
            return stale(side, "the timeline changed since it was written (" + length + " bytes then, "
                    + Files.size(timelineFile) + " now)");
        }
        TimelineReader.Index ix = new TimelineReader.Index();
        int version = (int) in.varint();
        int nFields = (int) in.varint();
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < nFields; i++) {
            String k = in.str();
            fields.put(k, in.str());
        }
        ix.header = new TimelineHeader(version, fields);
        ix.problem = in.u8() == 1 ? in.str() : null;
        ix.events = (int) in.varint();
        ix.calls = null; // found by block: blockFirstCall below
        ix.nCalls = (int) in.varint();
        ix.outputs = in.ints();
        ix.nOutputs = ix.outputs.length;
        int nBlocks = (int) in.varint();
        ix.nBlocks = nBlocks;
        ix.blockAt = new long[nBlocks];
        ix.blockFirst = new int[nBlocks];
        ix.blockFirstCall = new int[nBlocks];
        ix.blockLastAddr = new long[nBlocks];
        ix.blockFirstText = new int[nBlocks];
        ix.blockOpenFns = new int[nBlocks][];
        for (int b = 0; b < nBlocks; b++) {
            ix.blockAt[b] = in.i64();
            ix.blockFirst[b] = (int) in.varint();
            ix.blockFirstCall[b] = (int) in.varint();
            ix.blockLastAddr[b] = in.i64();
            ix.blockFirstText[b] = (int) in.varint();
            int n = (int) in.varint();
            if (n > 0) {
                int[] fns = new int[n - 1];
                for (int i = 0; i < fns.length; i++) {
                    fns[i] = (int) in.varint();
                }
                ix.blockOpenFns[b] = fns;
            }
        }
        byte[] heads = in.bytes(sampled(nBlocks).length * TimelineFormat.BLOCK_HEADER);
        if (!Arrays.equals(heads, blockHeads(timelineFile, ix))) {
            return stale(side, "the timeline's blocks are not the ones it indexed");
        }
        int nSites = (int) in.varint();
        for (int i = 0; i < nSites; i++) {
            int id = (int) in.varint();
            ix.sites.put(id, in.str());
        }
        int nTexts = (int) in.varint();
        for (int i = 0; i < nTexts; i++) {
            ix.texts.add(in.str());
        }
        int every = (int) in.varint();
        int n = (int) in.varint();
        int[] steps = new int[n];
        int[] events = new int[n];
        int[] crcs = new int[n];
        int[] keyframes = new int[n];
        long[] offsets = new long[n];
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++) {
            steps[i] = (int) in.varint();
            events[i] = (int) in.varint();
            crcs[i] = in.i32();
            keyframes[i] = (int) in.varint();
            offsets[i] = in.i64();
            lengths[i] = (int) in.varint();
        }
        int departureEvent = (int) in.varint() - 1;
        String where = departureEvent >= 0 ? in.str() : null;
        String prefix = departureEvent >= 0 ? in.str() : null;
        return new Loaded(ix, new Checkpoints(side, every, steps, events, offsets, lengths, crcs, keyframes,
                departureEvent, where, prefix), null);
    }

    /**
     * Makes {@code fresh} (a process just made from the timeline's header) the process of checkpoint
     * {@code i}.
     *
     * @throws IOException if the side file cannot be read or a record is damaged
     */
    void restore(CProcess fresh, int i) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            PageSet pages = null;
            for (int j = keyframes[i]; j < i; j++) { // the keyframe, then the checkpoints up to this one
                In k = record(ch, j);
                skipHead(k);
                pages = restorePages(k, pages);
            }
            In in = record(ch, i);
            long brk = in.i64();
            int errno = in.i32();
            Malloc.JavaState m = new Malloc.JavaState(in.i64(), in.i64(), in.u8() == 1, in.i64(), in.longs(),
                    in.longs());
            int nRegions = (int) in.varint();
            List<Region> regions = new ArrayList<>(nRegions);
            for (int k = 0; k < nRegions; k++) {
                regions.add(new Region(in.i64(), in.i64(), (int) in.varint(), in.str(), in.i64(), in.u8() == 1,
                        null));
            }
            pages = restorePages(in, pages);
            fresh.memory().restore(regions, pages.numbers(), pages.bytes());
            fresh.kernel().restoreBreak(brk);
            fresh.kernel().setErrno(errno);
            fresh.malloc().restore(m);
        } catch (DataFormatException | RuntimeException e) {
            throw new IOException("checkpoint " + i + " of " + file + " is damaged (" + e.getMessage() + ")", e);
        }
    }

    /** A record's pages: their numbers, ascending, and their bytes. */
    private record PageSet(long[] numbers, byte[][] bytes) {
    }

    /**
     * Reads a record's pages (after its head): the pages of its checkpoint, those it marks unchanged
     * or changed in places taken from {@code before} (the checkpoint before it; null for a keyframe).
     * Both lists ascend, so a page of the checkpoint before is found by walking forward: no map.
     */
    private static PageSet restorePages(In in, PageSet before) {
        int n = (int) in.varint();
        if (n < 0 || n > in.d.length - in.p) {
            throw new IllegalStateException("impossible page count " + n);
        }
        long[] numbers = new long[n];
        byte[][] pages = new byte[n][];
        int cursor = 0;
        long last = 0;
        int size = (int) AddressSpace.PAGE_SIZE;
        for (int k = 0; k < n; k++) {
            long number = last + in.varint();
            if (k > 0 && number <= last) {
                throw new IllegalStateException("pages out of order at 0x" + Long.toHexString(number << AddressSpace.PAGE_SHIFT));
            }
            last = number;
            int mode = in.u8();
            byte[] page;
            if (mode == PAGE_RAW) {
                page = in.bytes(size);
            } else if (mode == PAGE_SAME || mode == PAGE_WORDS) {
                page = null;
                if (before != null) {
                    while (cursor < before.numbers.length && before.numbers[cursor] < number) {
                        cursor++;
                    }
                    page = cursor < before.numbers.length && before.numbers[cursor] == number ? before.bytes[cursor] : null;
                }
                if (page == null) {
                    throw new IllegalStateException("page 0x" + Long.toHexString(number << AddressSpace.PAGE_SHIFT)
                            + " is said " + (mode == PAGE_SAME ? "unchanged" : "changed in places")
                            + ", but the checkpoint before has no such page");
                }
                if (mode == PAGE_WORDS) {
                    // the page of the checkpoint before is this record's alone now: changed in place
                    int runs = (int) in.varint();
                    int at = 0;
                    for (int r = 0; r < runs; r++) {
                        at += 8 * (int) in.varint();
                        int len = 8 * (int) in.varint();
                        if (at < 0 || len < 0 || len > size - at) {
                            throw new IllegalStateException("a run of words past the end of page 0x"
                                    + Long.toHexString(number << AddressSpace.PAGE_SHIFT));
                        }
                        in.copy(page, at, len);
                        at += len;
                    }
                }
            } else {
                throw new IllegalStateException("unknown page mode " + mode);
            }
            numbers[k] = number;
            pages[k] = page;
        }
        return new PageSet(numbers, pages);
    }

    /** Skips a record's break, errno, allocator state and mappings. */
    private static void skipHead(In in) {
        in.i64();
        in.i32();
        in.i64();
        in.i64();
        in.u8();
        in.i64();
        in.longs();
        in.longs();
        int nRegions = (int) in.varint();
        for (int k = 0; k < nRegions; k++) {
            in.i64();
            in.i64();
            in.varint();
            in.str();
            in.i64();
            in.u8();
        }
    }

    private In record(FileChannel ch, int i) throws IOException, DataFormatException {
        byte[] packed = SideFiles.read(ch, offsets[i], lengths[i]);
        CRC32 c = new CRC32();
        c.update(packed);
        if ((int) c.getValue() != crcs[i]) {
            throw new IOException("checkpoint " + i + " of " + file + " fails its checksum");
        }
        Inflater f = new Inflater();
        try {
            return new In(SideFiles.inflate(f, packed, ByteOrder.LITTLE_ENDIAN));
        } finally {
            f.end();
        }
    }

    private static byte[] intBytes(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    // ================================================================ the side file's encodings

    /** Little-endian fixed-width integers, LEB128 varints, length-prefixed UTF-8. */
    private static final class Out {
        final ByteArrayOutputStream b = new ByteArrayOutputStream(1 << 16);

        void u8(int v) {
            b.write(v);
        }

        void i32(int v) {
            b.writeBytes(intBytes(v));
        }

        void i64(long v) {
            i32((int) v);
            i32((int) (v >>> 32));
        }

        void varint(long v) {
            while ((v & ~0x7fL) != 0) {
                b.write((int) (v & 0x7f) | 0x80);
                v >>>= 7;
            }
            b.write((int) v);
        }

        void str(String s) {
            byte[] u = s.getBytes(StandardCharsets.UTF_8);
            varint(u.length);
            b.writeBytes(u);
        }

        void longs(long[] v) {
            varint(v.length);
            for (long x : v) {
                i64(x);
            }
        }

        /** An int array as its count and 4 bytes each (read back in one bulk copy). */
        void ints(int[] v) {
            varint(v.length);
            ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.asIntBuffer().put(v);
            this.b.writeBytes(b.array());
        }
    }

    private static final class In {
        final byte[] d;
        int p;

        In(byte[] d) {
            this.d = d;
        }

        int u8() {
            if (p >= d.length) {
                throw new IllegalStateException("record ends early");
            }
            return d[p++] & 0xff;
        }

        int i32() {
            return u8() | u8() << 8 | u8() << 16 | u8() << 24;
        }

        long i64() {
            return (i32() & 0xffffffffL) | (long) i32() << 32;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = u8();
                v |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new IllegalStateException("varint longer than 10 bytes");
        }

        byte[] bytes(int n) {
            if (n < 0 || n > d.length - p) {
                throw new IllegalStateException("record ends early");
            }
            byte[] b = Arrays.copyOfRange(d, p, p + n);
            p += n;
            return b;
        }

        void copy(byte[] into, int at, int n) {
            if (n > d.length - p) {
                throw new IllegalStateException("record ends early");
            }
            System.arraycopy(d, p, into, at, n);
            p += n;
        }

        String str() {
            int n = (int) varint();
            if (n < 0 || n > d.length - p) {
                throw new IllegalStateException("string runs past its record");
            }
            String s = new String(d, p, n, StandardCharsets.UTF_8);
            p += n;
            return s;
        }

        long[] longs() {
            int n = (int) varint();
            if (n < 0 || n > (d.length - p) / 8) {
                throw new IllegalStateException("list runs past its record");
            }
            long[] v = new long[n];
            for (int i = 0; i < n; i++) {
                v[i] = i64();
            }
            return v;
        }

        int[] ints() {
            int n = (int) varint();
            if (n < 0 || n > (d.length - p) / 4) {
                throw new IllegalStateException("list runs past its record");
            }
            int[] v = new int[n];
            ByteBuffer.wrap(d, p, 4 * n).order(java.nio.ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(v);
            p += 4 * n;
            return v;
        }
    }
}
