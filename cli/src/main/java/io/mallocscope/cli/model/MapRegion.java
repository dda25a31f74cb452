package io.mallocscope.cli.model;

/**
 * One line of {@code /proc/PID/maps}: a mapping, its permissions ("rw-p") and its name, and what it
 * holds when the process's threads and arenas say so ({@code what}: a thread's stack or its guard page,
 * a non-main arena's heap or its reserved tail; null otherwise).
 */
public record MapRegion(long start, long end, String perms, String name, String what) {
    public MapRegion(long start, long end, String perms, String name) {
        this(start, end, perms, name, null);
    }

    public long size() {
        return end - start;
    }
}
