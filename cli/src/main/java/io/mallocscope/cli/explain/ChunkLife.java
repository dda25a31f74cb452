package io.mallocscope.cli.explain;

import io.mallocscope.cli.model.Op;
import io.mallocscope.cli.model.Story;
import io.mallocscope.cli.model.TopChunks;
import io.mallocscope.runtime.malloc.BinKind;
import io.mallocscope.runtime.event.EventKind;
import io.mallocscope.runtime.malloc.Transitions;
import io.mallocscope.runtime.timeline.Event;
import io.mallocscope.runtime.text.Hex;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One chunk's life, read off a source's calls: every step that created it (split off top or left as a
 * remainder), handed it out, wrote into it, freed it into a bin, moved it between bins, took it back,
 * merged it or unmapped it, in words that name the bin and the other chunks, with the call and its site.
 * The chunk is an address: a later chunk at the same address (after a merge and a split) continues the
 * same story, as glibc reuses the memory.
 */
public final class ChunkLife {
    /** {@code (0x…)} after a field name in a narration line: the address the program wrote. */
    private static final Pattern WRITTEN_AT = Pattern.compile("\\((0x[0-9a-f]+)\\)| to (0x[0-9a-f]+) \\(");

    private final long chunk;

    /** The life of the chunk at {@code chunk} (its chunk address, not the user pointer). */
    public ChunkLife(long chunk) {
        this.chunk = chunk;
    }

    /** The chunk address {@code addr} means among {@code ops}: a pointer a call handed out, else the address itself. */
    public static long chunkOf(Iterable<Op> ops, long addr) {
        if (addr == 0) {
            return 0; // NULL is no call's pointer (a call that hands out or frees nothing has 0 there)
        }
        for (Op op : ops) {
            if (op.mem() == addr || op.freed() == addr) {
                return addr - 16;
            }
        }
        return addr;
    }

    /** One step of the life: the call's number, heading and what happened to the chunk in it. */
    public record Step(int number, String call, String site, List<String> lines) {
    }

    /**
     * The steps of {@code ops} that touched the chunk; {@code narration} gives each step's narrated
     * writes (a {@link Narrator} with every write, or null), asked in increasing order.
     */
    public List<Step> steps(Iterable<Op> ops, IntFunction<List<String>> narration) {
        List<Step> out = new ArrayList<>();
        long size = 0;
        TopChunks tops = new TopChunks();
        int creator = 0;
        for (Op op : ops) {
            List<String> lines = new ArrayList<>();
            if (op.freed() == chunk + 16 && op.events().stream().noneMatch(t -> (t.kind() == EventKind.TCACHE_PUT
                    || t.kind() == EventKind.BIN_INSERT) && t.chunk() == chunk)) {
                lines.add("given back: " + Story.callText(op));
            }
            List<Event> ts = op.events();
            for (int i = 0; i < ts.size(); i++) {
                Event t = ts.get(i);
                if (i + 1 < ts.size() && Story.isSort(t, ts.get(i + 1)) && t.chunk() == chunk) {
                    lines.add("moved from " + Story.bin(t) + " to " + Story.bin(ts.get(i + 1)));
                    i++;
                    continue;
                }
                String said = say(t, tops, size);
                tops.follow(t);
                if (said != null) {
                    lines.add(said);
                    size = sizeAfter(t, size);
                }
            }
            if (op.mem() == chunk + 16) {
                lines.add("handed out: " + Story.callText(op));
                creator = op.number();
            }
            if (narration != null) {
                for (String n : narration.apply(op.number())) {
                    if (mentions(n, size)) {
                        lines.add(n.strip());
                    }
                }
            }
            if (!lines.isEmpty()) {
                out.add(new Step(op.number(), Story.callText(op), op.site(), lines));
            }
        }
        return out;
    }

