package io.mallocscope.runtime.memcheck;

import io.mallocscope.runtime.vm.AddressSpace;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Memcheck's leak search on the simulated memory: which blocks still allocated are "still reachable"
 * (a root area holds a pointer to their start, or a reachable block does), "definitely lost" (nothing
 * points to them) or "indirectly lost" (only lost blocks point to them), and their loss records, one
 * per allocation stack, in memcheck's wording.
 *
 * <p>As memcheck does it: a word counts as a pointer when it holds a block's start address (an
 * interior pointer, memcheck's "possibly lost", is not followed); the lost blocks are taken in address
 * order, and each one not yet reached becomes the leader of the blocks it reaches, which are
 * indirectly lost (a leader reached from a later one becomes indirectly lost too).
 */
public final class LeakCheck {
    private LeakCheck() {
    }

    /** How memcheck classifies a block still allocated. */
    public enum Kind {
        DEFINITELY_LOST("definitely lost"), INDIRECTLY_LOST("indirectly lost"), STILL_REACHABLE("still reachable");

        private final String words;

        Kind(String words) {
            this.words = words;
        }

        /** Memcheck's words: "definitely lost", … */
        public String words() {
            return words;
        }
    }

    /**
     * One block still allocated.
     *
     * @param pointer  what malloc returned
     * @param bytes    the bytes requested (what memcheck counts)
     * @param function the allocating function ("malloc", "calloc", …), or "???" if unknown
     * @param stack    the allocation's frames, innermost first (empty if unknown)
     */
    public record Block(long pointer, long bytes, String function, List<String> stack) {
        public Block {
            stack = List.copyOf(stack);
        }
    }

    /**
     * The kind of each of {@code blocks}, in the same order. {@code roots} are address ranges
     * {@code [start, end)} scanned for pointers (unmapped pages in them are skipped).
     */
    public static List<Kind> classify(AddressSpace memory, List<Block> blocks, List<long[]> roots) {
        int n = blocks.size();
        Integer[] order = addressOrder(blocks);
        Map<Long, Integer> byStart = byStart(blocks);
        Kind[] kind = new Kind[n];
        Deque<Integer> work = new ArrayDeque<>();
        for (long[] r : roots) {
            scan(memory, r[0], r[1], byStart, target -> {
                if (kind[target] == null) {
                    kind[target] = Kind.STILL_REACHABLE;
                    work.push(target);
                }
            });
        }
        drain(memory, blocks, byStart, kind, work, Kind.STILL_REACHABLE);
        for (int idx : order) {
            if (kind[idx] != null) {
                continue;
            }
            kind[idx] = Kind.DEFINITELY_LOST;
            Block b = blocks.get(idx);
            scan(memory, b.pointer(), b.pointer() + b.bytes(), byStart, target -> {
                if (target != idx && (kind[target] == null || kind[target] == Kind.DEFINITELY_LOST)) {
                    kind[target] = Kind.INDIRECTLY_LOST;
                    work.push(target);
                }
            });
            drainLost(memory, blocks, byStart, kind, work, idx);
        }
        return List.of(kind);
    }

    /**
     * For each definitely lost block (in {@code kinds}, as {@link #classify} made them), the bytes of the
     * indirectly lost blocks it leads: those reached through it and not through a block before it in
     * address order, as memcheck's clique leaders count them ("64 (16 direct, 48 indirect) bytes"); 0
     * for the other blocks.
     */
    public static long[] indirectBytes(AddressSpace memory, List<Block> blocks, List<Kind> kinds) {
        int n = blocks.size();
        Integer[] order = addressOrder(blocks);
        Map<Long, Integer> byStart = byStart(blocks);
        boolean[] claimed = new boolean[n];
        long[] indirect = new long[n];
        Deque<Integer> work = new ArrayDeque<>();
        for (int leader : order) {
            if (kinds.get(leader) != Kind.DEFINITELY_LOST) {
                continue;
            }
            work.push(leader);
            while (!work.isEmpty()) {
                Block b = blocks.get(work.pop());
                scan(memory, b.pointer(), b.pointer() + b.bytes(), byStart, target -> {
                    if (!claimed[target] && kinds.get(target) == Kind.INDIRECTLY_LOST) {
                        claimed[target] = true;
                        indirect[leader] += blocks.get(target).bytes();
                        work.push(target);
                    }
                });
            }
        }
        return indirect;
    }

    /** The indexes of {@code blocks} in the order of their addresses. */
    private static Integer[] addressOrder(List<Block> blocks) {
        Integer[] order = new Integer[blocks.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compareUnsigned(blocks.get(a).pointer(), blocks.get(b).pointer()));
        return order;
    }

    /** Each block's index by its start address (the first block of a start, should two share one). */
    private static Map<Long, Integer> byStart(List<Block> blocks) {
        Map<Long, Integer> byStart = new LinkedHashMap<>();
        for (int i = 0; i < blocks.size(); i++) {
            byStart.putIfAbsent(blocks.get(i).pointer(), i);
        }
        return byStart;
    }

    private static void drain(AddressSpace memory, List<Block> blocks, Map<Long, Integer> byStart, Kind[] kind,
                              Deque<Integer> work, Kind mark) {
        while (!work.isEmpty()) {
            Block b = blocks.get(work.pop());
            scan(memory, b.pointer(), b.pointer() + b.bytes(), byStart, target -> {
                if (kind[target] == null) {
                    kind[target] = mark;
                    work.push(target);
                }
            });
        }
    }

