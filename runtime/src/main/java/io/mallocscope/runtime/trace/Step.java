package io.mallocscope.runtime.trace;

import io.mallocscope.runtime.signal.SimulatedSignal;

import java.util.Arrays;

/**
 * One trace op as it ran: the C call with its arguments, what it returned, the memory it touched and
 * the signal it raised, if any. Made by {@link TraceRunner#step(int)}; every view of a replayed trace
 * formats these.
 *
 * @param index  the op's index in the trace (0-based)
 * @param op     the op
 * @param id     the block ID the line names (0 when the op has none)
 * @param args   the C call's arguments ({@code op.argCount()} of them; {@link TraceOp#argIsHex} says how to show each)
 * @param result what the call returned, as {@link TraceOp#returns()} says (0 for free, or when a signal stopped it)
 * @param signal the signal the call raised (the process ends there), or null
 */
public record Step(int index, TraceOp op, int id, long[] args, long result, SimulatedSignal signal) {

    /** The C function called: "malloc", "free" … */
    public String function() {
        return op.function();
    }

    /** Argument {@code k} of the call. */
    public long arg(int k) {
        return args[k];
    }

    /** The block the call handed out: the result of malloc/calloc/realloc/memalign, 0 if none or NULL. */
    public long allocated() {
        return op.returns() == TraceOp.Returns.BLOCK && signal == null ? result : 0;
    }

    /**
     * The block the call was given back: free's pointer (also when the free aborted), realloc's old block
     * unless realloc returned that same block (a failed realloc names it too: it was the one asked about);
     * 0 otherwise.
     */
    public long freed() {
        return switch (op.binding()) {
            case CLEAR -> args[0];
            case REALLOC -> signal == null && result != args[0] ? args[0] : 0;
            default -> 0;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Step s && index == s.index && op == s.op && id == s.id && Arrays.equals(args, s.args)
                && result == s.result && signal == s.signal;
    }

    @Override
    public int hashCode() {
        return (index * 31 + op.hashCode()) * 31 + Arrays.hashCode(args) + Long.hashCode(result);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append('#').append(index).append(' ').append(op.function()).append('(');
        for (int k = 0; k < args.length; k++) {
            sb.append(k == 0 ? "" : ", ").append(op.argIsHex(k) ? "0x" + Long.toHexString(args[k]) : Long.toString(args[k]));
        }
        sb.append(')');
        if (signal != null) {
            return sb.append(" -> ").append(signal.shellDescription()).toString();
        }
        return op.returns() == TraceOp.Returns.NOTHING ? sb.toString()
                : sb.append(" = ").append(op.returns() == TraceOp.Returns.BLOCK ? "0x" + Long.toHexString(result)
                        : Long.toString(result)).toString();
    }
}
