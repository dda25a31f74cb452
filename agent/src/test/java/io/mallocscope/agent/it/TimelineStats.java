package io.mallocscope.agent.it;

import io.mallocscope.runtime.timeline.Reconstructor;
import io.mallocscope.runtime.timeline.Timeline;

import java.nio.file.Files;
import java.nio.file.Path;

/** For agent/bench/overhead.sh: size per event of a timeline and the time to rebuild its last and middle steps. */
public final class TimelineStats {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        long bytes = Files.size(file);
        long t0 = System.nanoTime();
        Timeline t = Timeline.read(file);
        long read = System.nanoTime() - t0;
        System.out.printf("timeline: %d events, %d steps, %d bytes, %.2f bytes/event, read in %d ms%s%n", t.size(), t.steps(),
                bytes, (double) bytes / t.size(), read / 1_000_000, t.problem().map(p -> " (" + p + ")").orElse(""));
        for (int round = 0; round < 2; round++) {
            Reconstructor r = new Reconstructor(t);
            long s0 = System.nanoTime();
            r.stateAt(t.steps());
            long last = System.nanoTime() - s0;
            s0 = System.nanoTime();
            r.stateAt(t.steps() / 2);
            long mid = System.nanoTime() - s0;
            System.out.printf("rebuild (%s JVM): last step %d ms, then middle step %d ms%s%n", round == 0 ? "cold" : "warm",
                    last / 1_000_000, mid / 1_000_000, r.problem().map(p -> " (" + p + ")").orElse(""));
        }
    }
}
