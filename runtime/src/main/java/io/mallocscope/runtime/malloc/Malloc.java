package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.vm.Kernel;

import java.io.PrintStream;

/**
 * glibc's malloc family for one simulated process. PLACEHOLDER until the ptmalloc2 port lands:
 * every call fails loudly rather than pretending.
 */
public final class Malloc {
    private Malloc() {
    }

    /**
     * The allocator of a fresh process.
     *
     * @param glibcVersion the profile, e.g. "2.36"
     * @param tunables     GLIBC_TUNABLES syntax, or null/empty
     * @param stderr       where glibc's messages (aborts, malloc_stats) go
     */
    public static Malloc create(Kernel kernel, String glibcVersion, String tunables, PrintStream stderr) {
        return new Malloc();
    }

    private static UnsupportedOperationException missing() {
        return new UnsupportedOperationException("the ptmalloc2 allocator is not implemented yet");
    }

    public long malloc(long bytes) { throw missing(); }
    public void free(long mem) { throw missing(); }
    public long calloc(long n, long size) { throw missing(); }
    public long realloc(long mem, long bytes) { throw missing(); }
    public long reallocarray(long mem, long n, long size) { throw missing(); }
    public long memalign(long alignment, long bytes) { throw missing(); }
    public long alignedAlloc(long alignment, long bytes) { throw missing(); }
    public int posixMemalign(long memptr, long alignment, long bytes) { throw missing(); }
    public long valloc(long bytes) { throw missing(); }
    public long pvalloc(long bytes) { throw missing(); }
    public long mallocUsableSize(long mem) { throw missing(); }
    public int mallocTrim(long pad) { throw missing(); }
    public int mallopt(int param, int value) { throw missing(); }
    public Mallinfo2 mallinfo2() { throw missing(); }
    public void mallocStats() { throw missing(); }
    public int mallocInfo(int options, PrintStream out) { throw missing(); }
}
