package io.mallocscope.runtime.vm;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fresh process looks like a small PIE run under gdb (ASLR off) on x86_64 Debian:
 * program image at 0x555555554000, heap right after .bss, libraries below 0x7ffff7fff000, the
 * stack below 0x7ffffffff000, vsyscall in kernel space.
 */
class LayoutTest {
    private final AddressSpace as = new AddressSpace();
    private final Kernel kernel = new Kernel(as, "demo");

    @Test
    void procMapsOfAFreshProcessWithAHeap() {
        kernel.sbrk(0x21000); // glibc's first sbrk: 132 KiB of heap
        // Anonymous lines end with a space after the inode, as the kernel prints them. The libraries'
        // offsets are Debian 12's files' (LibrarySegmentsMatchLinuxTest), on the documented device 08:01.
        assertThat(as.maps()).isEqualTo("""
            555555554000-555555555000 r--p 00000000 08:01 2436953                    /usr/local/bin/demo
            555555555000-555555556000 r-xp 00001000 08:01 2436953                    /usr/local/bin/demo
            555555556000-555555557000 r--p 00002000 08:01 2436953                    /usr/local/bin/demo
            555555557000-555555558000 r--p 00002000 08:01 2436953                    /usr/local/bin/demo
            555555558000-555555559000 rw-p 00003000 08:01 2436953                    /usr/local/bin/demo
            555555559000-55555557a000 rw-p 00000000 00:00 0                          [heap]
            7ffff7dd0000-7ffff7dd3000 rw-p 00000000 00:00 0\s
            7ffff7dd3000-7ffff7df9000 r--p 00000000 08:01 5531592                    /usr/lib/x86_64-linux-gnu/libc.so.6
            7ffff7df9000-7ffff7f4e000 r-xp 00026000 08:01 5531592                    /usr/lib/x86_64-linux-gnu/libc.so.6
            7ffff7f4e000-7ffff7fa6000 r--p 0017c000 08:01 5531592                    /usr/lib/x86_64-linux-gnu/libc.so.6
            7ffff7fa6000-7ffff7faa000 r--p 001cf000 08:01 5531592                    /usr/lib/x86_64-linux-gnu/libc.so.6
            7ffff7faa000-7ffff7fac000 rw-p 001d3000 08:01 5531592                    /usr/lib/x86_64-linux-gnu/libc.so.6
            7ffff7fac000-7ffff7fbd000 rw-p 00000000 00:00 0\s
            7ffff7fbd000-7ffff7fc1000 r--p 00000000 00:00 0                          [vvar]
            7ffff7fc1000-7ffff7fc5000 r-xp 00000000 00:00 0                          [vdso]
            7ffff7fc5000-7ffff7fc6000 r--p 00000000 08:01 6098135                    /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
            7ffff7fc6000-7ffff7feb000 r-xp 00001000 08:01 6098135                    /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
            7ffff7feb000-7ffff7ff5000 r--p 00027000 08:01 6098135                    /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
            7ffff7ff5000-7ffff7ff9000 r--p 00031000 08:01 6098135                    /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
            7ffff7ff9000-7ffff7fff000 rw-p 00033000 08:01 6098135                    /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
            7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]
            ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
            """);
    }

    @Test
    void aNewlineInAMappedFilesNameIsEscapedAsTheKernelDoes() {
        assertThat(Region.procLine(0x7ffff7fc3000L, 0x7ffff7fc4000L, "rw-s", 0, "00:1b", 12, "/data/a\nb.txt"))
                .isEqualTo("7ffff7fc3000-7ffff7fc4000 rw-s 00000000 00:1b 12                         /data/a\\012b.txt");
    }

    @Test
    void segmentsSitWhereGdbShowsThem() {
        assertThat(Layout.TEXT_BASE).isEqualTo(0x555555554000L);
        assertThat(Layout.INITIAL_BRK).as("the heap starts at the page after .bss").isEqualTo(Layout.BSS_END);
        assertThat(kernel.startBrk()).isEqualTo(0x555555559000L);
        assertThat(kernel.sbrk(0)).isEqualTo(0x555555559000L);
        assertThat(Layout.STACK_TOP_OF_MAIN).isBetween(Layout.STACK_START, Layout.STACK_END);
        assertThat(Layout.STACK_TOP_OF_MAIN % 16).isZero();
        assertThat(Layout.STACK_END).isEqualTo(AddressSpace.USER_END);
        Region data = as.regionAt(Layout.BSS_START);
        assertThat(data.start()).isEqualTo(Layout.DATA_START);
        assertThat(data.permissions()).isEqualTo("rw-p");
        assertThat(as.regionAt(Layout.LIBC_DATA).permissions()).as("main_arena's page").isEqualTo("rw-p");
        assertThat(as.regionAt(Layout.LIBC_DATA).offsetOf(Layout.LIBC_DATA + 0x10))
                .as("libc's writable segment maps the file from 0x1d3000").isEqualTo(0x1d3010L);
        assertThat(as.regionAt(Layout.TEXT_START).permissions()).isEqualTo("r-xp");
        assertThat(as.regionAt(0)).isNull();
        assertThat(as.regionAt(Layout.INITIAL_BRK)).as("no heap before the first brk").isNull();
    }

    @Test
    void untouchedProcessCostsNoPages() {
        assertThat(as.residentPages()).isZero();
        assertThat(as.read64(Layout.LIBC_DATA)).isZero();
        assertThat(as.residentPages()).isZero();
    }
}
