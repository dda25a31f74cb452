package io.mallocscope.junit;

import io.mallocscope.runtime.AllocationListener;
import io.mallocscope.runtime.memcheck.ProgramFrames;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Listens to one process's LibC and remembers, for each block still allocated, which call made it and
 * the program's stack at that moment, the way Valgrind keeps an allocation stack per block. The stack
 * is taken only while a recorder is registered; LibC pays nothing for it otherwise.
 */
final class CallSiteRecorder implements AllocationListener {
    /** Valgrind's default {@code --num-callers}. */
    static final int MAX_FRAMES = ProgramFrames.MAX_FRAMES;

    static {
        ProgramFrames.addMachinery(CallSiteRecorder.class); // this module's main code is machinery too
    }

    /**
     * How many freed blocks are remembered, newest kept, as Valgrind keeps recently freed blocks
     * ({@code --freelist-vol}) to say where an invalid access's block was freed.
     */
    static final int FREED_REMEMBERED = 4096;

    private record Block(String function, long requested, StackWalker.StackFrame[] stack) {
    }

    /** A block given back: how it was allocated, and the stack of the call that gave it back. */
    private record FreedBlock(Block block, String function, StackWalker.StackFrame[] stack) {
    }

    /** What is known of a freed block: its allocation, and the call that freed it. */
    record Freed(Allocation allocation, String function, List<String> stack) {
    }

    /** The live blocks, oldest first. */
    private final Map<Long, Block> live = new LinkedHashMap<>();

    /** The blocks freed most recently (at most {@link #FREED_REMEMBERED}), oldest first. */
    private final Map<Long, FreedBlock> freed = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, FreedBlock> eldest) {
            return size() > FREED_REMEMBERED;
        }
    };

    /** The pointer of the free/realloc under way (between releasing and released), 0 if none. */
    private long releasing;
    private String releasingFunction;

    @Override
    public void allocated(String function, long pointer, long requested) {
        live.put(pointer, new Block(function, requested, stack()));
        freed.remove(pointer);
    }

    @Override
    public void releasing(String function, long pointer) {
        releasing = pointer;
        releasingFunction = function;
    }

    @Override
    public void released(String function, long pointer) {
        releasing = 0;
        Block b = live.remove(pointer);
        if (b != null) {
            freed.remove(pointer);
            freed.put(pointer, new FreedBlock(b, function, stack()));
        }
    }

    /**
     * The pointer a {@code free}/{@code realloc} was given when it did not return (glibc stopped the
     * program inside it), or 0.
     */
    long pointerBeingReleased() {
        return releasing;
    }

    /** The function of {@link #pointerBeingReleased()}. */
    String functionReleasing() {
        return releasingFunction;
    }

    /** What is known of the freed block whose pointer is {@code pointer}, or null. */
    Freed freed(long pointer) {
        FreedBlock f = freed.get(pointer);
        return f == null ? null : new Freed(allocation(pointer, f.block()), f.function(), frames(f.stack()));
    }

    /** The freed block remembered whose bytes (pointer, pointer + requested) hold {@code address}, or null. */
    Map.Entry<Long, Freed> freedContaining(long address) {
        Map.Entry<Long, Freed> best = null;
        for (Map.Entry<Long, FreedBlock> e : freed.entrySet()) {
            long p = e.getKey();
            long n = Math.max(1, e.getValue().block().requested());
            if (address >= p && address < p + n) {
                best = Map.entry(p, freed(p));
            }
        }
        return best;
    }

    /** {@code Class.method(File.java:LINE)} for each frame. */
    static List<String> frames(StackWalker.StackFrame[] stack) {
        return ProgramFrames.format(stack);
    }

    /** The program's frames of a Throwable's stack trace, innermost first (see {@link ProgramFrames}). */
    static List<StackTraceElement> programFrames(StackTraceElement[] trace, ClassLoader loader) {
        return ProgramFrames.of(trace, loader);
    }

    /** What is known of the live block at {@code pointer}, or null if nothing is. */
    Allocation allocation(long pointer) {
        Block b = live.get(pointer);
        return b == null ? null : allocation(pointer, b);
    }

    /** Every live block recorded, oldest first. */
    List<Allocation> allocations() {
        List<Allocation> out = new ArrayList<>(live.size());
        live.forEach((p, b) -> out.add(allocation(p, b)));
        return out;
    }

    private static Allocation allocation(long pointer, Block b) {
        return new Allocation(pointer, b.requested(), b.function(), frames(b.stack()));
    }

    /** The program's frames, innermost first: mallocscope's and the JDK's left out, up to the test engine. */
    private static StackWalker.StackFrame[] stack() {
        return ProgramFrames.current();
    }
}
