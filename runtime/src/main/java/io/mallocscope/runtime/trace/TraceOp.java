package io.mallocscope.runtime.trace;

import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.malloc.Malloc;
import io.mallocscope.runtime.timeline.Functions;
import io.mallocscope.runtime.vm.Kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * The operations of a malloclab trace, each in one place: its letter and fields in a {@code .rep}
 * line, the C call it stands for, what that call returns, what it does to the block its ID names, and
 * how it runs, straight on the allocator or through {@link LibC} (by the call table of {@link Functions}). {@link Trace} parses lines with it,
 * {@link TraceRunner} runs ops with it, and every view formats a {@link Step} by the kinds given here,
 * so adding an op is adding a constant here.
 *
 * <p>The fields of a line ({@code usage}): {@code ID} names a block (0..{@link Trace#MAX_ID});
 * {@code BYTES}, {@code ALIGN} and {@code PAD} are unsigned 64-bit numbers; {@code PARAM} and
 * {@code VALUE} are ints; {@code INCR} is signed 64-bit. The numbers after the ID are a trace's
 * {@link Trace#arg1 arg1} and {@link Trace#arg2 arg2}.
 *
 * <p>The call ({@code call}) is written as C: {@code block} is the pointer the op's ID holds,
 * {@code arg1}/{@code arg2} the line's numbers, a literal stands for itself. A block, a size or an
 * address is shown in hex ({@link #argIsHex}), a literal or a signed number in decimal.
 */
public enum TraceOp {
    MALLOC('a', "ID BYTES", "malloc(arg1)", Returns.BLOCK, Binding.ASSIGN) {
        @Override
        long onMalloc(Malloc m, Kernel k, long block, long arg1, long arg2) {
            return m.malloc(arg1);
        }
    },
    FREE('f', "ID", "free(block)", Returns.NOTHING, Binding.CLEAR) {
        @Override
        long onMalloc(Malloc m, Kernel k, long block, long arg1, long arg2) {
            m.free(block);
            return 0;
        }
    },
    REALLOC('r', "ID BYTES", "realloc(block, arg1)", Returns.BLOCK, Binding.REALLOC) {
        @Override
        long onMalloc(Malloc m, Kernel k, long block, long arg1, long arg2) {
            return m.realloc(block, arg1);
        }
    },
    CALLOC('c', "ID BYTES", "calloc(1, arg1)", Returns.BLOCK, Binding.ASSIGN) {
        @Override
        long onMalloc(Malloc m, Kernel k, long block, long arg1, long arg2) {
            return m.calloc(1, arg1);
        }
    },
    TRIM('t', "PAD", "malloc_trim(arg1)", Returns.INT, Binding.NONE) {
        @Override
        long onMalloc(Malloc m, Kernel k, long block, long arg1, long arg2) {
            return m.mallocTrim(arg1);
        }
    },
    MEMALIGN('m', "ID ALIGN BYTES", "memalign(arg1, arg2)", Returns.BLOCK, Binding.ASSIGN) {
        @Override
        long onMalloc(Malloc m, Kernel k, long block, long arg1, long arg2) {
            return m.memalign(arg1, arg2);
        }
    },
    MALLOPT('o', "PARAM VALUE", "mallopt(arg1, arg2)", Returns.INT, Binding.NONE) {
        @Override
        long onMalloc(Malloc m, Kernel k, long block, long arg1, long arg2) {
            return m.mallopt((int) arg1, (int) arg2);
        }
    },
    /** The program moves the break itself ("foreign" sbrk): malloc does not know about this memory. */
    SBRK('s', "INCR", "sbrk(arg1)", Returns.BREAK, Binding.NONE) {
        @Override
        long onMalloc(Malloc m, Kernel k, long block, long arg1, long arg2) {
            return k.sbrk(arg1);
        }
    };

    /** What an op's call returns. */
    public enum Returns {
        /** A pointer to a block, or NULL (0). */
        BLOCK,
        /** An int (malloc_trim, mallopt). */
        INT,
        /** The old program break, or -1 when the kernel refused. */
        BREAK,
        /** Nothing (free). */
        NOTHING
    }

    /** What the call does to the block its ID names; {@link TraceRunner} applies it. */
    public enum Binding {
        /** The op has no ID, or leaves it alone. */
        NONE,
        /** The ID now names the block returned (NULL included). */
        ASSIGN,
        /** The block is given back; the harness then forgets it (a second free frees NULL). */
        CLEAR,
        /**
         * {@code realloc(block, arg1)}: the ID names the result, except when realloc failed for a
         * non-zero size on a real block: then the old block is still the program's and the ID keeps it.
         */
        REALLOC
    }

    private static final TraceOp[] BY_LETTER = new TraceOp[128];
    private static final String LETTERS;

    static {
        StringBuilder sb = new StringBuilder();
        for (TraceOp op : values()) {
            BY_LETTER[op.letter] = op;
            sb.append(sb.length() == 0 ? "" : " ").append(op.letter);
        }
        LETTERS = sb.toString();
    }

    private final char letter;
    private final String usage;
    private final String function;
    /** The function's number in {@link Functions}. */
    private final int fn;
    private final Returns returns;
    private final Binding binding;
    private final boolean hasId;
    /** The kind of each number after the ID: {@link #UNSIGNED}, {@link #INT} or {@link #SIGNED}. */
    private final byte[] fields;
    /** The C call's arguments: {@link #FROM_BLOCK}, {@link #FROM_ARG1}, {@link #FROM_ARG2} or a literal's index. */
    private final String[] callArgs;

    static final byte UNSIGNED = 0;
    static final byte INT = 1;
    static final byte SIGNED = 2;
    private static final String FROM_BLOCK = "block";
    private static final String FROM_ARG1 = "arg1";
    private static final String FROM_ARG2 = "arg2";

    TraceOp(char letter, String usage, String call, Returns returns, Binding binding) {
        this.letter = letter;
        this.usage = usage;
        this.returns = returns;
        this.binding = binding;
        String[] words = usage.split(" ");
        this.hasId = words[0].equals("ID");
        List<Byte> kinds = new ArrayList<>();
        for (int w = hasId ? 1 : 0; w < words.length; w++) {
            kinds.add(switch (words[w]) {
                case "BYTES", "ALIGN", "PAD" -> UNSIGNED;
                case "PARAM", "VALUE" -> INT;
                case "INCR" -> SIGNED;
                default -> throw new IllegalArgumentException("unknown field " + words[w] + " in '" + usage + "'");
            });
        }
        this.fields = new byte[kinds.size()];
        for (int f = 0; f < fields.length; f++) {
            fields[f] = kinds.get(f);
        }
        int open = call.indexOf('(');
        this.function = call.substring(0, open);
        this.fn = Functions.byName(function);
        if (!Functions.isLibCCall(fn)) {
            throw new IllegalArgumentException(function + " is not a LibC function of Functions");
        }
        String inside = call.substring(open + 1, call.length() - 1);
        this.callArgs = inside.isEmpty() ? new String[0] : inside.split(", ");
    }

    /** The op of a {@code .rep} letter, or null. */
    public static TraceOp ofLetter(char c) {
        return c < BY_LETTER.length ? BY_LETTER[c] : null;
    }

    /** All the letters, in order, separated by blanks: "a f r c t m o s". */
    static String letters() {
        return LETTERS;
    }

    /** The op's letter in a {@code .rep} line. */
    public char letter() {
        return letter;
    }

    /** The fields after the letter, as a user writes them: "ID BYTES". */
    public String usage() {
        return usage;
    }

    /** The C function the op calls: "malloc", "malloc_trim", "sbrk" … */
    public String function() {
        return function;
    }

    public Returns returns() {
        return returns;
    }

    public Binding binding() {
        return binding;
    }

    /** Whether the line names a block by its ID. */
    public boolean hasId() {
        return hasId;
    }

    /** How many numbers follow the letter and the ID. */
    int fieldCount() {
        return fields.length;
    }

    /** The kind of number {@code f} (0-based, after the ID). */
    byte field(int f) {
        return fields[f];
    }

    /** How many arguments the C call takes. */
    public int argCount() {
        return callArgs.length;
    }

    /** Whether argument {@code k} of the C call is a pointer or a size (shown in hex), not a count or an int. */
    public boolean argIsHex(int k) {
        String a = callArgs[k];
        return a.equals(FROM_BLOCK) || a.equals(FROM_ARG1) && fields[0] == UNSIGNED
                || a.equals(FROM_ARG2) && fields[1] == UNSIGNED;
    }

    /** The C call's arguments for a line whose ID holds {@code block}. */
    long[] args(long block, long arg1, long arg2) {
        long[] a = new long[callArgs.length];
        for (int k = 0; k < a.length; k++) {
            a[k] = switch (callArgs[k]) {
                case FROM_BLOCK -> block;
                case FROM_ARG1 -> arg1;
                case FROM_ARG2 -> arg2;
                default -> Long.parseLong(callArgs[k]);
            };
        }
        return a;
    }

    /** The line as a trace would hold it: "a 0 24", "m 3 64 100", "o -3 65536", "s -4096". */
    public String line(int id, long arg1, long arg2) {
        StringBuilder sb = new StringBuilder().append(letter);
        if (hasId) {
            sb.append(' ').append(id);
        }
        for (int f = 0; f < fields.length; f++) {
            long v = f == 0 ? arg1 : arg2;
            sb.append(' ').append(fields[f] == UNSIGNED ? Long.toUnsignedString(v) : Long.toString(v));
        }
        return sb.toString();
    }

    /** Runs the call on the allocator (and the kernel, for the break); returns its result (0 for void). */
    abstract long onMalloc(Malloc m, Kernel k, long block, long arg1, long arg2);

    /**
     * Runs the call through the C library, where the recording agent sees it, by the one table of
     * {@link Functions} that a timeline's replay uses too; returns its result (0 for void).
     */
    final long throughLibC(LibC c, long block, long arg1, long arg2) {
        return Functions.call(c, fn, args(block, arg1, arg2));
    }
}
