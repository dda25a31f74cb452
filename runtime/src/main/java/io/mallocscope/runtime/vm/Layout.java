package io.mallocscope.runtime.vm;

import static io.mallocscope.runtime.vm.AddressSpace.PROT_EXEC;
import static io.mallocscope.runtime.vm.AddressSpace.PROT_READ;
import static io.mallocscope.runtime.vm.AddressSpace.PROT_WRITE;

/**
 * Where things live in the simulated process: a small PIE run with ASLR off, as gdb shows it on
 * x86_64 Linux. The numbers are those of a real Debian 12 process, rounded to a tidy layout.
 */
public final class Layout {
    private Layout() {
    }

    /** The program image's first page (ELF header), as gdb loads a PIE. */
    public static final long TEXT_BASE = 0x555555554000L;
    /** The program's code. */
    public static final long TEXT_START = 0x555555555000L;
    public static final long RODATA_START = 0x555555556000L;
    public static final long RELRO_START = 0x555555557000L;
    /** .data, then .bss, in one writable page. */
    public static final long DATA_START = 0x555555558000L;
    /** Where .data ends and .bss begins (a few words of .data for the program's initialised globals). */
    public static final long BSS_START = 0x555555558800L;
    /** The end of .bss. */
    public static final long BSS_END = 0x555555559000L;
    /** The initial program break: the page after .bss. The heap grows up from here. */
    public static final long INITIAL_BRK = 0x555555559000L;

    /** The kernel's mmap_base with ASLR off: mappings without a hint are placed top-down below it. */
    public static final long MMAP_BASE = 0x7ffff7fff000L;
    /** The lowest address mmap hands out. */
    public static final long MMAP_MIN = 0x10000L;

    /** The dynamic loader's image (ld-linux-x86-64.so.2). */
    public static final long LD_START = 0x7ffff7fc5000L;
    public static final long VDSO_START = 0x7ffff7fc1000L;
    public static final long VVAR_START = 0x7ffff7fbd000L;

    /** libc.so.6: text, read-only data, relro, then its writable data holding main_arena and mp_. */
    public static final long LIBC_BASE = 0x7ffff7dd3000L;
    public static final long LIBC_TEXT = 0x7ffff7df9000L;
    public static final long LIBC_RODATA = 0x7ffff7f4e000L;
    public static final long LIBC_RELRO = 0x7ffff7fa6000L;
    /** libc's writable .data/.bss. The allocator's state (main_arena, mp_) lives in these pages. */
    public static final long LIBC_DATA = 0x7ffff7faa000L;
    public static final long LIBC_DATA_END = 0x7ffff7fac000L;
    /** The anonymous mapping right below libc (its .bss tail and the initial thread's TLS). */
    public static final long LIBC_ANON_START = 0x7ffff7dd0000L;

    /** The main thread's stack: 132 KiB below the top of user space, growing down. */
    public static final long STACK_START = 0x7ffffffde000L;
    public static final long STACK_END = 0x7ffffffff000L;
    /** The stack pointer when main starts (its frame is carved below this). */
    public static final long STACK_TOP_OF_MAIN = 0x7fffffffe3d0L;

    public static final long VSYSCALL_START = 0xffffffffff600000L;

    /** The name the program image is mapped under. */
    public static final String PROGRAM_PATH_PREFIX = "/usr/local/bin/";
    public static final String LIBC_PATH = "/usr/lib/x86_64-linux-gnu/libc.so.6";
    public static final String LD_PATH = "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2";

    /**
     * The device the program image and the shared libraries lie on, as {@code /proc/PID/maps} prints
     * it: the simulated root disk, {@code 08:01} (the first partition of the first SCSI/SATA disk, as
     * on a typical Debian install). The real values are the host's; these are this simulation's,
     * fixed so that every run prints the same (docs/cli.md, "maps").
     */
    public static final String IMAGE_DEVICE = "08:01";
    /** The inode of {@link #LIBC_PATH} on {@link #IMAGE_DEVICE}. */
    public static final long LIBC_INODE = 5531592;
    /** The inode of {@link #LD_PATH} on {@link #IMAGE_DEVICE}. */
    public static final long LD_INODE = 6098135;

    /**
     * The inode of an image file: {@link #LIBC_INODE}, {@link #LD_INODE}, or, for the program, a number
     * from its path (1,000,000 plus the path's hash modulo 9,000,000), the same in every run.
     */
    public static long imageInode(String path) {
        if (path.equals(LIBC_PATH)) {
            return LIBC_INODE;
        }
        if (path.equals(LD_PATH)) {
            return LD_INODE;
        }
        return 1_000_000 + Math.floorMod(path.hashCode(), 9_000_000);
    }

