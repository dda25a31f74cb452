package io.mallocscope.runtime.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the kernel and the dynamic loader place the shared libraries, the vDSO and the stack's
 * auxiliary vector: this depends on the kernel. A kernel with a {@code [vvar_vclock]} mapping
 * (Linux 6.x with vDSO clock pages, as on the machine these numbers were taken from) maps
 * {@code [vvar]} two pages lower and puts libc at 0x7ffff7dd5000; the layout recorded first, and
 * still the default so that every recorded output stays the same, has libc at 0x7ffff7dd3000.
 * A C program compared with its native run needs the layout of the kernel it ran on:
 * {@link #detect()} reads it from {@code /proc/self/maps}.
 */
public enum KernelLayout {
    /** The default: libc at 0x7ffff7dd3000, [vvar] then [vdso] below ld.so (the layout this project recorded first). */
    CLASSIC(0x7ffff7dd3000L, 0x26000L, 0x1d7000L, 0x7ffff7fc5000L, 23, 0x2740),
    /**
     * A kernel with a [vvar_vclock] mapping: [vvar] (4 pages), [vvar_vclock] (2), [vdso] (2) below
     * ld.so at 0x7ffff7fca000, and Debian 12's libc (2.36-9+deb12u14 segment sizes) at 0x7ffff7dd5000.
     */
    VVAR_VCLOCK(0x7ffff7dd5000L, 0x26000L, 0x1d3000L, 0x7ffff7fcaL << 12, 23, 0x740);

    /** {@code _IO_2_1_stdout_}, {@code _IO_2_1_stderr_}, {@code _IO_2_1_stdin_}: offsets into Debian 12's libc. */
    public static final long IO_2_1_STDOUT = 0x1d4760L;
    public static final long IO_2_1_STDERR = 0x1d4680L;
    public static final long IO_2_1_STDIN = 0x1d3a80L;

    private final long libcBase;
    private final long libcTextOffset;
    private final long libcDataOffset;
    private final long ldStart;
    private final int auxvEntries;
    private final long threadPointerOffset;

    KernelLayout(long libcBase, long libcTextOffset, long libcDataOffset, long ldStart, int auxvEntries,
                 long threadPointerOffset) {
        this.threadPointerOffset = threadPointerOffset;
        this.libcBase = libcBase;
        this.libcTextOffset = libcTextOffset;
        this.libcDataOffset = libcDataOffset;
        this.ldStart = ldStart;
        this.auxvEntries = auxvEntries;
    }

    /** Where libc.so.6 is mapped (its ELF header). */
    public long libcBase() {
        return libcBase;
    }

    public long libcText() {
        return libcBase + libcTextOffset;
    }

    /** libc's writable data, where main_arena and mp_ live. */
    public long libcData() {
        return libcBase + libcDataOffset;
    }

    /** The anonymous mapping just below libc (the initial thread's TLS: tcache, errno). */
    public long libcAnon() {
        return libcBase - 0x3000;
    }

    /**
     * The initial thread's thread pointer ({@code fs_base}, {@code pthread_self()}), in the anonymous
     * mapping below libc: its static TLS (errno at -0x80, tcache at -0x50) lies just below it. ld.so
     * puts it at 0x7ffff7dd2740 in both layouts (measured), so its offset into the mapping differs.
     */
    public long threadPointer() {
        return libcAnon() + threadPointerOffset;
    }

    /** Where ld-linux-x86-64.so.2 is mapped. */
    public long ldStart() {
        return ldStart;
    }

    /** The auxiliary vector's entries (with AT_NULL) the kernel puts on a new process's stack. */
    public int auxvEntries() {
        return auxvEntries;
    }

    /** The layout's name in a timeline's header and in {@code -Dmallocscope.kernel}: {@code classic} or {@code vvar-vclock}. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /**
     * The layout named {@code id} (as {@link #id()} gives it; {@code vvar_vclock} too).
     *
     * @throws IllegalArgumentException for another name
     */
    public static KernelLayout named(String id) {
        for (KernelLayout k : values()) {
            if (k.id().equals(id.toLowerCase(java.util.Locale.ROOT).replace('_', '-'))) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown kernel layout '" + id + "' (classic, vvar-vclock)");
    }

    /** The layout of the kernel this JVM runs on: {@link #VVAR_VCLOCK} if /proc/self/maps shows [vvar_vclock]. */
    public static KernelLayout detect() {
        try {
            Path maps = Path.of("/proc/self/maps");
            if (Files.isReadable(maps) && Files.readString(maps).contains("[vvar_vclock]")) {
                return VVAR_VCLOCK;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not mounted: the default
        }
        return CLASSIC;
    }

    void populate(AddressSpace as) {
        if (this == CLASSIC) {
            Layout.populateLibraries(as);
            return;
        }
        String libc = Layout.LIBC_PATH;
        String ld = Layout.LD_PATH;
        int r = AddressSpace.PROT_READ;
        int rw = AddressSpace.PROT_READ | AddressSpace.PROT_WRITE;
        int rx = AddressSpace.PROT_READ | AddressSpace.PROT_EXEC;
        long b = libcBase;
        as.map(b - 0x3000, b, rw, "");
        long[] lo = Layout.LIBC_OFFSETS;
        as.map(b, b + lo[1], r, libc, lo[0]);
        as.map(b + lo[1], b + lo[2], rx, libc, lo[1]);
        as.map(b + lo[2], b + lo[3], r, libc, lo[2]);
        as.map(b + lo[3], b + libcDataOffset, r, libc, lo[3]);
        as.map(b + libcDataOffset, b + 0x1d5000, rw, libc, lo[4]);
        as.map(b + 0x1d5000, b + 0x1e2000, rw, "");
        long vvar = ldStart - 0x8000;
        as.map(vvar - 0x2000, vvar, rw, "");
        as.map(vvar, vvar + 0x4000, r, "[vvar]");
        as.map(vvar + 0x4000, vvar + 0x6000, r, "[vvar_vclock]");
        as.map(vvar + 0x6000, ldStart, rx, "[vdso]");
        long[] dO = Layout.LD_OFFSETS;
        as.map(ldStart, ldStart + dO[1], r, ld, dO[0]);
        as.map(ldStart + dO[1], ldStart + dO[2], rx, ld, dO[1]);
        as.map(ldStart + dO[2], ldStart + dO[3], r, ld, dO[2]);
        as.map(ldStart + dO[3], ldStart + dO[4], r, ld, dO[3]);
        as.map(ldStart + dO[4], Layout.MMAP_BASE, rw, ld, dO[4]);
    }
}
