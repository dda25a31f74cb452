package io.mallocscope.cli.model;

/** One line of {@code /proc/PID/maps}: a mapping, its permissions ("rw-p") and its name. */
public record MapRegion(long start, long end, String perms, String name) {
    public long size() {
        return end - start;
    }
}
