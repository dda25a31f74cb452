package io.mallocscope.runtime.text;

/** The one hex formatter: addresses and sizes as C programmers and gdb write them. */
public final class Hex {
    private Hex() {
    }

    /** {@code 0x5555555592a0}: lowercase, no leading zeros. */
    public static String of(long v) {
        return "0x" + Long.toHexString(v);
    }

    /** Sixteen hex digits, as gdb prints a giant word. */
    public static String word(long v) {
        String s = Long.toHexString(v);
        return "0x" + "0".repeat(16 - s.length()) + s;
    }

    /** Bytes in the unit {@code /proc} readers use: 132K, 4M … */
    public static String kib(long bytes) {
        if (bytes % (1L << 30) == 0 && bytes >= (1L << 30)) {
            return (bytes >> 30) + "G";
        }
        if (bytes % (1L << 20) == 0 && bytes >= (1L << 20)) {
            return (bytes >> 20) + "M";
        }
        if (bytes % 1024 == 0) {
            return (bytes >> 10) + "K";
        }
        return bytes + "B";
    }
}
