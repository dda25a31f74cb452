package io.mallocscope.benchmarks;

import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.trace.OffsetsReplay;
import io.mallocscope.runtime.trace.TraceFile;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What {@code mallocscope replay TRACE --format offsets} does once the JVM is warm, on the 1M-op
 * {@link GenerateTrace} trace in a file: {@code scan} checks the file (the first of its two reads),
 * {@code replay} checks it and replays it, printing the offsets lines to a stream that drops them.
 * The whole process, JVM start and JIT included, is {@code scripts/bench-replay.sh}'s to measure.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(1)
public class OffsetsReplayBenchmark {
    static final int OPS = 1_000_000;

    private Path file;

    @Setup(Level.Trial)
    public void writeTrace() throws IOException {
        file = Files.createTempFile("mallocscope-bench-", ".rep");
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            GenerateTrace.write(OPS, 1, out);
        }
    }

    @TearDown(Level.Trial)
    public void deleteTrace() throws IOException {
        Files.deleteIfExists(file);
    }

    @Benchmark
    public int scan() throws IOException {
        return TraceFile.open(file, "bench.rep").size();
    }

    @Benchmark
    public void replay() throws IOException {
        OffsetsReplay.run(TraceFile.open(file, "bench.rep"), ProcessOptions.defaults(), OutputStream.nullOutputStream());
    }
}
