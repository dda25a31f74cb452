package io.mallocscope.benchmarks;

import io.mallocscope.runtime.malloc.Transitions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The transition points cost nothing without the agent: a loop that calls them is as fast as the
 * same loop without the calls (the JIT inlines the empty static methods away).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TransitionPointBenchmark {
    private long chunk = 0x5555555592a0L;

    @Benchmark
    public long baseline() {
        long acc = 0;
        for (int i = 0; i < 100; i++) {
            acc += chunk + i;
        }
        return acc;
    }

    @Benchmark
    public long withTransitionPoints() {
        long acc = 0;
        for (int i = 0; i < 100; i++) {
            Transitions.tcachePut(chunk + i, 0x20, 0, i & 7);
            Transitions.binInsert(2, 1, chunk + i, 0x420, Transitions.FREE);
            acc += chunk + i;
        }
        return acc;
    }
}
