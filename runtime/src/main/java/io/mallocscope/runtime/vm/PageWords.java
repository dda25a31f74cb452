package io.mallocscope.runtime.vm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.nio.ByteOrder;

/**
 * Little-endian 16-, 32- and 64-bit loads and stores inside a page's byte array, at an offset the
 * caller has checked ({@code 0 <= off <= array length - width}): the inner step of every simulated
 * load and store ({@link AddressSpace}).
 *
 * <p>Where the JVM offers {@code sun.misc.Unsafe}'s array accesses without a warning (Java 17 to 22)
 * and the host loads and stores at any address (x86-64 and AArch64: a simulated program's words need
 * not be aligned, and {@code Unsafe}'s plain accesses do not promise unaligned ones elsewhere), each is
 * one call the JIT turns into one machine load or store; elsewhere they go through a byte array view
 * {@link VarHandle}, which gives the same values. Both read and write the same bytes: the
 * simulated memory is little-endian whatever the host is. The reason is the JIT's budget: C2 stops
 * inlining into a method once the bytecodes inlined into it pass a fixed limit, and a VarHandle access
 * brings about 400 bytes of bytecode with it (guards, index check, an unaligned load assembled in Java)
 * against about 10 here, so the allocator's big methods ({@code Malloc.intMalloc}, {@code intFree})
 * had most of their chunk accessors left as calls, each compiled on its own, and the interpreter and C1
 * ran the VarHandle's method handles on every access until C2 was done.
 */
final class PageWords {
    private PageWords() {
    }

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    /** The unsafe accessor, or null where it is not used. */
    private static final sun.misc.Unsafe U = unsafe();
    private static final long BASE = U == null ? 0 : U.arrayBaseOffset(byte[].class);
    /** The host's byte order is not the simulated machine's. */
    private static final boolean SWAP = ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN;

    private static sun.misc.Unsafe unsafe() {
        if (!directAllowed(Runtime.version().feature(), System.getProperty("os.arch", ""),
                Boolean.getBoolean("mallocscope.varhandles"))) {
            return null;
        }
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            sun.misc.Unsafe u = (sun.misc.Unsafe) f.get(null);
            return u.arrayIndexScale(byte[].class) == 1 ? u : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Whether {@code Unsafe}'s accesses may be used: not from Java 23 on (its memory accesses are
     * deprecated there and later warn on standard error), only on a host that loads and stores
     * unaligned words ({@code os.arch} amd64, x86_64 or aarch64), and not when the VarHandles are asked
     * for ({@code -Dmallocscope.varhandles=true}).
     */
    static boolean directAllowed(int javaFeature, String osArch, boolean varHandlesAsked) {
        return javaFeature <= 22 && !varHandlesAsked
                && (osArch.equals("amd64") || osArch.equals("x86_64") || osArch.equals("aarch64"));
    }

    /** Whether the direct accessors are used (for tests). */
    static boolean direct() {
        return U != null;
    }

    static long getLong(byte[] p, int off) {
        if (U != null) {
            long v = U.getLong(p, BASE + off);
            return SWAP ? Long.reverseBytes(v) : v;
        }
        return portableGetLong(p, off);
    }

    /** {@link #getLong} through the VarHandle (the path where {@code Unsafe} is not used; tested on every host). */
    static long portableGetLong(byte[] p, int off) {
        return (long) LONG.get(p, off);
    }

    static void putLong(byte[] p, int off, long v) {
        if (U != null) {
            U.putLong(p, BASE + off, SWAP ? Long.reverseBytes(v) : v);
        } else {
            portablePutLong(p, off, v);
        }
    }

    /** {@link #putLong} through the VarHandle. */
    static void portablePutLong(byte[] p, int off, long v) {
        LONG.set(p, off, v);
    }

    static int getInt(byte[] p, int off) {
        if (U != null) {
            int v = U.getInt(p, BASE + off);
            return SWAP ? Integer.reverseBytes(v) : v;
        }
        return portableGetInt(p, off);
    }

    /** {@link #getInt} through the VarHandle (the path where {@code Unsafe} is not used; tested on every host). */
    static int portableGetInt(byte[] p, int off) {
        return (int) INT.get(p, off);
    }

    static void putInt(byte[] p, int off, int v) {
        if (U != null) {
            U.putInt(p, BASE + off, SWAP ? Integer.reverseBytes(v) : v);
        } else {
            portablePutInt(p, off, v);
        }
    }

    /** {@link #putInt} through the VarHandle. */
    static void portablePutInt(byte[] p, int off, int v) {
        INT.set(p, off, v);
    }

    static short getShort(byte[] p, int off) {
        if (U != null) {
            short v = U.getShort(p, BASE + off);
            return SWAP ? Short.reverseBytes(v) : v;
        }
        return portableGetShort(p, off);
    }

    /** {@link #getShort} through the VarHandle (the path where {@code Unsafe} is not used; tested on every host). */
    static short portableGetShort(byte[] p, int off) {
        return (short) SHORT.get(p, off);
    }

    static void putShort(byte[] p, int off, short v) {
        if (U != null) {
            U.putShort(p, BASE + off, SWAP ? Short.reverseBytes(v) : v);
        } else {
            portablePutShort(p, off, v);
        }
    }

    /** {@link #putShort} through the VarHandle. */
    static void portablePutShort(byte[] p, int off, short v) {
        SHORT.set(p, off, v);
    }
}
