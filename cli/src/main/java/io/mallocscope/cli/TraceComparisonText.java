package io.mallocscope.cli;

import io.mallocscope.runtime.trace.TraceComparison;
import io.mallocscope.runtime.trace.TraceComparison.Divergence;
import io.mallocscope.runtime.trace.TraceComparison.Outcome;
import io.mallocscope.runtime.trace.TraceComparison.Result;
import io.mallocscope.runtime.trace.TraceComparison.Row;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The text view of a trace comparison ({@code mallocscope compare TRACE}): the versions side by side. */
final class TraceComparisonText {
    private TraceComparisonText() {
    }

    /**
     * The text view: a header, one line per op (only the divergent ones when {@code onlyDivergent})
     * with a {@code !} in the first column where the versions diverge, and a closing line naming the
     * first divergence (or saying there is none). Columns are padded to their widest cell; cells are
     * never cut.
     */
    static String render(Result r, boolean onlyDivergent) {
        List<String> header = new ArrayList<>(List.of("", "#", "op"));
        header.addAll(r.versions());
        List<List<String>> table = new ArrayList<>();
        table.add(header);
        List<Row> rows = r.rows();
        for (int i = 0; i < rows.size(); i++) {
            if (onlyDivergent && !r.divergent(i)) {
                continue;
            }
            Row row = rows.get(i);
            List<String> cells = new ArrayList<>();
            cells.add(row.divergent() ? "!" : "");
            cells.add(row.number() > 0 ? Integer.toString(row.number()) : "");
            cells.add(row.op());
            for (Outcome o : row.outcomes()) {
                cells.add(o.text());
            }
            table.add(cells);
        }
        int cols = header.size();
        int[] width = new int[cols];
        for (List<String> line : table) {
            for (int c = 0; c < cols; c++) {
                width[c] = Math.max(width[c], line.get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("trace ").append(r.traceName());
        if (!r.tunables().isEmpty()) {
            sb.append("  (GLIBC_TUNABLES=").append(r.tunables()).append(')');
        }
        sb.append('\n');
        for (List<String> line : table) {
            StringBuilder l = new StringBuilder();
            for (int c = 0; c < cols; c++) {
                String cell = line.get(c);
                if (c == 1) {
                    l.append(" ".repeat(width[c] - cell.length())).append(cell); // numbers right-aligned
                } else {
                    l.append(cell).append(" ".repeat(width[c] - cell.length()));
                }
                if (c < cols - 1) {
                    l.append("  ");
                }
            }
            sb.append(l.toString().stripTrailing()).append('\n');
        }
        Optional<Divergence> d = r.firstDivergence();
        if (d.isPresent()) {
            sb.append(r.divergentRows()).append(r.divergentRows() == 1 ? " row differs" : " rows differ")
                    .append("; first: ").append(d.get().summary()).append('\n');
        } else {
            int ops = r.rows().size() - 1; // the last row is the break at exit
            long notRun = r.rows().subList(0, ops).stream().filter(row -> row.outcomes().stream()
                    .allMatch(o -> o.kind() == TraceComparison.Kind.NOT_RUN)).count();
            sb.append("no divergence: ").append(String.join(", ", r.versions()));
            if (notRun == 0) {
                sb.append(" agree on all ").append(ops).append(" ops\n");
            } else {
                // every version stopped (a signal, an abort, the OOM kill) before the end: the rest ran nowhere
                sb.append(" agree on the ").append(ops - notRun).append(" ops that ran; every version stopped before the other ")
                        .append(notRun).append('\n');
            }
        }
        return sb.toString();
    }
}
