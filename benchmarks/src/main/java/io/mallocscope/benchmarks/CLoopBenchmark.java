package io.mallocscope.benchmarks;

import io.mallocscope.c.CFront;
import io.mallocscope.runtime.ExitStatus;
import io.mallocscope.runtime.ProcessOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.OutputStream;
import java.util.concurrent.TimeUnit;

/**
 * The C front end's speed: a C loop of 10^7 simple iterations ({@code sum += i}), every load and
 * store of {@code i} and {@code sum} going through the simulated stack, run as a whole program
 * (compiled once; each invocation is a fresh process). The issue asks for at most a few seconds.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 3)
@Fork(1)
public class CLoopBenchmark {
    static final String LOOP = """
            #include <stdio.h>
            int main(void) {
                long sum = 0;
                for (int i = 0; i < 10000000; i++) {
                    sum += i;
                }
                printf("%ld\\n", sum);
                return 0;
            }
            """;

    private CFront.Compiled program;
    private ProcessOptions options;

    @Setup
    public void setUp() {
        program = CFront.compile("loop.c", LOOP);
        options = ProcessOptions.defaults().withStdout(OutputStream.nullOutputStream());
    }

    @Benchmark
    public int tenMillionIterations() {
        ExitStatus s = program.run(options);
        return s.code();
    }
}
