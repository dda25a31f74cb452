package io.mallocscope.benchmarks;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Replays one fixed 1M-op mixed workload (malloc, free, realloc, calloc of sizes from 0 to 2000
 * bytes, a few of 100–300 KiB) on a fresh process per invocation: the allocator's speed on a
 * malloclab-style trace, without trace parsing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(1)
public class MixedTraceBenchmark {
    static final int OPS = 1_000_000;
    static final int SLOTS = 4096;

    /** op codes: 0 malloc, 1 free, 2 realloc, 3 calloc. */
    private final byte[] op = new byte[OPS];
    private final int[] slot = new int[OPS];
    private final long[] bytes = new long[OPS];
    private LibC c;
    private final long[] live = new long[SLOTS];

    @Setup(Level.Trial)
    public void generate() {
        SplittableRandom r = new SplittableRandom(42);
        boolean[] used = new boolean[SLOTS];
        for (int i = 0; i < OPS; i++) {
            int s = r.nextInt(SLOTS);
            slot[i] = s;
            if (!used[s]) {
                op[i] = (byte) (r.nextInt(8) == 0 ? 3 : 0);
                bytes[i] = r.nextInt(200) == 0 ? 100_000 + r.nextInt(200_000) : r.nextInt(r.nextBoolean() ? 128 : 2000);
                used[s] = true;
            } else if (r.nextInt(4) == 0) {
                op[i] = 2;
                bytes[i] = 1 + r.nextInt(3000);
            } else {
                op[i] = 1;
                used[s] = false;
            }
        }
    }

    @Setup(Level.Invocation)
    public void freshProcess() {
        c = CProcess.create(ProcessOptions.defaults()).libc();
        java.util.Arrays.fill(live, 0);
    }

    @Benchmark
    public long replay() {
        long sum = 0;
        for (int i = 0; i < OPS; i++) {
            int s = slot[i];
            switch (op[i]) {
                case 0 -> live[s] = c.malloc(bytes[i]);
                case 1 -> {
                    c.free(live[s]);
                    live[s] = 0;
                }
                case 2 -> {
                    long p = c.realloc(live[s], bytes[i]);
                    if (p != 0) {
                        live[s] = p;
                    }
                }
                default -> live[s] = c.calloc(1, bytes[i]);
            }
            sum += live[s];
        }
        return sum;
    }
}
