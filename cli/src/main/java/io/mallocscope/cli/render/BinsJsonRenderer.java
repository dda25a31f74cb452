package io.mallocscope.cli.render;

import io.mallocscope.runtime.text.Hex;
import io.mallocscope.cli.model.Bin;
import io.mallocscope.cli.model.BinType;
import io.mallocscope.cli.model.HeapSnapshot;

import java.io.PrintWriter;
import java.util.List;

/**
 * The bins as JSON, for scripts and coursework checkers:
 * {@code {"step":N, "heap_start":"0x…", "tcache":{"0x20":["0x…",…]}, "fastbins":{…}, "unsorted":[…],
 * "smallbins":{…}, "largebins":{…}}}. Keys are chunk sizes (a large bin: the lowest size it holds);
 * lists are chunk addresses (not user pointers) from the bin's head following fd; empty bins are left out.
 */
public final class BinsJsonRenderer implements SnapshotRenderer {
    @Override
    public void render(HeapSnapshot s, PrintWriter out, Style style) {
        out.println("{");
        out.println("  \"step\": " + s.step() + ",");
        out.println("  \"heap_start\": \"" + Hex.of(s.heapStart()) + "\",");
        BinType[] types = BinType.values();
        for (int t = 0; t < types.length; t++) {
            BinType type = types[t];
            List<Bin> bins = s.bins(type);
            String end = t == types.length - 1 ? "" : ",";
            if (type == BinType.UNSORTED) {
                out.println("  \"" + type.jsonKey() + "\": " + (bins.isEmpty() ? "[]" : list(bins.get(0))) + end);
                continue;
            }
            if (bins.isEmpty()) {
                out.println("  \"" + type.jsonKey() + "\": {}" + end);
                continue;
            }
            out.println("  \"" + type.jsonKey() + "\": {");
            for (int i = 0; i < bins.size(); i++) {
                Bin b = bins.get(i);
                out.println("    \"" + Hex.of(b.chunkSize()) + "\": " + list(b) + (i == bins.size() - 1 ? "" : ","));
            }
            out.println("  }" + end);
        }
        out.println("}");
    }

    private static String list(Bin b) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < b.chunks().size(); i++) {
            sb.append(i == 0 ? "" : ", ").append('"').append(Hex.of(b.chunks().get(i))).append('"');
        }
        return sb.append(']').toString();
    }
}
