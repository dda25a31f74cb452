package io.mallocscope.runtime.memcheck;

import io.mallocscope.runtime.vm.AddressSpace;
import io.mallocscope.runtime.vm.Layout;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Memcheck on the exact heap: a shadow of the heap beside the simulated memory saying, for every byte
 * malloc manages, whether the program may touch it (it lies in the requested bytes of a live block)
 * and whether it holds a defined value (written since it was allocated, or allocated zeroed), with
 * each block's allocation and free stacks. {@code LibC} tells it about every block and every access
 * the program makes through LibC, and it reports in Valgrind memcheck's words: invalid reads and
 * writes, uses of uninitialised bytes where a LibC function decides something on them or prints them,
 * invalid and double frees, overlapping copies, and at exit the heap and leak summaries.
 *
 * <p>The heap itself is the normal run's, byte for byte: the allocator is not replaced, the checks
 * only look. So a block freed and then handed out again by the next malloc is that new block (Valgrind
 * would still call it freed: it holds freed blocks back), and a free memcheck calls invalid still goes
 * to glibc, which may then stop the program as it would without memcheck.
 *
 * <p>Bytes outside every page that has held a block are not checked; nor are stores the program makes
 * straight into {@code process().memory()}. Values a Java program reads into its own variables are
 * beyond the shadow: an uninitialised value is reported where LibC uses the bytes themselves. An
 * interpreter that follows its program's values (the C front end) says more: what it stores and with
 * which definedness ({@link #stored}), the frames it enters and leaves (the stack gets a shadow too),
 * and where its program branches on an undefined value or uses one as an address.
 */
public final class Memcheck {
    static final byte NOACCESS = 0;
    static final byte UNDEFINED = 1;
    static final byte DEFINED = 2;

    /** Valgrind's default {@code --freelist-vol}: how many bytes of freed blocks are remembered. */
    static final long FREELIST_VOLUME = 20_000_000;
    /** Valgrind's heap redzone: how far before or after a block an address still counts as near it. */
    static final long REDZONE = 16;
    private static final int PAGE = (int) AddressSpace.PAGE_SIZE;

    /** One block: what was asked for and where. {@code freeStack} is null while it is live. */
    private static final class Block {
        final long pointer;
        final long size;
        final String function;
        final Stack allocStack;
        Stack freeStack;

        Block(long pointer, long size, String function, Stack allocStack) {
            this.pointer = pointer;
            this.size = size;
            this.function = function;
            this.allocStack = allocStack;
        }
    }

    /** A stack as a report prints it, formatted only when one does. */
    @FunctionalInterface
    private interface Stack {
        /** The frames, innermost first. */
        List<String> frames();
    }

    /** LibC's typed loads and stores: C's {@code *p}, not functions. */
    private static final Set<String> PLAIN_ACCESS = Set.of("getByte", "getShort", "getInt", "getLong", "putByte",
            "putShort", "putInt", "putLong", "readBytes", "writeBytes");

    private final AddressSpace memory;
    private final PrintStream out;
    private final String prefix;
    private final Map<Long, byte[]> shadow = new HashMap<>();
    private final TreeMap<Long, Block> live = new TreeMap<>(Long::compareUnsigned);
    private final LinkedHashMap<Long, Block> freed = new LinkedHashMap<>();
    private long freedVolume;
    private final Set<String> contexts = new HashSet<>();
    private final List<String> errors = new ArrayList<>();
    private int errorCount;
    /** An undefined value was reported: the summary then suggests --track-origins, as Valgrind's does. */
    private boolean valueErrors;
    private long allocs;
    private long frees;
    private long bytesAllocated;
    /** The stdio buffer: freed at exit by glibc's freeres under Valgrind, so not in the leak check. */
    private long stdioBuffer;
    /** The interpreter running the program (the C front end), whose frames replace the Java stack's; or null. */
    private volatile java.util.function.Supplier<List<String>> interpreter;
    /** The function giving the block back that {@link #released} is told of ({@link #freeing}'s). */
    private String freeFunction = "free";

    /**
     * @param memory the process's memory (read for the leak search)
     * @param out    where reports are printed as they happen (the process's stderr), each line
     *               prefixed like Valgrind's {@code ==PID== }; null: not printed, only kept
     * @param pid    the number in the prefix
     */
    public Memcheck(AddressSpace memory, PrintStream out, int pid) {
        this.memory = memory;
        this.out = out;
        this.prefix = "==" + pid + "== ";
    }

    /**
     * The program is interpreted (a C program run by the C front end): from now on a report's stacks are
     * {@code frames}' (the interpreted program's frames, innermost first, as Valgrind prints a C program's:
     * {@code main (prog.c:8)}), an allocation's and a free's led by the allocator's function and the
     * library function the program called, if another ({@code at malloc, by strdup, by main (prog.c:8)}),
     * as Valgrind's are, instead of the Java stack's.
     */
    public void interpretedBy(java.util.function.Supplier<List<String>> frames) {
        this.interpreter = frames;
    }

    /** The program's stack now; an allocation's or a free's, for an interpreted program, led by {@code function}. */
    private Stack stack(String function) {
        java.util.function.Supplier<List<String>> in = interpreter;
        if (in != null) {
            List<String> f = new ArrayList<>();
            if (function != null) {
                f.add(function);
                String outer = ProgramFrames.calledFunction(); // strdup, getline: the call that malloc'ed
                if (!outer.equals(function) && !outer.equals("?") && !PLAIN_ACCESS.contains(outer)) {
                    f.add(outer);
                }
            }
            f.addAll(in.get());
            List<String> frozen = List.copyOf(f);
            return () -> frozen;
        }
        StackWalker.StackFrame[] f = ProgramFrames.current(true);
        return () -> ProgramFrames.format(f);
    }

    /**
     * The child of {@code fork} goes on under memcheck as Valgrind's does: with a copy of everything this
     * one knows (the shadow, the blocks live and freed with their stacks, the counts and the errors so far),
     * over the child's memory, reporting with the child's {@code pid} in the prefix.
     */
    public Memcheck copyForFork(AddressSpace childMemory, int pid) {
        Memcheck c = new Memcheck(childMemory, out, pid);
        shadow.forEach((page, states) -> c.shadow.put(page, isUniform(states) ? states : states.clone()));
        Map<Block, Block> copies = new java.util.IdentityHashMap<>();
        live.forEach((pointer, b) -> c.live.put(pointer, copies.computeIfAbsent(b, Memcheck::copy)));
        freed.forEach((pointer, b) -> c.freed.put(pointer, copies.computeIfAbsent(b, Memcheck::copy)));
        c.freedVolume = freedVolume;
        c.contexts.addAll(contexts);
        c.errors.addAll(errors);
        c.errorCount = errorCount;
        c.valueErrors = valueErrors;
        c.allocs = allocs;
        c.frees = frees;
        c.bytesAllocated = bytesAllocated;
        c.stdioBuffer = stdioBuffer;
        c.interpreter = interpreter;
        c.freeFunction = freeFunction;
        return c;
    }

    private static Block copy(Block b) {
        Block c = new Block(b.pointer, b.size, b.function, b.allocStack);
        c.freeStack = b.freeStack;
        return c;
    }

    private static boolean isUniform(byte[] states) {
        return states == UNIFORM[0] || states == UNIFORM[1] || states == UNIFORM[2];
    }

    // ================================================================ the heap's blocks

    /**
     * {@code function} returned the block {@code pointer} of {@code requested} bytes; {@code zeroed}
     * for calloc (its bytes are defined). Nothing for a NULL result.
     */
    public void allocated(String function, long pointer, long requested, boolean zeroed) {
        if (pointer == 0) {
            return;
        }
        allocs++;
        bytesAllocated += requested;
        freed.remove(pointer);
        live.put(pointer, new Block(pointer, requested, function, stack(function)));
        // the chunk header and the padding are inside pages the shadow now covers: no access there
        ensurePages(pointer - 16, pointer + requested + 16);
        set(pointer, requested, zeroed ? DEFINED : UNDEFINED);
    }

    /**
     * The block at {@code pointer} (already told as allocated) is the buffer stdio mallocs for stdout:
     * not the program's block; glibc's freeres gives it back at exit under Valgrind.
     */
    public void stdioBuffer(long pointer) {
        stdioBuffer = pointer;
    }

    /**
     * {@code function} ("free", "realloc", "reallocarray") is about to give {@code pointer} back:
     * reports an invalid or double free. Returns whether the pointer is a live block.
     */
    public boolean freeing(String function, long pointer) {
        if (pointer == 0) {
            return true;
        }
        frees++; // Valgrind counts every free of a non-NULL pointer, a refused one too
        freeFunction = function;
        if (live.containsKey(pointer)) {
            return true;
        }
        report("Invalid free() / delete / delete[] / realloc()", describe(pointer, false), null);
        return false;
    }

    /** The live block {@code pointer} was given back: its bytes may no longer be touched. */
    public void released(long pointer) {
        Block b = live.remove(pointer);
        if (b == null) {
            return;
        }
        b.freeStack = stack(freeFunction);
        set(pointer, b.size, NOACCESS);
        freed.put(pointer, b);
        freedVolume += b.size;
        for (Iterator<Block> it = freed.values().iterator(); freedVolume > FREELIST_VOLUME && it.hasNext(); ) {
            freedVolume -= it.next().size;
            it.remove();
        }
    }

    /**
     * realloc moved or resized {@code old} into {@code pointer} of {@code requested} bytes (both
     * non-NULL): the bytes kept keep their definedness, new ones are undefined.
     */
    public void reallocated(String function, long old, long pointer, long requested) {
        Block b = live.get(old);
        long kept = b == null ? 0 : Math.min(b.size, requested);
        byte[] states = new byte[(int) Math.min(kept, Integer.MAX_VALUE - 8)];
        for (int i = 0; i < states.length; i++) {
            states[i] = state(old + i);
        }
        freeFunction = function;
        released(old);
        allocated(function, pointer, requested, false);
        for (int i = 0; i < states.length; i++) {
            setState(pointer + i, states[i]);
        }
    }

    // ================================================================ accesses

    /** The program reads {@code size} bytes at {@code address} through LibC. */
    public void read(long address, long size) {
        check(address, size, false);
    }

    /** The program writes {@code size} bytes at {@code address} through LibC: they become defined. */
    public void write(long address, long size) {
        if (check(address, size, true)) {
            set(address, size, DEFINED);
        } else {
            for (long i = 0; i < size; i++) {
                if (state(address + i) != NOACCESS) {
                    setState(address + i, DEFINED);
                }
            }
        }
    }

    /** A LibC function writes {@code size} bytes one at a time (strcpy of a literal): each bad byte is an error of size 1. */
    public void writeBytewise(long address, long size) {
        boolean ok = true;
        for (long i = 0; i < size; i++) {
            if (state(address + i) == NOACCESS) {
                report("Invalid write of size 1", describe(address + i, false), null);
                ok = false;
            }
        }
        if (ok) {
            set(address, size, DEFINED);
        } else {
            for (long i = 0; i < size; i++) {
                if (state(address + i) != NOACCESS) {
                    setState(address + i, DEFINED);
                }
            }
        }
    }

    /**
     * {@code memcpy}-like copy of {@code n} bytes: both ranges checked, the source's definedness
     * copied; {@code overlapName} non-null ("memcpy", "strcpy" …) reports overlapping ranges as
     * Valgrind does for functions that do not allow them.
     */
    public void copy(long dest, long src, long n, String overlapName) {
        copy(dest, src, n, overlapName, true);
    }

    /** {@link #copy(long, long, long, String)}; {@code checkSource} false when the source was checked already. */
    public void copy(long dest, long src, long n, String overlapName, boolean checkSource) {
        if (overlapName != null && n > 0 && Long.compareUnsigned(dest, src + n) < 0
                && Long.compareUnsigned(src, dest + n) < 0) {
            report("Source and destination overlap in " + overlapName + "(0x" + Long.toHexString(dest) + ", 0x"
                    + Long.toHexString(src) + (overlapName.equals("strcpy") ? "" : ", " + n) + ")", null, null);
        }
        if (checkSource) {
            check(src, n, false);
        }
        check(dest, n, true);
        if (n <= 0 || n > Integer.MAX_VALUE) {
            return;
        }
        byte[] states = new byte[(int) n];
        for (int i = 0; i < n; i++) {
            states[i] = state(src + i);
        }
        for (int i = 0; i < n; i++) {
            if (state(dest + i) != NOACCESS) {
                setState(dest + i, states[i] == NOACCESS ? DEFINED : states[i]);
            }
        }
    }

    /**
     * A LibC function read {@code n} bytes at {@code address} and branched on each (strlen's loop,
     * strcmp, memcmp): invalid bytes are an invalid read, undefined ones Valgrind's "Conditional jump
     * or move depends on uninitialised value(s)".
     */
    public void decidedOn(long address, long n) {
        if (!check(address, n, false)) {
            return;
        }
        uninitialised(address, n, "Conditional jump or move depends on uninitialised value(s)");
    }

    /** {@code n} bytes at {@code address} are printed: undefined ones are reported as write(2)'s would be. */
    public void printed(long address, long n) {
        uninitialised(address, n, "Syscall param write(buf) points to uninitialised byte(s)");
    }

    private void uninitialised(long address, long n, String what) {
        for (long i = 0; i < n; i++) {
            if (state(address + i) == UNDEFINED) {
                report(what, describe(address + i, true), null);
                return;
            }
        }
    }

    // ================================================================ values an interpreted program computes

    /**
     * Whether any of the {@code n} bytes at {@code address} is undefined: a value the program loads from
     * them has undefined bits. Bytes it may not touch count as defined, as Valgrind takes the value of an
     * invalid read (it reported the read already).
     */
    public boolean undefined(long address, long n) {
        for (long i = 0; i < n; i++) {
            if (state(address + i) == UNDEFINED) {
                return true;
            }
        }
        return false;
    }

    /**
     * An interpreted program stored a value of {@code n} bytes at {@code address} itself (not through
     * LibC, which marks what it writes defined): the bytes take its definedness, so a value copied
     * through memory keeps it. Bytes it may not touch stay so (the store was checked where it was made).
     */
    public void stored(long address, long n, boolean defined) {
        byte s = defined ? DEFINED : UNDEFINED;
        for (long i = 0; i < n; i++) {
            if (state(address + i) != NOACCESS) {
                setState(address + i, s);
            }
        }
    }

    /**
     * {@code n} bytes were copied from {@code src} to {@code dest} by an interpreted program (a struct
     * assignment, a struct passed or returned by value): each destination byte takes its source's
     * definedness, as Valgrind's shadow follows a copy. Only what LibC's own copy left defined changes.
     */
    public void copiedDefinedness(long dest, long src, long n) {
        for (long i = 0; i < n; i++) {
            if (state(src + i) == UNDEFINED && state(dest + i) != NOACCESS) {
                setState(dest + i, UNDEFINED);
            }
        }
    }

    /**
     * An interpreted function's frame {@code [from, to)} was entered: its bytes hold no value yet. As
     * Valgrind marks the stack below the stack pointer undefined on each call (amd64's red zone hint)
     * and when the pointer moves down over a frame, a local read before it is written is undefined,
     * whatever an earlier call left there.
     */
    public void frameEntered(long from, long to) {
        set(from, to - from, UNDEFINED);
    }

    /**
     * The frame {@code [from, to)} was left. Its bytes count as defined again: the interpreter itself
     * keeps what it hands between frames below the stack pointer (a struct returned by value), which no
     * program's read of its own frame can reach; a program reading a dead frame is not checked.
     */
    public void frameLeft(long from, long to) {
        set(from, to - from, DEFINED);
    }

    /**
     * The interpreted program branched on a value with undefined bits ({@code if}, a loop's condition,
     * {@code ?:}, {@code &&}, {@code switch}): Valgrind's "Conditional jump or move depends on
     * uninitialised value(s)", at the program's own frames. {@code jump} is the branch itself (the
     * expression tested): two on one line are two contexts, as Valgrind's two instructions are.
     */
    public void branchedOnUndefined(Object jump) {
        report(CONDITIONAL, null, null, false, jump);
    }

    /**
     * The interpreted program used a value with undefined bits as an address (a pointer loaded from
     * uninitialised memory, dereferenced): Valgrind's "Use of uninitialised value of size 8".
     * {@code access} is the dereference (its own context, as {@link #branchedOnUndefined}'s jump).
     */
    public void addressUndefined(Object access) {
        report(USE_OF_SIZE_8, null, null, false, access);
    }

    /**
     * A library function the program called uses an undefined value it was given: Valgrind's error
     * {@code what} with the library's own frames {@code inside} (innermost first, {@code "malloc"},
     * {@code "_itoa_word (_itoa.c:177)"}) before the program's.
     */
    public void undefinedInLibrary(String what, List<String> inside) {
        List<String> f = new ArrayList<>(inside);
        Stack program = stack(null);
        report(what, null, () -> {
            List<String> all = new ArrayList<>(f);
            all.addAll(program.frames());
            return all;
        }, false, null);
    }

    /** Valgrind's words for a branch on an undefined value. */
    public static final String CONDITIONAL = "Conditional jump or move depends on uninitialised value(s)";
    /** Valgrind's words for an undefined value used as an address. */
    public static final String USE_OF_SIZE_8 = "Use of uninitialised value of size 8";

    /** The program mapped or unmapped {@code [start, end)} itself: whatever the shadow said there is void. */
    public void forget(long start, long end) {
        for (long page = Long.divideUnsigned(start, PAGE); Long.compareUnsigned(page * PAGE, end) < 0; page++) {
            shadow.remove(page);
        }
    }

    /**
     * Checks addressability. An access of up to 8 bytes is one access (one error, named by its size,
     * at its first bad byte); a longer one is a LibC function touching one byte at a time, as
     * Valgrind's replacements do: one error of size 1 for each bad byte (printed once per context).
     * Returns whether all bytes were addressable.
     */
    private boolean check(long address, long size, boolean write) {
        boolean ok = true;
        for (long i = 0; i < size; i++) {
            if (state(address + i) == NOACCESS) {
                long bad = address + i;
                report("Invalid " + (write ? "write" : "read") + " of size " + (size <= 8 ? size : 1),
                        describe(bad, false), null);
                ok = false;
                if (size <= 8) {
                    break;
                }
            }
        }
        return ok;
    }

    // ================================================================ the end

    /**
     * The process ended (how: {@code signal}, e.g. "6 (SIGABRT)", or null for a normal exit): Valgrind's
     * HEAP SUMMARY, the loss records of lost blocks (grouped by allocation stack), the LEAK SUMMARY and
     * the ERROR SUMMARY. {@code roots} are the ranges scanned for pointers (the program's globals).
     */
    public void exited(String signal, List<long[]> roots) {
        if (signal != null) {
            StringBuilder sb = new StringBuilder();
            line(sb, "");
            line(sb, "Process terminating with default action of signal " + signal);
            print(sb.toString());
        }
        List<LeakCheck.Block> blocks = new ArrayList<>();
        long inUse = 0;
        for (Block b : live.values()) {
            if (b.pointer == stdioBuffer) {
                continue; // glibc's freeres gives it back before Valgrind looks
            }
            blocks.add(new LeakCheck.Block(b.pointer, b.size, b.function, b.allocStack.frames()));
            inUse += b.size;
        }
        StringBuilder sb = new StringBuilder();
        line(sb, "");
        line(sb, "HEAP SUMMARY:");
        line(sb, "    in use at exit: " + n(inUse) + " bytes in " + n(blocks.size()) + " blocks");
        line(sb, "  total heap usage: " + n(allocs) + " allocs, " + n(frees + (stdioBuffer != 0 && live.containsKey(stdioBuffer)
                ? 1 : 0)) + " frees, " + n(bytesAllocated) + " bytes allocated");
        line(sb, "");
        if (blocks.isEmpty()) {
            line(sb, "All heap blocks were freed -- no leaks are possible");
        } else {
            List<LeakCheck.Kind> kinds = LeakCheck.classify(memory, blocks, roots);
            long[] bytes = new long[3];
            long[] count = new long[3];
            for (int i = 0; i < blocks.size(); i++) {
                bytes[kinds.get(i).ordinal()] += blocks.get(i).bytes();
                count[kinds.get(i).ordinal()]++;
            }
            long[] indirect = LeakCheck.indirectBytes(memory, blocks, kinds);
            List<LossRecord> records = lossRecords(blocks, kinds, indirect);
            int i = 0;
            for (LossRecord r : records) {
                i++;
                if (r.kind() != LeakCheck.Kind.DEFINITELY_LOST) {
                    continue; // counted, not shown: Valgrind's --show-leak-kinds=definite,possible
                }
                String head = (r.indirect() > 0 ? n(r.direct() + r.indirect()) + " (" + n(r.direct()) + " direct, "
                        + n(r.indirect()) + " indirect)" : n(r.direct())) + " bytes in " + n(r.blocks())
                        + " blocks are " + r.kind().words() + " in loss record " + n(i) + " of " + n(records.size());
                line(sb, head);
                frames(sb, r.stack());
                line(sb, "");
                errorCount++;
                contexts.add(head);
                errors.add(head + "\n" + String.join("\n", r.stack()));
            }
            line(sb, "LEAK SUMMARY:");
            line(sb, "   definitely lost: " + n(bytes[0]) + " bytes in " + n(count[0]) + " blocks");
            line(sb, "   indirectly lost: " + n(bytes[1]) + " bytes in " + n(count[1]) + " blocks");
            line(sb, "     possibly lost: 0 bytes in 0 blocks");
            line(sb, "   still reachable: " + n(bytes[2]) + " bytes in " + n(count[2]) + " blocks");
            line(sb, "        suppressed: 0 bytes in 0 blocks");
            if (count[2] > 0) {
                line(sb, "Reachable blocks (those to which a pointer was found) are not shown.");
                line(sb, "To see them, rerun with: --leak-check=full --show-leak-kinds=all");
            }
        }
        line(sb, "");
        if (valueErrors) {
            line(sb, "Use --track-origins=yes to see where uninitialised values come from");
        }
        line(sb, "ERROR SUMMARY: " + n(errorCount) + " errors from " + n(contexts.size()) + " contexts (suppressed: 0 from 0)");
        print(sb.toString());
    }

    /** One of Valgrind's loss records: the blocks of one kind allocated by one stack. */
    private record LossRecord(LeakCheck.Kind kind, List<String> stack, long direct, long indirect, int blocks) {
    }

    /**
     * The loss records of every block still allocated, as Valgrind numbers them: one per kind and
     * allocation stack (a definitely lost one with the bytes its blocks lead indirectly), sorted by their
     * total bytes, then their kind (definitely lost, indirectly lost, still reachable), then their blocks;
     * records equal in all three keep the order of their first blocks' addresses.
     */
    private static List<LossRecord> lossRecords(List<LeakCheck.Block> blocks, List<LeakCheck.Kind> kinds, long[] indirect) {
        record Key(LeakCheck.Kind kind, String function, List<String> stack) {
        }
        Map<Key, long[]> sums = new LinkedHashMap<>(); // direct, indirect, blocks
        for (int i = 0; i < blocks.size(); i++) {
            LeakCheck.Block b = blocks.get(i);
            long[] t = sums.computeIfAbsent(new Key(kinds.get(i), b.function(), b.stack()), k -> new long[3]);
            t[0] += b.bytes();
            t[1] += indirect[i];
            t[2]++;
        }
        List<LossRecord> records = new ArrayList<>();
        sums.forEach((k, t) -> records.add(new LossRecord(k.kind(), k.stack(), t[0], t[1], (int) t[2])));
        records.sort(java.util.Comparator.comparingLong((LossRecord r) -> r.direct() + r.indirect())
                .thenComparing(LossRecord::kind).thenComparingInt(LossRecord::blocks));
        return records;
    }

    /** A count as Valgrind prints it in its summaries: with thousands separators ({@code 4,118}). */
    private static String n(long v) {
        return String.format(java.util.Locale.ROOT, "%,d", v);
    }

    /** The errors reported so far, each as its lines without the prefix, in order (each context once). */
    public List<String> errors() {
        return List.copyOf(errors);
    }

    /** How many errors were found, counting repeats of one context (Valgrind's ERROR SUMMARY count). */
    public int errorCount() {
        return errorCount;
    }

    /** The roots of a process whose program has {@code image}: its .data and .bss, where its globals are. */
    public static List<long[]> globalsRoots(io.mallocscope.runtime.vm.ProgramImage image) {
        return List.of(new long[] {image.dataStart(), image.bssEnd()});
    }

    // ================================================================ reporting

    private void report(String what, String address, Stack at) {
        report(what, address, at, true, null);
    }

    /**
     * Reports an error, counted and, the first time its context is seen, printed. {@code calledFunction}:
     * the LibC function the program is in (strcpy, free) leads the frames; false for what the interpreted
     * program does itself, which no LibC function is on the way to. {@code instruction}: what tells
     * apart two errors of one line (Valgrind's contexts are instruction addresses), or null.
     */
    private void report(String what, String address, Stack at, boolean calledFunction, Object instruction) {
        if (ProgramFrames.insideAgent()) {
            return; // the recording agent copying what the program wrote: not the program's access
        }
        Stack stack = at != null ? at : stack(null);
        List<String> frames = new ArrayList<>();
        String fn = calledFunction ? ProgramFrames.calledFunction() : "?";
        if (calledFunction && !PLAIN_ACCESS.contains(fn)) {
            frames.add(fn); // a C function (strcpy, free): Valgrind's first frame; a load or store has none
        }
        frames.addAll(stack.frames());
        if (what.startsWith("Conditional jump") || what.startsWith("Use of uninitialised")
                || what.endsWith("uninitialised byte(s)")) {
            valueErrors = true;
        }
        errorCount++;
        String key = what + frames + (instruction == null ? "" : "@" + System.identityHashCode(instruction));
        if (!contexts.add(key)) {
            return; // Valgrind shows each context once and counts the repeats
        }
        StringBuilder sb = new StringBuilder();
        line(sb, what);
        frames(sb, frames);
        if (address != null) {
            for (String l : address.split("\n")) {
                line(sb, l);
            }
        }
        line(sb, "");
        String text = sb.toString();
        errors.add(text.replace(prefix, "").stripTrailing());
        print(text);
    }

    /**
     * Valgrind's description of an address: in or near (within a redzone of) a recently freed block,
     * then a live one, then the stack; else "not stack'd, malloc'd or (recently) free'd".
     */
    private String describe(long a, boolean insideLiveOk) {
        String hex = "0x" + Long.toHexString(a);
        // the freed block holding the address, the most recently freed first; then a live block it is
        // just before or after; then a freed block it is near: our blocks sit closer than Valgrind's
        List<Block> recent = new ArrayList<>(freed.values());
        java.util.Collections.reverse(recent);
        for (Block b : recent) {
            if (Long.compareUnsigned(a, b.pointer) >= 0 && Long.compareUnsigned(a, b.pointer + Math.max(1, b.size)) < 0) {
                return freedText(hex, a, b);
            }
        }
        Map.Entry<Long, Block> below = live.floorEntry(a);
        Map.Entry<Long, Block> above = live.ceilingEntry(a);
        for (Map.Entry<Long, Block> e : new ArrayList<>(java.util.Arrays.asList(below, above))) {
            if (e == null) {
                continue;
            }
            Block b = e.getValue();
            if (Long.compareUnsigned(a, b.pointer - REDZONE) >= 0 && Long.compareUnsigned(a, b.pointer + b.size + REDZONE) < 0) {
                if (!insideLiveOk && Long.compareUnsigned(a, b.pointer) >= 0 && Long.compareUnsigned(a, b.pointer + b.size) < 0) {
                    continue;
                }
                return " Address " + hex + " is " + relation(a, b) + " a block of size " + b.size + " alloc'd\n"
                        + frameLines(b.allocStack);
            }
        }
        for (Block b : recent) {
            if (Long.compareUnsigned(a, b.pointer - REDZONE) >= 0 && Long.compareUnsigned(a, b.pointer + b.size + REDZONE) < 0) {
                return freedText(hex, a, b);
            }
        }
        if (Long.compareUnsigned(a, Layout.STACK_END - Layout.STACK_LIMIT) >= 0 && Long.compareUnsigned(a, Layout.STACK_END) < 0) {
            return " Address " + hex + " is on thread 1's stack";
        }
        return " Address " + hex + " is not stack'd, malloc'd or (recently) free'd";
    }

    private static String freedText(String hex, long a, Block b) {
        return " Address " + hex + " is " + relation(a, b) + " a block of size " + b.size + " free'd\n"
                + frameLines(b.freeStack) + " Block was alloc'd at\n" + frameLines(b.allocStack);
    }

    private static String relation(long a, Block b) {
        if (Long.compareUnsigned(a, b.pointer) < 0) {
            return (b.pointer - a) + " bytes before";
        }
        if (Long.compareUnsigned(a, b.pointer + b.size) >= 0) {
            return (a - b.pointer - b.size) + " bytes after";
        }
        return (a - b.pointer) + " bytes inside";
    }

    private static String frameLines(Stack stack) {
        StringBuilder sb = new StringBuilder();
        List<String> f = stack.frames();
        if (f.isEmpty()) {
            sb.append("   at ? (no frame of the program's own)\n");
        }
        for (int i = 0; i < f.size(); i++) {
            sb.append(i == 0 ? "   at " : "   by ").append(f.get(i)).append('\n');
        }
        return sb.toString();
    }

    private void frames(StringBuilder sb, List<String> frames) {
        if (frames.isEmpty()) {
            line(sb, "   at ? (no frame of the program's own)");
        }
        for (int i = 0; i < frames.size(); i++) {
            line(sb, (i == 0 ? "   at " : "   by ") + frames.get(i));
        }
    }

    private void line(StringBuilder sb, String s) {
        sb.append(prefix).append(s).append(System.lineSeparator());
    }

    private void print(String text) {
        if (out != null) {
            out.print(text);
            out.flush();
        }
    }

    // ================================================================ the shadow

    private void ensurePages(long from, long to) {
        for (long page = Long.divideUnsigned(from, PAGE); Long.compareUnsigned(page * PAGE, to) < 0; page++) {
            shadow.putIfAbsent(page, UNIFORM[NOACCESS]); // all NOACCESS
        }
    }

    private byte state(long a) {
        byte[] page = shadow.get(Long.divideUnsigned(a, PAGE));
        return page == null ? DEFINED : page[(int) Long.remainderUnsigned(a, PAGE)];
    }

    private void setState(long a, byte s) {
        long pageNo = Long.divideUnsigned(a, PAGE);
        byte[] page = shadow.get(pageNo);
        if (page != null && page[(int) Long.remainderUnsigned(a, PAGE)] != s) {
            writable(pageNo)[(int) Long.remainderUnsigned(a, PAGE)] = s;
        }
    }

    private void set(long address, long n, byte s) {
        long i = 0;
        while (i < n) {
            long a = address + i;
            long page = Long.divideUnsigned(a, PAGE);
            int off = (int) Long.remainderUnsigned(a, PAGE);
            long run = Math.min(n - i, PAGE - off);
            if (off == 0 && run == PAGE) {
                shadow.put(page, UNIFORM[s]); // a whole page in one state: shared until a byte differs
            } else {
                byte[] p = writable(page);
                java.util.Arrays.fill(p, off, off + (int) run, s);
            }
            i += run;
        }
    }

    /** Pages all of one state, shared (never written: {@link #writable} copies them first). */
    private static final byte[][] UNIFORM = {new byte[PAGE], filled(UNDEFINED), filled(DEFINED)};

    private static byte[] filled(byte s) {
        byte[] p = new byte[PAGE];
        java.util.Arrays.fill(p, s);
        return p;
    }

    private byte[] writable(long page) {
        byte[] p = shadow.get(page);
        if (p == null) {
            p = UNIFORM[DEFINED].clone(); // a page without a shadow is all defined (state()): so is the rest of it
            shadow.put(page, p);
        } else if (isUniform(p)) {
            p = p.clone();
            shadow.put(page, p);
        }
        return p;
    }
}
