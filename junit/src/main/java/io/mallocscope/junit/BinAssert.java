package io.mallocscope.junit;

import io.mallocscope.runtime.malloc.HeapView;
import org.opentest4j.AssertionFailedError;

import java.util.ArrayList;
import java.util.List;

/** Assertions about one free list, head first; pointers are user pointers (chunk + 0x10). */
public final class BinAssert {
    private final Heap heap;
    private final String label;
    private final List<Long> pointers;
    private final long count;
    /** The user pointer the last chunk's link points back to when the list loops, else 0. */
    private final long loopsTo;
    /** What is wrong with the list if it is corrupt, else null. */
    private final String corrupt;

    BinAssert(Heap heap, String label, HeapView.Bin bin) {
        this.heap = heap;
        this.label = label;
        List<Long> ptrs = new ArrayList<>();
        if (bin != null) {
            for (long chunk : bin.chunks()) {
                ptrs.add(chunk + 0x10);
            }
        }
        this.pointers = List.copyOf(ptrs);
        this.count = bin == null ? 0 : bin.count();
        long loop = 0;
        if (bin != null && bin.corrupt()) {
            long back = bin.kind() == io.mallocscope.runtime.malloc.BinKind.TCACHE ? bin.badLink() : bin.badLink() + 0x10;
            if (ptrs.contains(back)) {
                loop = back;
            }
        }
        this.loopsTo = loop;
        this.corrupt = bin != null && bin.corrupt() ? heap.describeCorruptBin(bin) : null;
    }

    /**
     * The list holds exactly these chunks, in this order from the head (the next one malloc takes first
     * for tcache and fastbins), and ends there: a list that loops back or whose last link is corrupt
     * fails, with the loop or the bad link shown.
     */
    public BinAssert containsExactly(long... expected) {
        List<Long> want = new ArrayList<>();
        for (long p : expected) {
            want.add(p);
        }
        if (!want.equals(pointers) || corrupt != null) { // a list that loops or breaks off holds more than it shows
            throw new AssertionFailedError("expected the " + label + " to hold " + describe(want) + " but it holds "
                    + describe(pointers), describe(want), describe(pointers));
        }
        return this;
    }

    /** The list holds {@code pointer} somewhere. */
    public BinAssert contains(long pointer) {
        if (!pointers.contains(pointer)) {
            throw new AssertionFailedError("expected the " + label + " to hold " + describe(heap, pointer)
                    + " but it holds " + describe(pointers));
        }
        return this;
    }

    public BinAssert isEmpty() {
        if (!pointers.isEmpty()) {
            throw new AssertionFailedError("expected the " + label + " to be empty but it holds " + describe(pointers));
        }
        return this;
    }

    /** The list's length (for a tcache bin: its count, which a corrupted list may contradict). */
    public BinAssert hasCount(long expected) {
        if (count != expected) {
            throw new AssertionFailedError("expected the " + label + " to count " + expected + " chunks but it counts "
                    + count + ": " + describe(pointers), expected, count);
        }
        return this;
    }

    private String describe(List<Long> ptrs) {
        List<String> s = new ArrayList<>();
        for (long p : ptrs) {
            s.add(describe(heap, p));
        }
        if (ptrs == pointers && loopsTo != 0) {
            s.add("back to " + describe(heap, loopsTo) + ", a loop");
        }
        String text = s.toString();
        if (ptrs == pointers && corrupt != null) {
            text += " (" + corrupt + ")";
        }
        return text;
    }

    static String describe(Heap heap, long pointer) {
        long off = pointer - heap.start();
        if (off >= 0 && off < (1L << 32)) {
            return "heap+0x" + Long.toHexString(off);
        }
        return "0x" + Long.toHexString(pointer);
    }
}