    /** What {@code t} did to the chunk, or null when it is about other chunks. */
    private String say(Event t, TopChunks tops, long size) {
        long c = chunk;
        return switch (t.kind()) {
            case SPLIT -> t.chunk() == c
                    ? (tops.isTop(c) ? "created: cut from the top chunk (" + Hex.of(t.size()) + ")"
                    : "split: " + Hex.of(t.size()) + " used, the remainder " + Hex.of(t.other()) + " (" + Hex.of(t.otherSize())
                    + ") cut off")
                    : t.other() == c ? (tops.isTop(t.chunk()) ? "became the top chunk (" + Hex.of(t.otherSize()) + ") when "
                    + Hex.of(t.chunk()) + " was split off"
                    : "created as the remainder (" + Hex.of(t.otherSize()) + ") of splitting " + Hex.of(t.chunk()))
                    : null;
            case TCACHE_PUT -> t.chunk() == c ? "freed into " + Story.tcache(t) + " (now " + t.count() + ")" : null;
            case TCACHE_GET -> t.chunk() == c ? "taken from " + Story.tcache(t) + " (" + t.count() + " left)" : null;
            case BIN_INSERT -> t.chunk() == c ? (t.reasonCode() == Transitions.FREE ? "freed into " : "put in ")
                    + Story.bin(t) + reason(t) : null;
            case BIN_REMOVE -> t.chunk() != c ? null
                    : t.binKind() == BinKind.NONE ? "unlinked, in no bin" + reason(t)
                    : "taken off " + Story.bin(t) + reason(t);
            case COALESCE -> t.chunk() == c || t.other() == c ? merged(t, tops)
                    : t.merged() == c ? "grew to " + Hex.of(t.mergedSize()) : null;
            case TOP_EXTEND -> t.chunk() == c ? (t.otherSize() == 0 ? "created as the top chunk (" + Hex.of(t.size())
                    + "), the heap's first memory" : "the top chunk, grown to " + Hex.of(t.size())) : null;
            case TOP_SHRINK -> t.chunk() == c ? "the top chunk, trimmed to " + Hex.of(t.size()) : null;
            case MMAP_CHUNK -> t.chunk() == c ? "created by mmap (" + Hex.of(t.size()) + ")" : null;
            case MUNMAP_CHUNK -> t.chunk() == c ? "unmapped: its memory went back to the kernel" : null;
            default -> null;
        };
    }

    /** A coalesce of the chunk with its neighbour: the top chunk said as such (a free into the top, or the top taking one in). */
    private String merged(Event t, TopChunks tops) {
        long c = chunk;
        long other = t.chunk() == c ? t.other() : t.chunk();
        String otherSize = Hex.of(t.chunk() == c ? t.otherSize() : t.size());
        String into = Hex.of(t.merged()) + " (" + Hex.of(t.mergedSize()) + ")";
        if (tops.isTop(other)) {
            return "merged with the top chunk " + Hex.of(other) + " (" + otherSize + "): "
                    + (t.merged() == c ? "it is the top chunk now (" + Hex.of(t.mergedSize()) + ")"
                    : "the top chunk is now " + into + ", the chunk is gone");
        }
        if (tops.isTop(c)) {
            return "the top chunk took in " + Hex.of(other) + " (" + otherSize + "): the top chunk is now " + into;
        }
        return "merged with " + Hex.of(other) + " (" + otherSize + ") into " + into
                + (t.merged() == c ? "" : ": the chunk is gone");
    }

    private long sizeAfter(Event t, long size) {
        return switch (t.kind()) {
            case SPLIT -> t.chunk() == chunk ? t.size() : t.otherSize();
            case COALESCE -> t.merged() == chunk ? t.mergedSize() : size;
            case TOP_EXTEND, TOP_SHRINK, MMAP_CHUNK, TCACHE_PUT, TCACHE_GET, BIN_INSERT, BIN_REMOVE
                    -> t.size() != 0 ? t.size() : size;
            default -> size;
        };
    }

    /** Whether a narrated write went into the chunk's header or body, or wrote the chunk's address. */
    private boolean mentions(String line, long size) {
        if (line.contains(" wrote " + Hex.of(chunk) + " to ") || line.contains(" wrote " + Hex.of(chunk + 16) + " to ")) {
            return true; // the allocator wrote the chunk's address somewhere (a large-bin attack's target)
        }
        Matcher m = WRITTEN_AT.matcher(line);
        while (m.find()) {
            String hex = m.group(1) != null ? m.group(1) : m.group(2);
            long a = Long.parseUnsignedLong(hex.substring(2), 16);
            if (Long.compareUnsigned(a - chunk, Math.max(size, 0x30)) < 0) {
                return true;
            }
        }
        return false;
    }

    private static String reason(Event t) {
        if (t.reasonCode() == Transitions.BINMAP) {
            return " [binmap scan]";
        }
        return t.reasonCode() == Transitions.FREE ? ""
                : " [" + Transitions.reasonName(t.reasonCode()).replace('_', ' ') + "]";
    }
}
