package io.mallocscope.cli.model;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How the story's and the narration's state is saved (cli.explain's {@code StoryCheckpoints}): maps and
 * sets written as what changed between two of their states (the keys gone, then the entries new or
 * changed, each in key order) and read back into the older state, or whole; and chunk names (address → call) as sorted addresses, each the distance from the one
 * before, in variable-length integers.
 */
public final class StateCodec {
    /** Writes one value. */
    @FunctionalInterface
    public interface Writer<T> {
        void write(DataOutput out, T value) throws IOException;
    }

    /** Reads one value. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(DataInput in) throws IOException;
    }

    public static final Writer<Long> LONG = StateCodec::writeVarLong;
    public static final Writer<Integer> INT = (out, v) -> writeVarLong(out, v);
    public static final Writer<String> TEXT = DataOutput::writeUTF;
    public static final Reader<Long> READ_LONG = StateCodec::readVarLong;
    public static final Reader<Integer> READ_INT = in -> (int) readVarLong(in);
    public static final Reader<String> READ_TEXT = DataInput::readUTF;

    /** A signed value in 1 to 10 bytes: zigzag, then 7 bits a byte, low first. */
    public static void writeVarLong(DataOutput out, long v) throws IOException {
        long z = (v << 1) ^ (v >> 63);
        while ((z & ~0x7fL) != 0) {
            out.writeByte((int) (z & 0x7f) | 0x80);
            z >>>= 7;
        }
        out.writeByte((int) z);
    }

    /** Reads a {@link #writeVarLong}. */
    public static long readVarLong(DataInput in) throws IOException {
        long z = 0;
        for (int shift = 0; ; shift += 7) {
            if (shift > 63) {
                throw new IOException("a variable-length integer of more than 10 bytes");
            }
            int b = in.readUnsignedByte();
            z |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        return (z >>> 1) ^ -(z & 1);
    }

    /** {@code keys}, sorted. */
    public static long[] sorted(java.util.Collection<Long> keys) {
        long[] a = new long[keys.size()];
        int i = 0;
        for (long k : keys) {
            a[i++] = k;
        }
        java.util.Arrays.sort(a);
        return a;
    }

    /**
     * Writes the {@code touched} keys of {@code now} as a {@link #changes} from the state before they were
     * touched: those gone, then those there with their values (all of them for a whole map).
     */
    public static <K extends Comparable<K>, V> void changes(DataOutput out, Map<K, V> now, Set<K> touched,
                                                            Writer<K> key, Writer<V> value) throws IOException {
        changes(out, now::containsKey, touched, key, (o, k) -> value.write(o, now.get(k)));
    }

    /** As {@link #changes(DataOutput, Map, Set, Writer, Writer)} for a set. */
    public static <K extends Comparable<K>> void changes(DataOutput out, Set<K> now, Set<K> touched, Writer<K> key)
            throws IOException {
        changes(out, now::contains, touched, key, (o, k) -> { });
    }

    private static <K extends Comparable<K>> void changes(DataOutput out, java.util.function.Predicate<K> there,
                                                          Set<K> touched, Writer<K> key, Writer<K> valueOf)
            throws IOException {
        List<K> gone = new ArrayList<>();
        List<K> present = new ArrayList<>();
        for (K k : touched) {
            (there.test(k) ? present : gone).add(k);
        }
        Collections.sort(gone);
        Collections.sort(present);
        writeVarLong(out, gone.size());
        for (K k : gone) {
            key.write(out, k);
        }
        writeVarLong(out, present.size());
        for (K k : present) {
            key.write(out, k);
            valueOf.write(out, k);
        }
    }

    /** Reads one {@link #changes} into {@code into} (the state it was written against). */
    public static <K, V> void apply(DataInput in, Map<K, V> into, Reader<K> key, Reader<V> value) throws IOException {
        for (long n = readVarLong(in); n > 0; n--) {
            into.remove(key.read(in));
        }
        for (long n = readVarLong(in); n > 0; n--) {
            K k = key.read(in);
            into.put(k, value.read(in));
        }
    }

    /** Reads one set's {@link #changes} into {@code into}. */
    public static <K> void apply(DataInput in, Set<K> into, Reader<K> key) throws IOException {
        for (long n = readVarLong(in); n > 0; n--) {
            into.remove(key.read(in));
        }
        for (long n = readVarLong(in); n > 0; n--) {
            into.add(key.read(in));
        }
    }
}
