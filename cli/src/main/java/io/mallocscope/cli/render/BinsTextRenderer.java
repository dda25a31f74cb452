package io.mallocscope.cli.render;

import io.mallocscope.cli.model.BinLabels;
import io.mallocscope.runtime.text.Hex;
import io.mallocscope.cli.model.Bin;
import io.mallocscope.cli.model.BinType;
import io.mallocscope.cli.model.HeapSnapshot;

import java.io.PrintWriter;
import java.util.List;

/**
 * pwndbg's {@code bins}: each kind of list under its banner, each non-empty bin as its chain from
 * the head following {@code fd}. Tcache entries are the user pointers the tcache stores, already
 * decoded from safe-linking; fastbins are chunk addresses ending in {@code 0}; the doubly linked bins
 * end at their head in {@code main_arena} and show where {@code fd} would loop back.
 */
public final class BinsTextRenderer implements SnapshotRenderer {
    static final String ARROW = " —▸ ";
    static final String BACK = " ◂— ";

    @Override
    public void render(HeapSnapshot s, PrintWriter out, Style style) {
        for (BinType t : BinType.values()) {
            out.println(style.banner(t.banner()));
            List<Bin> bins = s.bins(t);
            if (bins.isEmpty()) {
                out.println(style.hint("empty"));
            }
            for (Bin b : bins) {
                out.println(line(b, s.mainArena(), style));
            }
        }
    }

    static String line(Bin b, long mainArena, Style style) {
        String label = BinLabels.size(b);
        String prefix = b.type() == BinType.TCACHE
                ? label + " [" + String.format("%3d", b.count()) + "]: "
                : label + ": ";
        StringBuilder sb = new StringBuilder(style.hint(prefix));
        List<Long> chain = b.chunks();
        boolean mem = BinLabels.pointsAtMem(b.type());
        for (int i = 0; i < chain.size(); i++) {
            if (i > 0) {
                sb.append(ARROW);
            }
            sb.append(style.address(Hex.of(mem ? chain.get(i) + 16 : chain.get(i))));
        }
        if (b.corrupt()) {
            return sb.append(chain.isEmpty() ? "" : ARROW).append(style.bad("[corrupted: the next link is not a chunk]"))
                    .toString();
        }
        switch (b.type()) {
            case TCACHE, FASTBIN -> sb.append(BACK).append('0');
            default -> sb.append(ARROW).append(BinLabels.head(b, mainArena)).append(BACK)
                    .append(chain.isEmpty() ? "" : Hex.of(chain.get(0)));
        }
        return sb.toString();
    }
}
