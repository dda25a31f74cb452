package io.mallocscope.cli.model;

import io.mallocscope.runtime.event.EventKind;
import io.mallocscope.runtime.text.Hex;
import io.mallocscope.runtime.timeline.Event;
import io.mallocscope.runtime.timeline.Functions;

import java.util.ArrayList;
import java.util.List;

/**
 * The words of the events that carry words rather than a chunk (a system call, glibc's abort message, a
 * segfault, the file events of the memory-mapping segment, a call left open), and the numbers of a
 * call as the views write them. The allocator's own transitions are told from their numbers
 * ({@link Story}, {@code explain.ChunkLife}).
 */
public final class EventText {
    private EventText() {
    }

    /**
     * What {@code e} says in words: {@code sbrk(0x21000) = 0x555555559000}, glibc's message, {@code
     * 0x0 (read of unmapped memory)}, {@code close fd 3 (/data/notes.txt)} …; null for an allocator
     * transition, which carries numbers only.
     */
    public static String of(Event e) {
        return switch (e.kind()) {
            case SYSCALL -> call(e) + " = " + number(e.ret(), Functions.isPointerResult(e.fn()));
            case ABORT -> e.message();
            case SEGV -> Hex.of(e.address()) + " (" + e.message() + ")";
            case OPEN, CLOSE, FILE_MAP, PAGE_PRIVATE, WRITE_BACK, SIGBUS -> file(e);
            // a call that began before the one it sits in returned (a recording cut short)
            case CALL -> call(e) + " called before this call returned";
            default -> e.kind().isTransition() ? null : e.toString();
        };
    }

    /** Whether {@code e} names a chunk ({@link Event#chunk()}, {@link Event#size()}). */
    public static boolean hasChunk(Event e) {
        return e.kind().isTransition() && e.kind() != EventKind.CONSOLIDATE && e.kind() != EventKind.THRESHOLD;
    }

    /** {@code free(0x5555555592a0)}: a call's (or system call's) function and arguments as the views write them. */
    public static String call(Event call) {
        return call.fnName() + "(" + String.join(", ", args(call)) + ")";
    }

    /** A call's arguments: pointers in hex, other numbers by {@link #number(long)}. */
    public static List<String> args(Event call) {
        long[] a = call.args();
        List<String> args = new ArrayList<>(a.length);
        for (int j = 0; j < a.length; j++) {
            args.add(number(a[j], Functions.isPointerArg(call.fn(), j)));
        }
        return args;
    }

    /** Sizes in hex as C programmers write them ({@code malloc(0x18)}); small and negative numbers in decimal. */
    public static String number(long v) {
        return v >= 0 && v < 10 || v < 0 ? Long.toString(v) : Hex.of(v);
    }

    private static String number(long v, boolean pointer) {
        return pointer ? Hex.of(v) : number(v);
    }

    /** A file event in words: "page 0x7ffff7fc3000 of /data/notes.txt written back (msync)". */
    private static String file(Event e) {
        return switch (e.kind()) {
            case OPEN -> "open " + e.path() + " = fd " + e.fd();
            case CLOSE -> "close fd " + e.fd() + " (" + e.path() + ")";
            case FILE_MAP -> "mapped " + e.path() + " from offset " + Hex.of(e.fileOffset()) + " at "
                    + Hex.of(e.fileAddress()) + " (" + Hex.of(e.mapLength()) + " bytes, "
                    + (e.isSharedMap() ? "MAP_SHARED" : "MAP_PRIVATE") + ")";
            case PAGE_PRIVATE -> "page " + Hex.of(e.fileAddress()) + " of " + e.path()
                    + " made private (copy-on-write at its first store)";
            case WRITE_BACK -> (e.pages() == 1 ? "page " + Hex.of(e.fileAddress()) + " of " + e.path()
                    : e.pages() + " pages of " + e.path() + " from " + Hex.of(e.fileAddress()))
                    + " written back (" + e.cause() + ")";
            case SIGBUS -> "SIGBUS at " + Hex.of(e.fileAddress()) + " (" + e.message() + ")";
            default -> e.toString();
        };
    }
}
