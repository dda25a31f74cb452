package io.mallocscope.cli.model;

import io.mallocscope.runtime.vm.Layout;

/**
 * One line of {@code /proc/PID/maps}: a mapping, its permissions ("rw-p") and its name, and what it
 * holds when the process's threads and arenas say so ({@code what}: a thread's stack or its guard page,
 * a non-main arena's heap or its reserved tail; null otherwise). A file mapping also has its file
 * offset, device and inode (as {@code /proc/PID/maps} prints them; 0, "00:00", 0 for anonymous memory),
 * and, like {@code /proc/PID/smaps}' {@code Shared_Dirty} and {@code Private_Dirty}, how many of its
 * pages are dirty in the page cache (a shared mapping, not yet written back) and how many the process
 * has copied at their first store (a private one).
 */
public record MapRegion(long start, long end, String perms, String name, String what, long offset, String device,
        long inode, int dirtyPages, int privatePages) {
    public MapRegion(long start, long end, String perms, String name) {
        this(start, end, perms, name, null);
    }

    public MapRegion(long start, long end, String perms, String name, String what) {
        this(start, end, perms, name, what, 0, "00:00", 0, 0, 0);
    }

    public long size() {
        return end - start;
    }

    /** A mapping of a file the program mapped (or shared memory), not the program's or a library's image. */
    public boolean isUserFile() {
        return name.startsWith("/") && !name.startsWith(Layout.PROGRAM_PATH_PREFIX) && !name.equals(Layout.LIBC_PATH)
                && !name.equals(Layout.LD_PATH);
    }

    /** {@code r} of {@code as}, with its file columns and its dirty and private pages; {@code what} as above. */
    public static MapRegion of(io.mallocscope.runtime.vm.AddressSpace as, io.mallocscope.runtime.vm.Region r,
            String what) {
        return new MapRegion(r.start(), r.end(), r.permissions(), r.name(), what, r.isFile() ? r.offset() : 0,
                r.device(), r.inode(), as.dirtyPages(r), as.privatePages(r));
    }

    /**
     * What a file the program mapped ({@link #isUserFile()}) is, in the words of {@code maps} and the
     * page: where in the file the mapping starts and its pages' state as smaps counts them, a shared
     * mapping's dirty pages (stored to, not yet written back) or a private one's pages copied at their
     * first store; shared memory's dirty pages.
     */
    public String fileState() {
        boolean shared = perms.endsWith("s");
        if (name.equals(io.mallocscope.runtime.vm.Kernel.SHARED_ANON_NAME)) {
            return "shared memory: " + (dirtyPages == 0 ? "clean" : pages(dirtyPages) + " dirty");
        }
        String head = "file at " + io.mallocscope.runtime.text.Hex.of(offset) + (shared ? ", shared: " : ", private: ");
        if (shared) {
            return head + (dirtyPages == 0 ? "clean" : pages(dirtyPages) + " dirty");
        }
        return head + (privatePages == 0 ? "no page copied" : pages(privatePages) + " copied");
    }

    private static String pages(int n) {
        return n + (n == 1 ? " page" : " pages");
    }

    /** This mapping as the line {@code /proc/PID/maps} prints (without its newline). */
    public String procLine() {
        return io.mallocscope.runtime.vm.Region.procLine(start, end, perms, offset, device, inode, name);
    }
}
