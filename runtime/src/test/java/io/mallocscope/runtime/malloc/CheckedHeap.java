package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;

import java.io.ByteArrayOutputStream;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A fresh process whose malloc-family calls are each followed by the heap checker. Offsets are from the initial break. */
final class CheckedHeap {
    final CProcess process;
    final LibC c;
    final Malloc m;
    final long base;
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    CheckedHeap() {
        this("");
    }

    CheckedHeap(String tunables) {
        this(ProcessOptions.defaults().withTunables(tunables));
    }

    CheckedHeap(ProcessOptions options) {
        process = CProcess.create(options.withStderr(err));
        c = process.libc();
        m = process.malloc();
        base = process.kernel().currentBrk();
    }

    long off(long p) {
        return p == 0 ? -1 : p - base;
    }

    long malloc(long n) {
        return checked(off(c.malloc(n)));
    }

    void free(long off) {
        c.free(off == -1 ? 0 : base + off);
        check();
    }

    long calloc(long n, long s) {
        return checked(off(c.calloc(n, s)));
    }

    long realloc(long off, long n) {
        return checked(off(c.realloc(off == -1 ? 0 : base + off, n)));
    }

    long memalign(long a, long n) {
        return checked(off(c.memalign(a, n)));
    }

    int trim(long pad) {
        int r = c.malloc_trim(pad);
        check();
        return r;
    }

    long brk() {
        return process.kernel().currentBrk() - base;
    }

    long sizeWord(long off) {
        return c.getLong(base + off - 8);
    }

    HeapView view() {
        return HeapView.of(m);
    }

    private long checked(long r) {
        check();
        return r;
    }

    void check() {
        List<String> v = HeapChecker.check(m);
        assertThat(v).as("heap invariants").isEmpty();
    }
}
