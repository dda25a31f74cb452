package io.mallocscope.runtime;

import io.mallocscope.runtime.signal.Segfault;
import io.mallocscope.runtime.vm.AddressSpace;
import io.mallocscope.runtime.vm.Layout;
import io.mallocscope.runtime.vm.Region;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** LibC's memory functions, strings, stack frames and globals, called directly (no program). */
class LibCMemoryTest {
    private final CProcess process = CProcess.create(ProcessOptions.defaults());
    private final LibC c = process.libc();

    /** A fresh zeroed 64 KiB anonymous mapping (top-down, so at a known address). */
    private long buffer() {
        long p = c.mmap(0, 0x10000, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
        assertThat(p).isEqualTo(Layout.LIBC_ANON_START - 0x10000);
        return p;
    }

    // ---------------------------------------------------------------- loads and stores

    @Test
    void typedLoadsAndStoresAreLittleEndian() {
        long p = buffer();
        c.putLong(p, 0x0102030405060708L);
        assertThat(c.getByte(p)).isEqualTo((byte) 0x08);
        assertThat(c.getShort(p)).isEqualTo((short) 0x0708);
        assertThat(c.getInt(p)).isEqualTo(0x05060708);
        assertThat(c.getInt(p + 4)).isEqualTo(0x01020304);
        assertThat(c.readBytes(p, 8)).containsExactly(8, 7, 6, 5, 4, 3, 2, 1);
        c.putShort(p + 1, 0xfffe);
        assertThat(c.getLong(p)).isEqualTo(0x0102030405fffe08L);
        c.putByte(p + 7, 0x1ff); // only the low byte is stored
        assertThat(c.getLong(p)).isEqualTo(0xff02030405fffe08L);
        c.putInt(p + 8, -2);
        assertThat(c.getInt(p + 8)).isEqualTo(-2);
        assertThat(c.getLong(p + 8)).isEqualTo(0xfffffffeL);
        assertThat(c.getByte(p + 9)).isEqualTo((byte) -1);
        assertThat(c.getShort(p + 10)).isEqualTo((short) -1);
    }

    @Test
    void unalignedAccessAcrossAPageBoundary() {
        long p = buffer() + 0x1000 - 3;
        c.putLong(p, 0x1122334455667788L);
        assertThat(c.getLong(p)).isEqualTo(0x1122334455667788L);
        assertThat(c.getByte(p + 3)).isEqualTo((byte) 0x55);
        assertThat(c.getShort(p + 2)).isEqualTo((short) 0x5566);
        assertThat(c.getInt(p + 1)).isEqualTo(0x44556677);
    }

    @Test
    void writeBytesAndReadBytes() {
        long p = buffer();
        c.writeBytes(p + 100, new byte[] {1, 2, 3, -1});
        assertThat(c.readBytes(p + 99, 6)).containsExactly(0, 1, 2, 3, -1, 0);
        assertThat(c.readBytes(p, 0)).isEmpty();
        assertThatThrownBy(() -> c.readBytes(p, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("readBytes: negative length -1");
        assertThatThrownBy(() -> c.readBytes(p, Integer.MAX_VALUE - 8)).as("faults instead of allocating 2 GiB")
                .isInstanceOfSatisfying(Segfault.class, s -> assertThat(s.address()).isEqualTo(Layout.MMAP_BASE));
    }

    // ---------------------------------------------------------------- mem*

    @Test
    void memcpyCopiesAndReturnsDest() {
        long p = buffer();
        for (int i = 0; i < 10000; i++) {
            c.putByte(p + i, i * 7);
        }
        assertThat(c.memcpy(p + 0x8000, p, 10000)).isEqualTo(p + 0x8000);
        assertThat(c.memcmp(p, p + 0x8000, 10000)).isZero();
        assertThat(c.getByte(p + 0x8000 + 9999)).isEqualTo((byte) (9999 * 7));
        assertThat(c.getByte(p + 0x8000 + 10000)).isZero();
        assertThat(c.memcpy(p, p + 5, 0)).as("zero bytes, any pointers").isEqualTo(p);
        assertThat(c.memcpy(0, 0, 0)).isZero();
    }

    @Test
    void memmoveHandlesOverlapInBothDirections() {
        long p = buffer();
        for (int i = 0; i < 16; i++) {
            c.putByte(p + i, 'a' + i);
        }
        c.memmove(p + 4, p, 10); // dest above src
        assertThat(new String(c.readBytes(p, 16), StandardCharsets.US_ASCII)).isEqualTo("abcdabcdefghijop");
        c.memmove(p, p + 4, 10); // dest below src
        assertThat(new String(c.readBytes(p, 16), StandardCharsets.US_ASCII)).isEqualTo("abcdefghijghijop");
        // an overlap bigger than the bounce buffer, forwards and backwards
        long q = p + 0x100;
        for (int i = 0; i < 20000; i++) {
            c.putByte(q + i, i % 251);
        }
        c.memmove(q + 3000, q, 20000);
        for (int i = 0; i < 20000; i += 997) {
            assertThat(c.getByte(q + 3000 + i) & 0xff).isEqualTo(i % 251);
        }
        c.memmove(q, q + 3000, 20000);
        for (int i = 0; i < 20000; i += 997) {
            assertThat(c.getByte(q + i) & 0xff).isEqualTo(i % 251);
        }
    }

    @Test
    void memsetStoresTheLowByteAndReturnsS() {
        long p = buffer();
        assertThat(c.memset(p + 1, 0x1ab, 5)).isEqualTo(p + 1);
        assertThat(c.readBytes(p, 7)).containsExactly(0, 0xab - 256, 0xab - 256, 0xab - 256, 0xab - 256, 0xab - 256, 0);
        c.memset(p + 2, -1, 1);
        assertThat(c.getByte(p + 2)).isEqualTo((byte) 0xff);
    }

    @Test
    void memcmpComparesUnsignedBytesAndStopsAtTheFirstDifference() {
        long p = buffer();
        c.putByte(p, 0x80);
        c.putByte(p + 16, 0x01);
        assertThat(c.memcmp(p, p + 16, 1)).isPositive(); // 0x80 > 0x01 as unsigned char
        assertThat(c.memcmp(p + 16, p, 1)).isNegative();
        c.putByte(p + 17, 0x42);
        c.putByte(p + 16, 0x80);
        assertThat(c.memcmp(p, p + 16, 2)).isEqualTo(-0x42);
        assertThat(c.memcmp(p, p + 16, 0)).isZero();
        long end = p + 0x10000;
        c.putByte(end - 1, 7);
        assertThat(c.memcmp(end - 1, p + 1000, 100)).as("differs before it runs off the mapping").isEqualTo(7);
    }

    // ---------------------------------------------------------------- strings

    @Test
    void stringFunctions() {
        long p = buffer();
        long a = c.strcpy(p, "hello");
        assertThat(a).isEqualTo(p);
        assertThat(c.strlen(p)).isEqualTo(5);
        assertThat(c.getByte(p + 5)).isZero();
        c.strcpy(p + 100, p);
        assertThat(c.string(p + 100)).isEqualTo("hello");
        assertThat(c.strcmp(p, p + 100)).isZero();
        c.putByte(p + 104, 'p');
        assertThat(c.strcmp(p, p + 100)).isEqualTo('o' - 'p');
        assertThat(c.strncmp(p, p + 100, 4)).isZero();
        assertThat(c.strncmp(p, p + 100, 5)).isNegative();
        c.putString(p + 200, "hel");
        assertThat(c.strcmp(p, p + 200)).as("longer string compares greater").isEqualTo('l');
        assertThat(c.strlen(p + 300)).isZero();
        c.putString(p + 400, "\u00e9");
        assertThat(c.strlen(p + 400)).as("UTF-8 bytes").isEqualTo(2);
        c.putByte(p + 500, 0xff);
        c.putByte(p + 501, 0);
        c.putByte(p + 510, 0x01);
        assertThat(c.strcmp(p + 500, p + 510)).as("unsigned char").isPositive();
    }

    @Test
    void strncpyPadsWithNulsAndDoesNotTerminateALongerSource() {
        long p = buffer();
        c.putString(p, "abc");
        c.memset(p + 100, 'x', 16);
        c.strncpy(p + 100, p, 8);
        assertThat(c.readBytes(p + 100, 9)).containsExactly('a', 'b', 'c', 0, 0, 0, 0, 0, 'x');
        c.memset(p + 200, 'x', 16);
        c.strncpy(p + 200, p, 2);
        assertThat(c.readBytes(p + 200, 3)).containsExactly('a', 'b', 'x');
    }

    @Test
    void strdupMallocsACopy() {
        long p = buffer();
        c.putString(p, "dup me");
        long d = c.strdup(p);
        assertThat(process.memory().regionAt(d).name()).isEqualTo("[heap]");
        assertThat(c.malloc_usable_size(d)).isGreaterThanOrEqualTo(7);
        assertThat(c.string(d)).isEqualTo("dup me");
        long j = c.strdup("java");
        assertThat(j).isGreaterThan(d);
        assertThat(c.string(j)).isEqualTo("java");
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void negativeSizesAreHugeSizesThatFaultAtTheEndOfTheMapping() {
        long p = buffer();
        long end = p + 0x10000;
        // p's mapping merged with the anonymous one below libc; libc's first page is read-only
        assertThatThrownBy(() -> c.memset(p, 0, -1)).isInstanceOfSatisfying(Segfault.class, s -> {
            assertThat(s.address()).isEqualTo(Layout.LIBC_BASE);
            assertThat(s.reason()).isEqualTo("page not writable: r--p /usr/lib/x86_64-linux-gnu/libc.so.6");
        });
        // reading runs on through libc, vdso and ld.so, which are all readable, to the gap below the stack
        assertThatThrownBy(() -> c.memcpy(p, p + 0x100, -5)).isInstanceOfSatisfying(Segfault.class, s -> {
            assertThat(s.isWrite()).isFalse();
            assertThat(s.address()).isEqualTo(Layout.MMAP_BASE);
        });
        assertThat(c.getLong(p)).as("nothing written by the failed calls").isZero();
        assertThatThrownBy(() -> c.memcmp(end - 8, end - 8, -1)).isInstanceOfSatisfying(Segfault.class,
                s -> assertThat(s.address()).isEqualTo(Layout.MMAP_BASE));
        assertThatThrownBy(() -> c.strncpy(end - 4, p, -1)).isInstanceOfSatisfying(Segfault.class,
                s -> assertThat(s.address()).isEqualTo(Layout.LIBC_BASE));
    }

    @Test
    void nullPointersFaultAsNullPointerDereferences() {
        long p = buffer();
        assertThatThrownBy(() -> c.memcpy(0, p, 8)).isInstanceOfSatisfying(Segfault.class,
                s -> assertThat(s).hasMessage("SIGSEGV: invalid write at 0x0 (address not mapped (null pointer dereference?))"));
        assertThatThrownBy(() -> c.memcpy(p, 0, 8)).isInstanceOfSatisfying(Segfault.class,
                s -> assertThat(s).hasMessage("SIGSEGV: invalid read at 0x0 (address not mapped (null pointer dereference?))"));
        assertThatThrownBy(() -> c.strcpy(0, "x")).isInstanceOf(Segfault.class);
        assertThatThrownBy(() -> c.strcmp(p, 0)).isInstanceOf(Segfault.class);
        assertThatThrownBy(() -> c.getLong(0x18)).isInstanceOfSatisfying(Segfault.class,
                s -> assertThat(s.reason()).isEqualTo("address not mapped (null pointer dereference?)"));
    }

    @Test
    void misalignedAddressesToMunmapAndMprotectAreEinval() {
        long p = buffer();
        assertThat(c.munmap(p + 8, 0x1000)).isEqualTo(-1);
        assertThat(c.errno()).isEqualTo(22);
        assertThat(c.strerror(c.errno())).isEqualTo("Invalid argument");
        assertThat(c.mprotect(p + 8, 0x1000, LibC.PROT_READ)).isEqualTo(-1);
        assertThat(c.errno()).isEqualTo(22);
        c.putLong(p + 8, 1);
        assertThat(c.getLong(p + 8)).as("nothing changed").isEqualTo(1);
        assertThat(c.mmap(0x1000, 0x1000, LibC.PROT_READ, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_FIXED, -1, 0))
                .isEqualTo(LibC.MAP_FAILED);
        assertThat(c.strerror(c.errno())).isEqualTo("Operation not permitted");
        assertThat(c.mmap(p, 0x1000, LibC.PROT_READ, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_FIXED_NOREPLACE, -1, 0))
                .isEqualTo(LibC.MAP_FAILED);
        assertThat(c.strerror(c.errno())).isEqualTo("File exists");
        // glibc 2.36 has a text for every errno 1..133 but 41 and 58
        assertThat(c.strerror(99)).isEqualTo("Cannot assign requested address");
        assertThat(c.strerror(7)).isEqualTo("Argument list too long");
        assertThat(c.strerror(133)).isEqualTo("Memory page has hardware error");
        assertThat(c.strerror(41)).isEqualTo("Unknown error 41");
        assertThat(c.strerror(134)).isEqualTo("Unknown error 134");
    }

    // ---------------------------------------------------------------- stack and globals

    @Test
    void localsAreBelowTheTopOfMainsFrameSixteenByteAligned() {
        long a = c.local(24);
        assertThat(a).isLessThan(Layout.STACK_TOP_OF_MAIN).isEqualTo((Layout.STACK_TOP_OF_MAIN - 24) & ~15L);
        assertThat(a % 16).isZero();
        long b = c.local(1);
        assertThat(b).isEqualTo(a - 16);
        c.putLong(a, 5);
        assertThat(c.getLong(a)).isEqualTo(5);
        assertThat(process.memory().regionAt(a).name()).isEqualTo("[stack]");
        assertThat(c.local(0)).isEqualTo(b);
    }

    @Test
    void framesReleaseTheirLocalsWhenClosed() {
        long outer = c.local(8);
        long inFirst;
        try (LibC.Frame f = c.frame()) {
            inFirst = f.local(32);
            assertThat(inFirst).isEqualTo(outer - 32);
            try (LibC.Frame g = c.frame()) {
                assertThat(g.local(16)).isEqualTo(inFirst - 16);
            }
            assertThat(c.local(16)).as("the inner frame's space is reused").isEqualTo(inFirst - 16);
        }
        try (LibC.Frame f = c.frame()) {
            assertThat(f.local(32)).as("same call, same address").isEqualTo(inFirst);
        }
    }

    @Test
    void bigLocalsGrowTheStackMappingUpToEightMebibytes() {
        Region before = process.memory().regionAt(Layout.STACK_END - 1);
        assertThat(before.start()).isEqualTo(Layout.STACK_START);
        long big = c.local(1 << 20);
        c.putLong(big, 77);
        Region after = process.memory().regionAt(Layout.STACK_END - 1);
        assertThat(after.start()).isEqualTo(big & -AddressSpace.PAGE_SIZE);
        assertThat(after.name()).isEqualTo("[stack]");
        assertThat(process.memory().maps()).containsOnlyOnce("[stack]");
        assertThatThrownBy(() -> c.local(8L << 20)).isInstanceOfSatisfying(Segfault.class, s -> {
            assertThat(s.reason()).isEqualTo("stack overflow: 8388608 bytes of locals exceed the 8 MiB stack");
            assertThat(s.address()).isEqualTo(Layout.STACK_END - Layout.STACK_LIMIT - 8);
        });
        assertThatThrownBy(() -> c.local(Long.MAX_VALUE)).isInstanceOf(Segfault.class);
        assertThat(c.getLong(big)).as("the failed reservations moved nothing").isEqualTo(77);
        assertThat(c.local(16)).isEqualTo(big - 16);
    }

    @Test
    void negativeLocalIsAClearError() {
        assertThatThrownBy(() -> c.local(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("local: negative size -1");
    }

    @Test
    void globalsLiveInBssAndDataAtStableAddresses() {
        long counter = c.global("counter", 8);
        assertThat(counter).isEqualTo(Layout.BSS_START);
        long table = c.global("table", 100);
        assertThat(table).isEqualTo(Layout.BSS_START + 16).isLessThan(Layout.BSS_END);
        assertThat(table % 16).isZero();
        assertThat(c.global("counter", 8)).as("same name, same global").isEqualTo(counter);
        assertThat(c.getLong(counter)).isZero();
        long msg = c.global("msg", "hi\0".getBytes(StandardCharsets.US_ASCII));
        assertThat(msg).isGreaterThanOrEqualTo(Layout.DATA_START).isLessThan(Layout.BSS_START);
        assertThat(c.string(msg)).isEqualTo("hi");
        assertThat(c.globals()).containsKeys("counter", "table", "msg");
        assertThat(process.memory().regionAt(counter).name()).isEqualTo("/usr/local/bin/a.out");
        assertThat(c.function("main")).isEqualTo(Layout.TEXT_START + 0x139);
        assertThat(c.function("helper")).isEqualTo(Layout.TEXT_START + 0x179);
        assertThat(c.function("main")).isEqualTo(Layout.TEXT_START + 0x139);
    }

    @Test
    void badGlobalSizesAreClearErrors() {
        assertThatThrownBy(() -> c.global("neg", -8)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("global 'neg': negative size -8");
        assertThatThrownBy(() -> c.global("huge", Long.MAX_VALUE)).isInstanceOf(IllegalStateException.class)
                .hasMessage("global 'huge': .bss is full (2048 bytes for all globals)");
        assertThatThrownBy(() -> c.global("big", new byte[4096])).isInstanceOf(IllegalStateException.class)
                .hasMessage("global 'big': .data is full");
        assertThat(c.global("fits", 2048)).isEqualTo(Layout.BSS_START);
        assertThat(c.globals()).containsOnlyKeys("fits");
    }
}
