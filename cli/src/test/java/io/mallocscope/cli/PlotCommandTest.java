package io.mallocscope.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.mallocscope.cli.CliRun.run;
import static io.mallocscope.cli.CliRun.trace;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code plot}: the malloc lab's numbers, and the charts as SVG (parsed) and PNG (decoded). */
class PlotCommandTest {
    static final String TRACE = "coalesce-backward-forward-top";

    @TempDir
    Path dir;

    /** The peak of live requested bytes, computed from the trace's own lines (a id n, f id, r id n). */
    static long peakPayload(Path rep) throws IOException {
        Map<String, Long> live = new HashMap<>();
        long now = 0;
        long peak = 0;
        for (String line : Files.readAllLines(rep)) {
            String[] w = line.trim().split("\\s+");
            if (w.length == 0 || w[0].isEmpty() || w[0].startsWith("#")) {
                continue;
            }
            switch (w[0]) {
                case "a", "r" -> {
                    Long was = live.put(w[1], Long.parseLong(w[2]));
                    now += Long.parseLong(w[2]) - (was == null ? 0 : was);
                }
                case "f" -> {
                    Long was = live.remove(w[1]);
                    now -= was == null ? 0 : was;
                }
                default -> {
                }
            }
            peak = Math.max(peak, now);
        }
        return peak;
    }

    @Test
    void theMallocLabNumbersComeFromThePayloadAndTheBreak() throws IOException {
        long peak = peakPayload(Path.of(trace(TRACE)));
        assertThat(peak).isEqualTo(8920);
        CliRun.Result r = run("plot", trace(TRACE));
        assertThat(r.status()).as(r.err()).isZero();
        // glibc 2.36's first sbrk is 0x21000 (132 KiB + the tcache's 0x290), and this trace never grows it
        assertThat(r.out()).endsWith("""
                : 16 calls
                peak live payload  0x22d8 (8920 bytes)
                peak heap size     0x21000 (135168 bytes: brk extent + mmapped)
                peak utilisation   6.60% (peak payload / peak heap, as the malloc lab computes it)
                """);
    }

