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
 * What memcheck costs, and that it costs nothing when off: one step of a typical student program (a
 * malloc, eight word stores and loads, a strcpy and a strlen, a free) with memcheck off and on. Run
 * the {@code off} case against a build without memcheck's hooks to see the hooks' cost when off.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MemcheckCostBenchmark {
    @Param({"off", "on"})
    public String memcheck;

    private LibC c;
    private long text;

    @Setup
    public void setUp() {
        ProcessOptions o = ProcessOptions.defaults();
        if (memcheck.equals("on")) {
            o = o.withMemcheck(true);
        }
        c = CProcess.create(o).libc();
        text = c.strdup("a string of some thirty bytes");
    }

    @Benchmark
    public long step() {
        long p = c.malloc(64);
        for (int i = 0; i < 4; i++) {
            c.putLong(p + 8L * i, i);
        }
        long sum = 0;
        for (int i = 0; i < 4; i++) {
            sum += c.getLong(p + 8L * i);
        }
        c.strcpy(p + 32, text);
        sum += c.strlen(p + 32);
        c.free(p);
        return sum;
    }
}
