package io.mallocscope.cli.plot;

import io.mallocscope.cli.model.Bin;
import io.mallocscope.cli.model.BinType;
import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.source.Focus;
import io.mallocscope.cli.source.Sources;
import io.mallocscope.cli.source.StateSource;
import io.mallocscope.cli.testing.RuntimeTraces;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code plot}'s and {@code replay --stats}' heap counts every arena, as glibc's mallinfo2 does: at the end
 * of each golden threaded trace the heap size is what real glibc's {@code mallinfo2} said (golden-threads:
 * {@code arena}, every arena's {@code system_mem}, plus {@code hblkhd}, the mmapped chunks), and the free
 * bytes outside the tcaches plus every arena's top are its {@code fordblks}.
 */
class HeapSeriesArenasTest {
    private static List<Path> traces() throws IOException {
        try (Stream<Path> s = Files.list(RuntimeTraces.threadedTraces())) {
            return s.filter(p -> p.toString().endsWith(".rep")).sorted().toList();
        }
    }

    /** The fields of the golden output's {@code mallinfo} line. */
    static Map<String, Long> mallinfo(String golden) {
        Map<String, Long> out = new HashMap<>();
        String line = golden.lines().filter(l -> l.startsWith("mallinfo ")).findFirst().orElseThrow();
        for (String kv : line.substring("mallinfo ".length()).split(" ")) {
            String[] p = kv.split("=");
            out.put(p[0], Long.parseLong(p[1]));
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> atTheEndTheHeapIsWhatRealGlibcsMallinfo2Counted() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String v : List.of("2.36", "2.31", "2.41", "2.43")) {
            for (Path t : traces()) {
                String name = t.getFileName().toString().replaceFirst("\\.rep$", "");
                tests.add(DynamicTest.dynamicTest(v + " " + name, () -> {
                    Map<String, Long> mi = mallinfo(Files.readString(RuntimeTraces.goldenThreads(v).resolve(name + ".out"),
                            StandardCharsets.UTF_8));
                    StateSource s = Sources.open(t, new Sources.ReplaySettings(v, null));
                    HeapSeries h = HeapSeries.of(s);
                    int last = h.steps;
                    assertThat(h.heap[last]).as("arena + hblkhd").isEqualTo(mi.get("arena") + mi.get("hblkhd"));
                    assertThat(h.mmapped[last]).as("hblkhd").isEqualTo(mi.get("hblkhd"));
                    long free = 0;
                    for (BinType b : BinType.values()) {
                        free += b == BinType.TCACHE ? 0 : h.free.get(b)[last];
                    }
                    long tops = 0;
                    for (var a : s.arenasAt(last, Focus.DEFAULT).arenas()) {
                        tops += a.topSize();
                    }
                    assertThat(free + tops).as("fordblks: every arena's bins and top").isEqualTo(mi.get("fordblks"));
                }));
            }
        }
        return tests.stream();
    }

    /** The tcache bytes are every live thread's: each one's tcachebins as {@code bins --thread K} shows them. */
    @Test
    void theTcacheBytesAreEveryThreadsTcache() {
        Path t = RuntimeTraces.threadedTraces().resolve("cross-free.rep");
        StateSource s = Sources.open(t, new Sources.ReplaySettings("2.36", null));
        HeapSeries h = HeapSeries.of(s);
        int last = h.steps;
        long expected = 0;
        int threads = 0;
        for (int k = 0; k < 8; k++) {
            HeapSnapshot snap;
            try {
                snap = s.at(last, new Focus(null, null, k));
            } catch (RuntimeException noSuchThread) {
                continue;
            }
            threads++;
            for (Bin b : snap.bins(BinType.TCACHE)) {
                for (long c : b.chunks()) {
                    expected += snap.memory().read64(c + 8) & ~7L;
                }
            }
        }
        assertThat(threads).isEqualTo(2);
        // thread 1 keeps one 0x20 chunk in its own tcache (bins --thread 1: 0x7ffff0000c70)
        long mainOnly = 0;
        for (Bin b : s.at(last).bins(BinType.TCACHE)) {
            for (long c : b.chunks()) {
                mainOnly += s.at(last).memory().read64(c + 8) & ~7L;
            }
        }
        assertThat(expected - mainOnly).isEqualTo(0x20);
        assertThat(h.free.get(BinType.TCACHE)[last]).isEqualTo(expected);
    }
}
