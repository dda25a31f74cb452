package io.mallocscope.cli.plot;

import io.mallocscope.cli.model.BinType;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

import java.awt.Color;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** The charts of {@code plot}, drawn by JFreeChart: the heap against the live payload, free bytes per bin class. */
public final class Charts {
    public static final int WIDTH = 900;
    public static final int HEIGHT = 500;

    private Charts() {
    }

    /** Heap size (brk extent + mmapped bytes) and live requested bytes over the steps. */
    public static JFreeChart heap(HeapSeries s, String title) {
        XYSeries heap = new XYSeries("heap size (brk extent + mmapped bytes)");
        XYSeries mmapped = new XYSeries("mmapped bytes");
        XYSeries live = new XYSeries("live requested bytes");
        for (int n = 0; n <= s.steps; n++) {
            heap.add(n, s.heap[n]);
            mmapped.add(n, s.mmapped[n]);
            live.add(n, s.live[n]);
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(heap);
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
