package io.mallocscope.benchmarks;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * One {@code malloc(size)} followed by {@code free} of the same block, by size class: tcache (24,
 * 1000), fastbin with the tcache off, small and large bins through the unsorted bin (5000), and
 * mmap (200000, with the dynamic threshold pinned by {@code mmap_threshold} so it stays mmapped).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MallocFreeBenchmark {

    @Param({"tcache-24", "tcache-1000", "fastbin-24", "unsorted-5000", "mmap-200000"})
    public String sizeClass;

    private LibC c;
    private long size;

    @Setup
    public void setUp() {
        String tunables = switch (sizeClass) {
            case "fastbin-24" -> "glibc.malloc.tcache_count=0";
            case "mmap-200000" -> "glibc.malloc.mmap_threshold=131072";
            default -> "";
        };
        size = Long.parseLong(sizeClass.substring(sizeClass.indexOf('-') + 1));
        c = CProcess.create(ProcessOptions.defaults().withTunables(tunables)).libc();
        c.free(c.malloc(24)); // a guard so frees of `size` don't merge with top in the unsorted case
        c.malloc(24);
    }

    @Benchmark
    public long mallocFree() {
        long p = c.malloc(size);
        c.free(p);
        return p;
    }
}