    private static void drainLost(AddressSpace memory, List<Block> blocks, Map<Long, Integer> byStart, Kind[] kind,
                                  Deque<Integer> work, int leader) {
        while (!work.isEmpty()) {
            Block b = blocks.get(work.pop());
            scan(memory, b.pointer(), b.pointer() + b.bytes(), byStart, target -> {
                if (target != leader && (kind[target] == null || kind[target] == Kind.DEFINITELY_LOST)) {
                    kind[target] = Kind.INDIRECTLY_LOST;
                    work.push(target);
                }
            });
        }
    }

    private interface Found {
        void pointerTo(int block);
    }

    private static void scan(AddressSpace memory, long start, long end, Map<Long, Integer> byStart, Found found) {
        long a = (start + 7) & -8L;
        while (Long.compareUnsigned(a + 8, end) <= 0) {
            if (!memory.isFullyMapped(a & -AddressSpace.PAGE_SIZE, (a & -AddressSpace.PAGE_SIZE) + AddressSpace.PAGE_SIZE)) {
                a = (a & -AddressSpace.PAGE_SIZE) + AddressSpace.PAGE_SIZE;
                continue;
            }
            Integer t = byStart.get(memory.read64(a));
            if (t != null) {
                found.pointerTo(t);
            }
            a += 8;
        }
    }

    /**
     * Memcheck's loss records for the lost blocks of {@code blocks} (with their {@code kinds}), one per
     * kind and allocation stack, in the order of their first blocks (memcheck sorts by size; the
     * order of the blocks given reads better for a short report), then its LEAK SUMMARY;
     * each line ends with a newline and has no prefix. {@code describe} gives the text after
     * {@code "at 0x…: "} for a block (the function and where it is); {@code unknownStack} is the
     * line shown for a block whose stack is unknown. "" when nothing is lost and
     * {@code withReachable} is false.
     */
    public static String report(List<Block> blocks, List<Kind> kinds, boolean withReachable, Describer describe,
                                String unknownStack) {
        long[] bytes = new long[3];
        long[] count = new long[3];
        for (int i = 0; i < blocks.size(); i++) {
            bytes[kinds.get(i).ordinal()] += blocks.get(i).bytes();
            count[kinds.get(i).ordinal()]++;
        }
        List<Record> records = records(blocks, kinds, withReachable);
        if (records.isEmpty()) {
            return "";
        }
        String nl = System.lineSeparator();
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (Record r : records) {
            i++;
            List<Block> bs = r.blocks();
            Block first = bs.get(0);
            sb.append(r.bytes()).append(" bytes in ").append(bs.size()).append(" blocks are ")
                    .append(r.kind().words()).append(" in loss record ").append(i).append(" of ")
                    .append(records.size()).append(nl);
            sb.append("   at 0x").append(Long.toHexString(first.pointer())).append(": ").append(describe.describe(first))
                    .append(bs.size() > 1 ? " (first of " + bs.size() + ")" : "").append(nl);
            for (String f : first.stack()) {
                sb.append("   by ").append(f).append(nl);
            }
            if (first.stack().isEmpty()) {
                sb.append("   by ").append(unknownStack).append(nl);
            }
        }
        sb.append("LEAK SUMMARY: definitely lost: ").append(bytes[0]).append(" bytes in ").append(count[0]).append(" blocks");
        if (count[1] > 0) {
            sb.append(", indirectly lost: ").append(bytes[1]).append(" bytes in ").append(count[1]).append(" blocks");
        }
        if (withReachable && count[2] > 0) {
            sb.append(", still reachable: ").append(bytes[2]).append(" bytes in ").append(count[2]).append(" blocks");
        }
        sb.append(nl);
        return sb.toString();
    }

    /** One loss record: the lost blocks of one kind allocated by one stack, and their bytes. */
    public record Record(Kind kind, List<Block> blocks, long bytes) {
    }

    /**
     * The loss records of {@code blocks} (classified as {@code kinds}): one per kind and allocation
     * stack, in the order of their first blocks; still reachable blocks only if {@code withReachable}.
     */
    public static List<Record> records(List<Block> blocks, List<Kind> kinds, boolean withReachable) {
        record Key(Kind kind, String function, List<String> stack) {
        }
        Map<Key, List<Block>> groups = new LinkedHashMap<>();
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            Kind k = kinds.get(i);
            if (k == Kind.STILL_REACHABLE && !withReachable) {
                continue;
            }
            // an unknown stack is its own record: two blocks of unknown origin need not share one
            List<String> key = b.stack().isEmpty() ? List.of("#" + i) : b.stack();
            groups.computeIfAbsent(new Key(k, b.function(), key), x -> new ArrayList<>()).add(b);
        }
        List<Record> out = new ArrayList<>();
        groups.forEach((k, bs) -> out.add(new Record(k.kind(), List.copyOf(bs), total(bs))));
        return out;
    }

    /** What a loss record says of its first block after {@code "at 0x…: "}. */
    public interface Describer {
        String describe(Block block);
    }

    private static long total(List<Block> bs) {
        long t = 0;
        for (Block b : bs) {
            t += b.bytes();
        }
        return t;
    }
}