    @Test
    void replayStatsPrintsTheSameNumbersWithTheTime() {
        CliRun.Result r = run("replay", trace(TRACE), "--stats");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).startsWith(TRACE + ".rep: 16 calls\n"
                + "peak live payload  0x22d8 (8920 bytes)\n"
                + "peak heap size     0x21000 (135168 bytes: brk extent + mmapped)\n"
                + "peak utilisation   6.60% (peak payload / peak heap, as the malloc lab computes it)\n");
        assertThat(r.out()).containsPattern("\ntime               \\d+\\.\\d{3} ms \\(\\d+\\.\\d Kops/s, one replay");
        CliRun.Result both = run("replay", trace(TRACE), "--stats", "--format", "text");
        assertThat(both.status()).isEqualTo(2);
        assertThat(both.err()).isEqualTo("mallocscope: --stats prints the malloc lab's numbers; --format applies without it\n");
    }

    @Test
    void theSvgChartHasTheHeapAndThePayloadSeries() throws Exception {
        Path svg = dir.resolve("heap.svg");
        CliRun.Result r = run("plot", trace(TRACE), "--out", svg.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.err()).isEqualTo("mallocscope: wrote " + svg + "\n");
        List<String> texts = texts(svg);
        assertThat(texts).contains("heap size (brk extent + mmapped bytes)", "mmapped bytes", "live requested bytes");
        assertThat(texts.get(0)).startsWith(TRACE + ".rep");
        assertThat(String.join(" ", texts)).contains("peak utilisation 6.60%");

        Path bins = dir.resolve("bins.svg");
        assertThat(run("plot", trace(TRACE), "--kind", "bins", "--out", bins.toString()).status()).isZero();
        assertThat(texts(bins)).contains("tcachebins free bytes", "fastbins free bytes", "unsortedbin free bytes",
                "smallbins free bytes", "largebins free bytes");
    }

    /** A trace with threads: the heap size counts the other arenas' heaps, drawn as a series of their own. */
    @Test
    void aThreadedTracesChartDrawsTheOtherArenasHeaps() throws Exception {
        Path svg = dir.resolve("threads.svg");
        String rep = io.mallocscope.cli.testing.RuntimeTraces.threadedTraces().resolve("second-heap.rep").toString();
        CliRun.Result r = run("plot", rep, "--out", svg.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains(" bytes: brk extent + other arenas' heaps + mmapped)\n");
        assertThat(texts(svg)).contains("heap size (brk extent + other arenas' heaps + mmapped bytes)",
                "other arenas' heaps", "mmapped bytes", "live requested bytes");
        assertThat(texts(svg)).doesNotContain("heap size (brk extent + mmapped bytes)");
    }

    /**
     * The HTML page's charts are plot's series for the same threaded source, step by step: the heap
     * size counts the other arenas' heaps and the free classes every arena's bins and every thread's tcache.
     */
    @Test
    void aThreadedTracesPageChartsArePlotsNumbers() throws Exception {
        Path rep = io.mallocscope.cli.testing.RuntimeTraces.threadedTraces().resolve("second-heap.rep");
        Path page = dir.resolve("threads.html");
        CliRun.Result r = run("timeline", rep.toString(), "--format", "html", "--out", page.toString());
        assertThat(r.status()).as(r.err()).isZero();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "<script id=\"mallocscope-data\" type=\"application/json\">(.*?)</script>", java.util.regex.Pattern.DOTALL)
                .matcher(Files.readString(page));
        assertThat(m.find()).isTrue();
        Map<String, Object> data = io.mallocscope.cli.testing.MiniJson.object(io.mallocscope.cli.testing.MiniJson.parse(m.group(1)));
        int last = io.mallocscope.cli.testing.MiniJson.array(data.get("steps")).size() - 1;
        io.mallocscope.cli.plot.HeapSeries expected = io.mallocscope.cli.plot.HeapSeries.of(
                io.mallocscope.cli.source.Sources.open(rep, new io.mallocscope.cli.source.Sources.ReplaySettings("2.36", "")), last);
        assertThat(expected.otherArenas()).isTrue();
        Map<String, Object> charts = io.mallocscope.cli.testing.MiniJson.object(data.get("charts"));
        assertThat(charts.get("heap")).isEqualTo(longs(expected.heap));
        assertThat(charts.get("live")).isEqualTo(longs(expected.live));
        assertThat(charts.get("mmapped")).isEqualTo(longs(expected.mmapped));
        assertThat(charts.get("free")).isEqualTo(List.of(
                List.of("tcachebins", longs(expected.free.get(io.mallocscope.cli.model.BinType.TCACHE))),
                List.of("fastbins", longs(expected.free.get(io.mallocscope.cli.model.BinType.FASTBIN))),
                List.of("unsortedbin", longs(expected.free.get(io.mallocscope.cli.model.BinType.UNSORTED))),
                List.of("smallbins", longs(expected.free.get(io.mallocscope.cli.model.BinType.SMALLBIN))),
                List.of("largebins", longs(expected.free.get(io.mallocscope.cli.model.BinType.LARGEBIN)))));
    }

    private static List<Long> longs(long[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }

    /** A trace that allocates nothing has no heap to map: said in words, not "0x0..+0x100"; --out draws an empty map. */
    @Test
    void aHeapMapWithoutAHeapSaysSo() throws Exception {
        Path empty = dir.resolve("empty.rep");
        Files.writeString(empty, "# nothing allocated\n");
        Path svg = dir.resolve("empty.svg");
        CliRun.Result r = run("plot", empty.toString(), "--kind", "map", "--out", svg.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).endsWith("peak utilisation   0.00% (peak payload / peak heap, as the malloc lab computes it)\n"
                + "heap map           steps 0..0: nothing to draw, no step has a chunk in the brk heap "
                + "(mmapped chunks are not drawn)\n");
        assertThat(texts(svg)).as("an empty map, titled").contains("empty.rep: heap map, steps 0..0");
    }

    @Test
    void theHeapMapDrawsEveryChunkOfEveryStepInItsStatesColour() throws Exception {
        Path svg = dir.resolve("map.svg");
        CliRun.Result r = run("plot", trace(TRACE), "--kind", "map", "--out", svg.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).endsWith("heap map           steps 0..16 down, 0x555555559000..+0x2a50 across (the heap's "
                + "chunks; mmapped chunks are not drawn)\n");
        List<String> texts = texts(svg);
        assertThat(texts.get(0)).isEqualTo(TRACE + ".rep: heap map, steps 0..16");
        assertThat(texts).contains("in use", "tcachebins", "unsortedbin", "top", "0", "16",
                "address \u2212 heap start (0x555555559000)", "0x0", "0x800");
        // each chunk of each step is one filled box: count them by colour, as the heap walk counts them
        Map<String, Integer> boxes = new HashMap<>();
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        NodeList rects = f.newDocumentBuilder().parse(svg.toFile()).getElementsByTagName("rect");
        for (int i = 0; i < rects.getLength(); i++) {
            var a = rects.item(i).getAttributes();
            String style = a.getNamedItem("style") == null ? "" : a.getNamedItem("style").getNodeValue();
            double w = Double.parseDouble(a.getNamedItem("width").getNodeValue());
            if (style.startsWith("fill:rgb(") && w < 900 && w > 0 && !style.equals("fill:rgb(255,255,255)")
                    && Double.parseDouble(a.getNamedItem("height").getNodeValue()) > 5) {
                boxes.merge(style, 1, Integer::sum);
            }
        }
        var source = io.mallocscope.cli.source.Sources.open(Path.of(trace(TRACE)),
                new io.mallocscope.cli.source.Sources.ReplaySettings("2.36", ""));
        Map<String, Integer> walked = new HashMap<>();
        for (int n = 0; n <= source.steps(); n++) {
            for (var c : source.at(n).chunks()) {
                java.awt.Color col = io.mallocscope.cli.plot.Charts.mapColour(c.state());
                walked.merge("fill:rgb(" + col.getRed() + "," + col.getGreen() + "," + col.getBlue() + ")", 1,
                        Integer::sum);
            }
        }
        assertThat(boxes).isEqualTo(walked);
        // the trace frees into the unsorted bin at five steps; the top chunk is there from step 1 on
        assertThat(boxes).containsEntry("fill:rgb(176,122,161)", 5).containsEntry("fill:rgb(237,201,72)", 16);

        Path png = dir.resolve("map.png");
        assertThat(run("plot", trace(TRACE), "--kind", "map", "--out", png.toString()).status()).isZero();
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(900);
        int top = 0;
        int unsorted = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                top += rgb == 0xedc948 ? 1 : 0;
                unsorted += rgb == 0xb07aa1 ? 1 : 0;
            }
        }
        assertThat(top).as("top chunk pixels").isGreaterThan(20_000);
        assertThat(unsorted).as("unsorted chunk pixels").isGreaterThan(2_000);
    }

    @Test
    void thePngChartIsAnImageOfItsSizeAndNotBlank() throws IOException {
        Path png = dir.resolve("heap.png");
        assertThat(run("plot", trace(TRACE), "--out", png.toString()).status()).isZero();
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(900);
        assertThat(img.getHeight()).isEqualTo(500);
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                colours.add(img.getRGB(x, y));
            }
        }
        assertThat(colours.size()).as("distinct colours").isGreaterThan(5);
    }

    @Test
    void anOutOfAnotherKindIsAUsageErrorAndLeavesNoFile() {
        Path txt = dir.resolve("heap.txt");
        CliRun.Result r = run("plot", trace(TRACE), "--out", txt.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("mallocscope: --out " + txt + ": name an .svg or a .png file (the extension "
                + "picks the format)\n");
        assertThat(txt).doesNotExist();
        CliRun.Result k = run("plot", trace(TRACE), "--kind", "pie");
        assertThat(k.status()).isEqualTo(2);
        assertThat(k.err()).startsWith("mallocscope: Invalid value for option '--kind'");
    }

    private static List<String> texts(Path svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document d = f.newDocumentBuilder().parse(svg.toFile());
        NodeList nodes = d.getElementsByTagName("text");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getTextContent());
        }
        return out;
    }
}
