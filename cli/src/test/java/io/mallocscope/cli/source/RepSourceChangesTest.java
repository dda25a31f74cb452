package io.mallocscope.cli.source;

import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.model.Op;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** A trace's per-call changes: read off light snapshots, fast enough right up to the limit. */
class RepSourceChangesTest {
    static final Sources.ReplaySettings DEFAULTS = new Sources.ReplaySettings("2.36", "");

    /** A malloclab trace of {@code n} calls: random sizes, about half of the blocks freed again. */
    static Path randomTrace(Path dir, int n) throws IOException {
        Random r = new Random(7);
        long[] sizes = {24, 40, 100, 200, 600, 1500, 5000};
        List<Integer> live = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        int next = 0;
        for (int i = 0; i < n; i++) {
            if (!live.isEmpty() && r.nextDouble() < 0.45) {
                sb.append("f ").append(live.remove(r.nextInt(live.size()))).append('\n');
            } else {
                sb.append("a ").append(next).append(' ').append(sizes[r.nextInt(sizes.length)]).append('\n');
                live.add(next++);
            }
        }
        Path f = dir.resolve("random-" + n + ".rep");
        Files.writeString(f, sb);
        return f;
    }

    @Test
    void aLightSnapshotSharesTheLiveMemoryAFullOneKeepsACopy() {
        CProcess p = CProcess.create(ProcessOptions.defaults().withStdout(OutputStream.nullOutputStream())
                .withStderr(OutputStream.nullOutputStream()));
        long mem = p.malloc().malloc(24);
        HeapSnapshot full = HeapViews.snapshot(1, p);
        HeapSnapshot light = HeapViews.light(1, p);
        assertThat(light.chunks()).isEqualTo(full.chunks());
        assertThat(light.bins()).isEqualTo(full.bins());
        assertThat(light.maps()).isEqualTo(full.maps());
        assertThat(light.params()).isEqualTo(full.params());
        p.memory().write64(mem, 0x1122334455667788L);
        assertThat(full.memory().read64(mem)).as("the copy taken at step 1").isZero();
        assertThat(light.memory().read64(mem)).as("no copy: the live process").isEqualTo(0x1122334455667788L);
    }

    /** 20,000 calls, the most that still get their changes explained, all get them. */
    @Test
    void twentyThousandCallsAreAllExplained(@TempDir Path dir) throws IOException {
        Path trace = randomTrace(dir, RepSource.CHANGES_LIMIT);
        List<Op> ops = Sources.open(trace, DEFAULTS).ops();
        assertThat(ops).hasSize(RepSource.CHANGES_LIMIT);
        assertThat(ops.get(ops.size() - 1).changes()).isNotEmpty();
        assertThat(ops.get(ops.size() - 1).events()).isEmpty();
        assertThat(ops.get(0).changes())
                .contains("+ 0x555555559000 (0x290, in use)");
    }

    /** The HTML page walks the states first, then reads the calls: one replay serves both. */
    @Test
    void statesThenCallsAreOneWalkOfOneProcess(@TempDir Path dir) throws IOException {
        Path trace = randomTrace(dir, 50);
        StateSource s = Sources.open(trace, DEFAULTS);
        io.mallocscope.runtime.CProcess p = s.process(0);
        for (int n = 1; n <= 10; n++) {
            assertThat(s.process(n)).as("step %d: the same process, moved forward", n).isSameAs(p);
        }
        List<Op> ops = s.ops();
        assertThat(ops).hasSize(50);
        assertThat(s.process(50)).as("ops() continued the walk, no second replay").isSameAs(p);
        assertThat(ops.get(0).changes()).contains("+ 0x555555559000 (0x290, in use)");
        assertThat(ops).allSatisfy(op -> assertThat(op.number()).isBetween(1, 50));
        // the same words as a source that read its calls first
        assertThat(Sources.open(trace, DEFAULTS).ops()).isEqualTo(ops);
        assertThat(s.process(5)).as("going back replays from the start").isNotSameAs(p);
    }
}