    /**
     * Debian 12's libc.so.6 (glibc 2.36-9+deb12u14): the file offset of each segment the loader maps,
     * in {@code /proc/PID/maps} order (ELF header and read-only start, code, read-only data, RELRO,
     * writable data), each its PT_LOAD's {@code p_offset} rounded down to a page. The file is linked
     * with {@code p_vaddr == p_offset}, so under {@link KernelLayout#VVAR_VCLOCK}, whose segments are
     * this file's, each offset is also the segment's distance from the base.
     */
    static final long[] LIBC_OFFSETS = {0, 0x26000, 0x17c000, 0x1cf000, 0x1d3000};
    /** Debian 12's ld-linux-x86-64.so.2: its segments' file offsets, as {@link #LIBC_OFFSETS}. */
    static final long[] LD_OFFSETS = {0, 0x1000, 0x27000, 0x31000, 0x33000};

    /** The most the main thread's stack may grow to, from {@link #STACK_END} down (RLIMIT_STACK, 8 MiB). */
    public static final long STACK_LIMIT = 8L << 20;

    /**
     * Maps the fixed parts of a fresh process: program image, libraries, stack, vsyscall. File
     * mappings carry their offsets in the file as the loader maps them (the program's RELRO page
     * shares its file page with .rodata, so .data sits one page lower in the file than in memory).
     */
    static void populate(AddressSpace as, String programName, KernelLayout kernel) {
        populate(as, programName, kernel, ProgramImage.SMALL);
    }

    static void populate(AddressSpace as, String programName, KernelLayout kernel, ProgramImage image) {
        String prog = PROGRAM_PATH_PREFIX + programName;
        long shift = image.shift();
        as.map(TEXT_BASE, TEXT_START, PROT_READ, prog, 0);
        as.map(TEXT_START, RODATA_START, PROT_READ | PROT_EXEC, prog, 0x1000);
        as.map(RODATA_START, RELRO_START + shift, PROT_READ, prog, 0x2000);
        as.map(RELRO_START + shift, DATA_START + shift, PROT_READ, prog, 0x2000 + shift);
        as.map(DATA_START + shift, image.bssEnd(), PROT_READ | PROT_WRITE, prog, 0x3000 + shift);

        kernel.populate(as);

        as.map(STACK_START, STACK_END, PROT_READ | PROT_WRITE, "[stack]");
        as.map(VSYSCALL_START, VSYSCALL_START + AddressSpace.PAGE_SIZE, PROT_EXEC, "[vsyscall]");
    }

    /**
     * libc, the vDSO and ld.so as {@link KernelLayout#CLASSIC} places them. The segments' addresses
     * are the layout this project recorded first (kept so that every recorded output stays the same);
     * their file offsets are those of Debian 12's files ({@link #LIBC_OFFSETS}, {@link #LD_OFFSETS}), so
     * that the offset column says which part of the real file each segment maps.
     */
    static void populateLibraries(AddressSpace as) {
        as.map(LIBC_ANON_START, LIBC_BASE, PROT_READ | PROT_WRITE, "");
        as.map(LIBC_BASE, LIBC_TEXT, PROT_READ, LIBC_PATH, LIBC_OFFSETS[0]);
        as.map(LIBC_TEXT, LIBC_RODATA, PROT_READ | PROT_EXEC, LIBC_PATH, LIBC_OFFSETS[1]);
        as.map(LIBC_RODATA, LIBC_RELRO, PROT_READ, LIBC_PATH, LIBC_OFFSETS[2]);
        as.map(LIBC_RELRO, LIBC_DATA, PROT_READ, LIBC_PATH, LIBC_OFFSETS[3]);
        as.map(LIBC_DATA, LIBC_DATA_END, PROT_READ | PROT_WRITE, LIBC_PATH, LIBC_OFFSETS[4]);
        as.map(LIBC_DATA_END, VVAR_START, PROT_READ | PROT_WRITE, "");
        as.map(VVAR_START, VDSO_START, PROT_READ, "[vvar]");
        as.map(VDSO_START, LD_START, PROT_READ | PROT_EXEC, "[vdso]");
        as.map(LD_START, LD_START + 0x1000, PROT_READ, LD_PATH, LD_OFFSETS[0]);
        as.map(LD_START + 0x1000, LD_START + 0x26000, PROT_READ | PROT_EXEC, LD_PATH, LD_OFFSETS[1]);
        as.map(LD_START + 0x26000, LD_START + 0x30000, PROT_READ, LD_PATH, LD_OFFSETS[2]);
        as.map(LD_START + 0x30000, LD_START + 0x34000, PROT_READ, LD_PATH, LD_OFFSETS[3]);
        as.map(LD_START + 0x34000, MMAP_BASE, PROT_READ | PROT_WRITE, LD_PATH, LD_OFFSETS[4]);
    }
}
