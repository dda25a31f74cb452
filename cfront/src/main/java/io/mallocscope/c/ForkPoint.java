package io.mallocscope.c;

import java.util.ArrayList;

/**
 * {@code fork()} in a C program, as the interpreter makes it real: the child goes on from the call
 * with {@code fork()} returning 0, over its own copy of the memory.
 *
 * <p>The interpreter keeps what a native process keeps in registers and on its stack (which
 * statement of which block runs, which operand of an expression is being evaluated, the operands
 * already computed) on the Java stack, which cannot be copied. So the fork builtin throws this, and
 * every statement, expression and frame it passes on its way to main's caller saves where it was
 * ({@link #save}): which part it was running and the values it held. At the top the process forks
 * (the runtime's {@code LibC.fork}, which copies memory, descriptors and the allocator), and both
 * processes re-enter the interpreter from the saved places ({@link #reenter}), each node taking its
 * own record back ({@link #pop}) and going on exactly where it was: the parent with fork()'s result
 * the child's pid, the child's interpreter over the child's memory with 0.
 *
 * <p>Neither unwinding nor re-entering loads, stores or calls anything: no expression is evaluated
 * twice, so no output, store or recorded call is repeated; the child's memory is the parent's at
 * the call, because nothing ran between the call and the copy.
 */
final class ForkPoint extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What one node saved: which of its parts was running ({@code phase}) and the values it held. */
    record Saved(Object node, int phase, long a, long[] vals, Object extra) {
    }

    private final ArrayList<Saved> saved;
    /** Re-entering: the next record to take back (they are taken outermost first). */
    private int next;
    /** The interpreter's stack pointer, call depth and stack floor at the fork() call. */
    final long rsp;
    final int depth;
    final long stackFloor;
    /** What fork() returns on this re-entry: the child's pid in the parent, 0 in the child. */
    final long value;

    ForkPoint(long rsp, int depth, long stackFloor) {
        this(new ArrayList<>(), rsp, depth, stackFloor, 0);
    }

    private ForkPoint(ArrayList<Saved> saved, long rsp, int depth, long stackFloor, long value) {
        super("fork() unwinding the interpreter", null, false, false);
        this.saved = saved;
        this.next = saved.size();
        this.rsp = rsp;
        this.depth = depth;
        this.stackFloor = stackFloor;
        this.value = value;
    }

    /** On the way out: {@code node} was running its part {@code phase}. Returns this, to rethrow. */
    ForkPoint save(Object node, int phase) {
        return save(node, phase, 0, null, null);
    }

    ForkPoint save(Object node, int phase, long a) {
        return save(node, phase, a, null, null);
    }

    ForkPoint save(Object node, int phase, long a, long[] vals, Object extra) {
        saved.add(new Saved(node, phase, a, vals, extra));
        return this;
    }

    /** The same place, to go back into with fork() returning {@code forkResult}. */
    ForkPoint reenter(long forkResult) {
        return new ForkPoint(saved, rsp, depth, stackFloor, forkResult);
    }

    /** Re-entering: {@code node}'s record (it must be the next one). */
    Saved pop(Object node) {
        if (next == 0) {
            throw new IllegalStateException("fork(): no record left for " + node);
        }
        Saved s = saved.get(--next);
        if (s.node() != node) {
            throw unsupported(node instanceof Expr e ? e.at : node instanceof Stmt st ? st.at : null);
        }
        return s;
    }

    /** Re-entering reached the fork() call itself: every record has been taken back. */
    boolean atCall() {
        return next == 0;
    }

    /** A construct the unwinding passed through without saving its place. */
    static RuntimeException unsupported(Tok at) {
        String what = "unsupported: fork() inside this construct (the C front end cannot resume it)";
        return at == null || at.file == null ? new IllegalStateException(what) : new CompileError(at, what);
    }
}
