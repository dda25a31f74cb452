package io.mallocscope.cli.html;

import java.io.IOException;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A hand-built model: tcache reuse of one 0x20 chunk, with hostile program text in every field. */
final class Fixtures {
    /**
     * The page of trace {@code rep} as {@code timeline REP --format html} builds it: from the open
     * source, glibc 2.36, {@code tunables} (null: none) unless the trace has its own line.
     */
    static HtmlModel trace(java.nio.file.Path rep, String tunables, int maxOperations) {
        io.mallocscope.cli.source.StateSource s = io.mallocscope.cli.source.Sources.open(rep,
                new io.mallocscope.cli.source.Sources.ReplaySettings("2.36", tunables));
        String own = s.trace().orElseThrow().tunables();
        return HtmlModels.fromTrace(new HtmlModels.Replayed() {
            @Override
            public int steps() {
                return s.steps();
            }

            @Override
            public io.mallocscope.runtime.CProcess process(int n) {
                return s.process(n);
            }

            @Override
            public List<io.mallocscope.cli.model.Op> ops() {
                return s.ops();
            }

            @Override
            public String stdout() {
                return s.stdout();
            }

            @Override
            public String stderr() {
                return s.stderr();
            }
        }, rep.getFileName().toString(), "2.36", own != null ? own : tunables == null ? "" : tunables, maxOperations);
    }

    static final String HOSTILE_STDOUT = "p = 0x5555555592a0\n<script>alert(1)</script>\n</script><!-- x";
    static final String HOSTILE_LABEL = "</script><img src=x onerror=alert(2)>";
    static final String HOSTILE_EXPLANATION = "<b>not bold</b> & \u2028 \"quoted\"";

    static final long HEAP = 0x555555559000L;
    static final long TCACHE_STRUCT = HEAP;
    static final long A = HEAP + 0x290;
    static final long TOP = HEAP + 0x2b0;
    static final long BRK = HEAP + 0x21000;

    private Fixtures() {
    }

    static HtmlModel tcacheReuse() {
        HtmlModel.ChunkBox tc = new HtmlModel.ChunkBox(TCACHE_STRUCT, 0x290, "in_use", "tcache struct");
        HtmlModel.ChunkBox top = new HtmlModel.ChunkBox(TOP, 0x20d50, "top", "");
        Map<String, List<String>> tcacheBin = new LinkedHashMap<>();
        tcacheBin.put("tcachebins[0x20]", List.of("0x555555559290"));
        List<HtmlModel.Step> steps = List.of(
                new HtmlModel.Step(0, "start", "", List.of("The heap before the first call."), List.of(), Map.of(),
                        HEAP),
                new HtmlModel.Step(1, "malloc(0x18) = 0x5555555592a0", "Demo.java:12",
                        List.of("Block a is chunk 0x555555559290, size 0x20.", HOSTILE_EXPLANATION),
                        List.of(tc, new HtmlModel.ChunkBox(A, 0x20, "in_use", HOSTILE_LABEL), top), Map.of(), BRK),
                new HtmlModel.Step(2, "free(0x5555555592a0)", "Demo.java:13",
                        List.of("Chunk 0x555555559290 entered tcachebins[0x20]."),
                        List.of(tc, new HtmlModel.ChunkBox(A, 0x20, "tcache", "a"), top), tcacheBin, BRK),
                new HtmlModel.Step(3, "malloc(0x18) = 0x5555555592a0", "Demo.java:14",
                        List.of("Chunk 0x555555559290 left tcachebins[0x20]."),
                        List.of(tc, new HtmlModel.ChunkBox(A, 0x20, "in_use", "b"), top), Map.of(), BRK));
        return new HtmlModel("Demo <script>", new HtmlModel.Header("Demo", "2.36", "", HEAP), steps, HOSTILE_STDOUT,
                "warning: </script>");
    }

    static String render(HtmlModel model) {
        StringWriter w = new StringWriter();
        try {
            HtmlRenderer.render(model, w);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return w.toString();
    }
}
