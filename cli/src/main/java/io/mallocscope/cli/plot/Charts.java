package io.mallocscope.cli.plot;

import io.mallocscope.cli.model.BinType;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import io.mallocscope.runtime.malloc.HeapView;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

import java.awt.Color;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The charts of {@code plot}, drawn by JFreeChart: the heap against the live payload, free bytes per bin
 * class, the heap map.
 */
public final class Charts {
    public static final int WIDTH = 900;
    public static final int HEIGHT = 500;

    private Charts() {
    }

    /**
     * Heap size (brk extent + mmapped bytes) and live requested bytes over the steps; with threads also
     * the other arenas' heaps, counted in the heap size.
     */
    public static JFreeChart heap(HeapSeries s, String title) {
        boolean arenas = s.otherArenas();
        XYSeries heap = new XYSeries(arenas ? "heap size (brk extent + other arenas' heaps + mmapped bytes)"
                : "heap size (brk extent + mmapped bytes)");
        XYSeries others = new XYSeries("other arenas' heaps");
        XYSeries mmapped = new XYSeries("mmapped bytes");
        XYSeries live = new XYSeries("live requested bytes");
        for (int n = 0; n <= s.steps; n++) {
            heap.add(n, s.heap[n]);
            others.add(n, s.arenas[n]);
            mmapped.add(n, s.mmapped[n]);
            live.add(n, s.live[n]);
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(heap);
        if (arenas) {
            data.addSeries(others);
        }
        data.addSeries(mmapped);
        data.addSeries(live);
        return chart(title + String.format(": peak utilisation %.2f%%", 100 * s.utilisation()), data);
    }

    /** Free bytes in each bin class over the steps (fragmentation). */
    public static JFreeChart bins(HeapSeries s, String title) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (BinType t : BinType.values()) {
            XYSeries series = new XYSeries(t.banner() + " free bytes");
            long[] v = s.free.get(t);
            for (int n = 0; n <= s.steps; n++) {
                series.add(n, v[n]);
            }
            data.addSeries(series);
        }
        return chart(title + ": free bytes per bin class", data);
    }

    /** The chunk states a map draws, with their names and the HTML page's colours. */
    private static final Object[][] MAP_STATES = {
            {HeapView.State.IN_USE, "in use", new Color(0xa9b4c2)},
            {HeapView.State.TCACHE, "tcachebins", new Color(0xf28e2b)},
            {HeapView.State.FASTBIN, "fastbins", new Color(0xe15759)},
            {HeapView.State.UNSORTED, "unsortedbin", new Color(0xb07aa1)},
            {HeapView.State.SMALLBIN, "smallbins", new Color(0x59a14f)},
            {HeapView.State.LARGEBIN, "largebins", new Color(0x76b7b2)},
            {HeapView.State.TOP, "top", new Color(0xedc948)}};

    /** The colour a map gives chunks in {@code state}. */
    public static Color mapColour(HeapView.State state) {
        for (Object[] s : MAP_STATES) {
            if (s[0] == state) {
                return (Color) s[2];
            }
        }
        throw new IllegalArgumentException(String.valueOf(state));
    }

    /**
     * The heap map: the address past the heap's start across (in hex), the step down, each chunk a box in
     * its state's colour, outlined in white so neighbours stay apart.
     */
    public static JFreeChart map(HeapMap m, String title) {
        XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
        for (Object[] st : MAP_STATES) {
            XYIntervalSeries series = new XYIntervalSeries((String) st[1]);
            for (HeapMap.Box b : m.boxes) {
                if (b.state() == st[0]) {
                    long end = Math.min(b.offset() + b.size(), m.shownEnd());
                    series.add(b.offset(), b.offset(), end, b.step(), b.step() - 0.45, b.step() + 0.45);
                }
            }
            data.addSeries(series);
        }
        NumberAxis x = new NumberAxis("address − heap start (" + io.mallocscope.runtime.text.Hex.of(m.heapStart) + ")");
        // ticks at round hex numbers: 0x10, 0x40, 0x100, … 0x4000000 apart
        org.jfree.chart.axis.TickUnits hexUnits = new org.jfree.chart.axis.TickUnits();
        for (long u = 0x10; u <= 0x4000000; u <<= 2) {
            hexUnits.add(new org.jfree.chart.axis.NumberTickUnit(u, new HexFormat()));
            hexUnits.add(new org.jfree.chart.axis.NumberTickUnit(2 * u, new HexFormat()));
        }
        x.setStandardTickUnits(hexUnits);
        x.setRange(0, Math.max(1, m.shownEnd()));
        NumberAxis y = new NumberAxis("step");
        y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        y.setInverted(true);
        y.setRange(-0.5, m.last + 0.5);
        XYBarRenderer r = new XYBarRenderer();
        r.setUseYInterval(true);
        r.setShadowVisible(false);
        r.setBarPainter(new StandardXYBarPainter());
        r.setDrawBarOutline(true);
        r.setDefaultOutlinePaint(Color.WHITE);
        r.setDefaultOutlineStroke(new java.awt.BasicStroke(0.5f));
        for (int i = 0; i < MAP_STATES.length; i++) {
            r.setSeriesPaint(i, (Color) MAP_STATES[i][2]);
            r.setSeriesOutlinePaint(i, Color.WHITE);
        }
        XYPlot plot = new XYPlot(data, x, y, r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinesVisible(false);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart c = new JFreeChart(title + ": heap map, steps 0.." + m.last
                + (m.last < m.steps ? " of " + m.steps : ""), JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        c.setBackgroundPaint(Color.WHITE);
        return c;
    }

    /** Axis labels in hex ({@code 0x2a0}), as every other view writes addresses. */
    private static final class HexFormat extends java.text.NumberFormat {
        @Override
        public StringBuffer format(double number, StringBuffer to, java.text.FieldPosition pos) {
            return format((long) number, to, pos);
        }

        @Override
        public StringBuffer format(long number, StringBuffer to, java.text.FieldPosition pos) {
            return to.append(number < 0 ? "-0x" + Long.toHexString(-number) : "0x" + Long.toHexString(number));
        }

        @Override
        public Number parse(String source, java.text.ParsePosition pos) {
            return null;
        }
    }

    private static JFreeChart chart(String title, XYSeriesCollection data) {
        NumberAxis x = new NumberAxis("step");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        NumberAxis y = new NumberAxis("bytes");
        XYPlot plot = new XYPlot(data, x, y, new XYStepRenderer());
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart c = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        c.setBackgroundPaint(Color.WHITE);
        return c;
    }

    /** Writes {@code c} as a PNG image. */
    public static void png(JFreeChart c, OutputStream out) throws IOException {
        ChartUtils.writeChartAsPNG(out, c, WIDTH, HEIGHT);
    }

    /** Writes {@code c} as an SVG document. */
    public static void svg(JFreeChart c, OutputStream out) throws IOException {
        SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
        c.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
        out.write(g.getSVGDocument().getBytes(StandardCharsets.UTF_8));
    }
}
