package io.mallocscope.c;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code <ctype.h>} in the C locale, where glibc 2.36 has it: three tables in libc's read-only data
 * (the classes, toupper's and tolower's mappings), each indexed from -128 (a signed char's bytes) to
 * 255, and in each thread's TLS a pointer to each table's entry 0, which {@code __ctype_b_loc} and
 * its two siblings return the address of. The header's macros read the tables through those
 * pointers, in simulated memory, as gcc -O0's code does; the functions read the same tables.
 */
final class CharClasses {
    private CharClasses() {
    }

    /** Entry 0 of each table, from libc's base (Debian 12's 2.36: {@code *__ctype_b_loc()} - libc's base, measured). */
    static final long CLASS = 0x17e3c0;
    static final long TOUPPER = 0x17dac0;
    static final long TOLOWER = 0x17d4c0;
    /** The TLS pointers to them, below the thread pointer (errno is at -0x80, measured as their addresses' distances). */
    private static final long TOLOWER_LOC = -0x78;
    private static final long TOUPPER_LOC = -0x70;
    private static final long CLASS_LOC = -0x68;

    // glibc's class bits as a little-endian machine stores them (_ISbit: bits 0-7 in the high byte)
    static final int UPPER = 0x100, LOWER = 0x200, ALPHA = 0x400, DIGIT = 0x800, XDIGIT = 0x1000, SPACE = 0x2000,
        PRINT = 0x4000, GRAPH = 0x8000, BLANK = 0x1, CNTRL = 0x2, PUNCT = 0x4, ALNUM = 0x8;

    /** The class bits of {@code c} in the C locale: only ASCII has any; -128..-1 and 128..255 none. */
    static int classOf(int c) {
        if (c < 0 || c > 127) {
            return 0;
        }
        boolean upper = c >= 'A' && c <= 'Z';
        boolean lower = c >= 'a' && c <= 'z';
        boolean digit = c >= '0' && c <= '9';
        boolean graph = c > ' ' && c < 127;
        int bits = 0;
        bits |= upper ? UPPER | ALPHA | ALNUM : 0;
        bits |= lower ? LOWER | ALPHA | ALNUM : 0;
        bits |= digit ? DIGIT | ALNUM : 0;
        bits |= digit || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' ? XDIGIT : 0;
        bits |= c >= '\t' && c <= '\r' || c == ' ' ? SPACE : 0;
        bits |= c == '\t' || c == ' ' ? BLANK : 0;
        bits |= c < ' ' || c == 127 ? CNTRL : 0;
        bits |= graph || c == ' ' ? PRINT : 0;
        bits |= graph ? GRAPH : 0;
        bits |= graph && !upper && !lower && !digit ? PUNCT : 0;
        return bits;
    }

    /**
     * toupper's (or tolower's) table entry for {@code c} in -128..255: the letters mapped, the other
     * bytes themselves, and the negative ones but EOF as their unsigned char (toupper(-2) is 254).
     */
    static int caseOf(int c, boolean upper) {
        if (c < -1) {
            return c + 256;
        }
        if (upper && c >= 'a' && c <= 'z') {
            return c - 32;
        }
        if (!upper && c >= 'A' && c <= 'Z') {
            return c + 32;
        }
        return c;
    }

    /** Writes the three tables into libc's read-only data, once per process (a fork's child has the parent's). */
    static void tables(Machine m) {
        if (m.ctypeTables) {
            return;
        }
        m.ctypeTables = true;
        ByteBuffer cls = ByteBuffer.allocate(384 * 2).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer up = ByteBuffer.allocate(384 * 4).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer low = ByteBuffer.allocate(384 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int c = -128; c < 256; c++) {
            cls.putShort((short) classOf(c));
            up.putInt(caseOf(c, true));
            low.putInt(caseOf(c, false));
        }
        long base = m.kl.libcBase();
        m.pokeReadOnly(base + CLASS - 128 * 2, cls.array());
        m.pokeReadOnly(base + TOUPPER - 128 * 4, up.array());
        m.pokeReadOnly(base + TOLOWER - 128 * 4, low.array());
    }

    /**
     * {@code __ctype_b_loc()} and its siblings: the address of the calling thread's pointer to the table
     * (set as glibc's __ctype_init sets it when a thread starts).
     */
    static long location(Machine m, long tableEntry0, long tlsOffset) {
        tables(m);
        long loc = m.libc.pthread_self() + tlsOffset;
        m.mem.write64(loc, m.kl.libcBase() + tableEntry0);
        return loc;
    }

    static long classLocation(Machine m) {
        return location(m, CLASS, CLASS_LOC);
    }

    static long toupperLocation(Machine m) {
        return location(m, TOUPPER, TOUPPER_LOC);
    }

    static long tolowerLocation(Machine m) {
        return location(m, TOLOWER, TOLOWER_LOC);
    }

    /** isalpha and the others as functions: the table's entry, masked (glibc's __isctype, the macro's value). */
    static long is(Machine m, int c, int mask) {
        tables(m);
        return m.mem.read16(m.kl.libcBase() + CLASS + 2L * c) & mask;
    }

    /** toupper and tolower: the table's entry for -128..255, else {@code c} itself. */
    static long to(Machine m, int c, boolean upper) {
        if (c < -128 || c > 255) {
            return c;
        }
        tables(m);
        return m.mem.read32(m.kl.libcBase() + (upper ? TOUPPER : TOLOWER) + 4L * c);
    }
}
