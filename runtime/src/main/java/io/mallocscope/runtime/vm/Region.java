package io.mallocscope.runtime.vm;

/**
 * One mapping of the address space, as a line of {@code /proc/PID/maps} shows it: a half-open
 * range {@code [start, end)}, its permissions, its name ({@code [heap]}, {@code [stack]}, a path,
 * or empty for an anonymous mapping) and, for a file mapping, the offset in the file of its first
 * byte. A mapping made with {@code MAP_SHARED} is {@code shared}; a mapping of a file of the
 * simulated file system (or a shared anonymous mapping) has the {@code file} whose page cache it
 * maps, null otherwise (the program's and the libraries' images are named but have no contents).
 */
public record Region(long start, long end, int prot, String name, long offset, boolean shared, FileBacking file) {

    /** An anonymous or special mapping (offset 0). */
    public Region(long start, long end, int prot, String name) {
        this(start, end, prot, name, 0);
    }

    /** A private mapping with no page cache behind it. */
    public Region(long start, long end, int prot, String name, long offset) {
        this(start, end, prot, name, offset, false, null);
    }

    public long size() {
        return end - start;
    }

    public boolean contains(long address) {
        return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
    }

    /** The PROT_READ bit, as {@code maps} shows it. (On x86 a writable or executable page can be read too.) */
    public boolean readable() {
        return (prot & AddressSpace.PROT_READ) != 0;
    }

    public boolean writable() {
        return (prot & AddressSpace.PROT_WRITE) != 0;
    }

    /** True for a mapping of a file (its name is a path); its offset is then meaningful. */
    public boolean isFile() {
        return file != null || name.startsWith("/");
    }

    /** The permission column of {@code /proc/PID/maps}: {@code rw-p}, {@code r-xp} … */
    public String permissions() {
        return ((prot & AddressSpace.PROT_READ) != 0 ? "r" : "-")
                + ((prot & AddressSpace.PROT_WRITE) != 0 ? "w" : "-")
                + ((prot & AddressSpace.PROT_EXEC) != 0 ? "x" : "-")
                + (shared ? "s" : "p");
    }

    /**
     * The device column of {@code /proc/PID/maps}: the page cache's file's ({@code 00:1b} for the
     * in-memory tree, {@code 00:1c} … for mounts, {@code 00:01} for shared memory), the simulated root
     * disk's ({@link Layout#IMAGE_DEVICE}) for the program and the libraries, {@code 00:00} for
     * anonymous memory.
     */
    public String device() {
        return file != null ? file.device() : isFile() ? Layout.IMAGE_DEVICE : "00:00";
    }

    /** The inode column of {@code /proc/PID/maps}: the file's, the image's ({@link Layout#imageInode}), or 0. */
    public long inode() {
        return file != null ? file.inode() : isFile() ? Layout.imageInode(name) : 0;
    }

    /** This mapping as one line of {@code /proc/PID/maps}, without its newline. */
    public String procLine() {
        return procLine(start, end, permissions(), isFile() ? offset : 0, device(), inode(), name);
    }

    /**
     * A line of {@code /proc/PID/maps} as the kernel's {@code show_map_vma} prints it: the range,
     * permissions, offset (8 hex digits at least), device and inode, then the name from column 74;
     * a line without a name ends with a space after the inode. A newline in a file's name is printed as
     * {@code \012}, as the kernel's {@code seq_file_path(m, file, "\n")} escapes it, so one mapping stays one line.
     */
    public static String procLine(long start, long end, String perms, long offset, String device, long inode,
            String name) {
        String head = String.format("%08x-%08x %s %08x %s %d ", start, end, perms, offset, device, inode);
        if (name.isEmpty()) {
            return head;
        }
        return head + " ".repeat(Math.max(0, 73 - head.length())) + name.replace("\n", "\\012");
    }

    /** The file offset of {@code address} inside this mapping; 0 for anonymous memory. */
    public long offsetOf(long address) {
        return isFile() ? offset + (address - start) : 0;
    }

    /** The file offset of the page at {@code address}, in pages. */
    public long filePage(long address) {
        return (offset + (address - start)) >>> AddressSpace.PAGE_SHIFT;
    }

    Region withRange(long newStart, long newEnd) {
        return new Region(newStart, newEnd, prot, name, offsetOf(newStart), shared, file);
    }

    Region withProt(long newStart, long newEnd, int newProt) {
        return new Region(newStart, newEnd, newProt, name, offsetOf(newStart), shared, file);
    }
}
