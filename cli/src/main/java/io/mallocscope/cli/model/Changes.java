package io.mallocscope.cli.model;

import io.mallocscope.runtime.malloc.HeapView;
import io.mallocscope.runtime.text.Hex;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What changed between two states, in words, one line each: chunks handed out, freed, moved between
 * lists, split or merged; the top chunk; each bin's gains and losses; the program break; mappings
 * added, removed or resized; and the arena parameters that moved. The one "what changed" computation:
 * {@code diff} prints it, and a trace's calls (which record no transitions) carry it.
 */
public final class Changes {
    /** The index of the last two states compared: explaining a trace compares each state with the next. */
    private HeapSnapshot recent;
    private ChunkIndex recentIndex;
    private HeapSnapshot older;
    private ChunkIndex olderIndex;

    /** The changes from {@code a} to {@code b}, one line each; empty when nothing changed. */
    public List<String> between(HeapSnapshot a, HeapSnapshot b, Emphasis style) {
        List<String> lines = new ArrayList<>();
        chunks(a, b, lines, style);
        top(a, b, lines);
        bins(a, b, lines, style);
        if (a.brk() != b.brk()) {
            lines.add("brk: " + Hex.of(a.brk()) + " → " + Hex.of(b.brk()) + " (" + signed(b.brk() - a.brk()) + ")");
        }
        maps(a, b, lines);
        params(a, b, lines);
        return lines;
    }

    private void chunks(HeapSnapshot a, HeapSnapshot b, List<String> lines, Emphasis style) {
        ChunkIndex before = index(a);
        ChunkIndex after = index(b);
        for (Chunk c : after.chunks()) {
            Chunk old = before.get(c.address());
            if (c.state() == HeapView.State.TOP) {
                continue;
            }
            if (old == null || old.state() == HeapView.State.TOP) {
                List<Chunk> covering = covering(a, c);
                String from = old != null || !covering.isEmpty() && covering.get(0).state() == HeapView.State.TOP
                        ? " (split off the top)"
                        : covering.isEmpty() ? ""
                        : " (carved from " + describe(covering.get(0)) + ")";
                lines.add(style.bold("+ ") + describe(c) + from);
            } else if (old.size() != c.size()) {
                String verb = c.size() > old.size() ? "grew" : "shrank";
                lines.add("~ " + Hex.of(c.address()) + " " + verb + " " + Hex.of(old.size()) + " → " + Hex.of(c.size())
                        + ", " + word(c.state()));
            } else if (old.state() != c.state()) {
                lines.add((c.state() == HeapView.State.IN_USE ? style.bold("→ ") : style.free("← ")) + Hex.of(c.address())
                        + " (" + Hex.of(c.size()) + ") " + word(old.state()) + " → " + word(c.state()));
            }
        }
        for (Chunk c : before.chunks()) {
            if (c.state() == HeapView.State.TOP || after.contains(c.address())) {
                continue;
            }
            List<Chunk> into = covering(b, c);
            String where = !into.isEmpty() ? "merged into " + describe(into.get(0))
                    : c.isMmapped() ? "munmapped" : "gone";
            lines.add(style.free("- ") + describe(c) + ": " + where);
        }
    }

    private void top(HeapSnapshot a, HeapSnapshot b, List<String> lines) {
        Chunk ta = index(a).top();
        Chunk tb = index(b).top();
        if (ta == null && tb == null) {
            return;
        }
        if (ta == null || tb == null || ta.address() != tb.address() || ta.size() != tb.size()) {
            lines.add("top: " + (ta == null ? "none" : Hex.of(ta.address()) + " size " + Hex.of(ta.size())) + " → "
                    + (tb == null ? "none" : Hex.of(tb.address()) + " size " + Hex.of(tb.size())));
        }
    }

    private static void bins(HeapSnapshot a, HeapSnapshot b, List<String> lines, Emphasis style) {
        Map<String, Bin> before = binsByName(a);
        Map<String, Bin> after = binsByName(b);
        Set<String> names = new LinkedHashSet<>(before.keySet());
        names.addAll(after.keySet());
        for (String name : names) {
            List<Long> x = before.containsKey(name) ? before.get(name).chunks() : List.of();
            List<Long> y = after.containsKey(name) ? after.get(name).chunks() : List.of();
            if (x.equals(y)) {
                continue;
            }
            StringBuilder sb = new StringBuilder(name + ":");
            for (Long c : y) {
                if (!x.contains(c)) {
                    sb.append(' ').append(style.bold("+" + Hex.of(c)));
                }
            }
            for (Long c : x) {
                if (!y.contains(c)) {
                    sb.append(' ').append(style.free("-" + Hex.of(c)));
                }
            }
            if (new LinkedHashSet<>(x).equals(new LinkedHashSet<>(y))) {
                sb.append(" reordered");
            }
            sb.append("  (").append(x.size()).append(" → ").append(y.size()).append(')');
            lines.add(sb.toString());
        }
    }

    private static void maps(HeapSnapshot a, HeapSnapshot b, List<String> lines) {
        Map<Long, MapRegion> before = new LinkedHashMap<>();
        a.maps().forEach(r -> before.put(r.start(), r));
        Map<Long, MapRegion> after = new LinkedHashMap<>();
        b.maps().forEach(r -> after.put(r.start(), r));
        // a mapping that grew or shrank downwards keeps its end: match those by the end
        Map<Long, MapRegion> beforeByEnd = new LinkedHashMap<>();
        a.maps().forEach(r -> beforeByEnd.put(r.end(), r));
        Set<Long> matchedByEnd = new java.util.HashSet<>();
        for (MapRegion r : b.maps()) {
            MapRegion old = before.get(r.start());
            MapRegion sameEnd = beforeByEnd.get(r.end());
            if (old == null && sameEnd != null && !after.containsKey(sameEnd.start())) {
                matchedByEnd.add(sameEnd.start());
                lines.add("maps: ~ " + range(sameEnd) + " → " + range(r) + " ("
                        + (r.size() > sameEnd.size() ? "grew down by " + Hex.kib(r.size() - sameEnd.size())
                        : "shrank by " + Hex.kib(sameEnd.size() - r.size())) + ")" + name(r));
                continue;
            }
            if (old == null) {
                lines.add("maps: + " + range(r) + " (" + Hex.kib(r.size()) + ")" + name(r));
            } else if (old.end() != r.end() || !old.perms().equals(r.perms())) {
                lines.add("maps: ~ " + range(old) + " " + old.perms() + " → " + range(r) + " " + r.perms() + name(r));
            } else if (r.isUserFile() && old.name().equals(r.name()) && !old.fileState().equals(r.fileState())) {
                // a file mapping's pages changed state: dirtied, written back, copied
                lines.add("maps: ~ " + range(r) + name(r) + ": " + old.fileState() + " → " + r.fileState());
            }
        }
        for (MapRegion r : a.maps()) {
            if (!after.containsKey(r.start()) && !matchedByEnd.contains(r.start())) {
                lines.add("maps: - " + range(r) + " (" + Hex.kib(r.size()) + ")" + name(r));
            }
        }
    }

    private static void params(HeapSnapshot a, HeapSnapshot b, List<String> lines) {
        Set<String> keys = new java.util.TreeSet<>(a.params().keySet());
        keys.addAll(b.params().keySet());
        for (String k : keys) {
            Long x = a.params().get(k);
            Long y = b.params().get(k);
            if (x == null && y != null) {
                continue; // malloc's first call sets them all up: the new heap and top already say so
            }
            if (!Objects.equals(x, y)) {
                lines.add(k + ": " + (x == null ? "-" : Hex.of(x)) + " → " + (y == null ? "-" : Hex.of(y)));
            }
        }
    }

    private static String range(MapRegion r) {
        return String.format("%012x-%012x", r.start(), r.end());
    }

    private static String name(MapRegion r) {
        return r.name().isEmpty() ? "" : " " + r.name();
    }

    private ChunkIndex index(HeapSnapshot s) {
        if (s == recent) {
            return recentIndex;
        }
        if (s == older) {
            older = recent;
            ChunkIndex o = olderIndex;
            olderIndex = recentIndex;
            recent = s;
            recentIndex = o;
            return o;
        }
        older = recent;
        olderIndex = recentIndex;
        recent = s;
        recentIndex = new ChunkIndex(s);
        return recentIndex;
    }

    private static List<Chunk> covering(HeapSnapshot s, Chunk c) {
        List<Chunk> out = new ArrayList<>();
        for (Chunk x : s.chunks()) {
            boolean inside = x.address() < c.address() && c.address() < x.end();
            boolean sameStartLarger = x.address() == c.address() && x.size() > c.size();
            if (inside || sameStartLarger) {
                out.add(x);
            }
        }
        return out;
    }

    private static Map<String, Bin> binsByName(HeapSnapshot s) {
        Map<String, Bin> m = new LinkedHashMap<>();
        for (Bin bin : s.bins()) {
            m.put(BinLabels.name(bin), bin);
        }
        return m;
    }

    private static String describe(Chunk c) {
        return Hex.of(c.address()) + " (" + Hex.of(c.size()) + ", " + (c.isMmapped() ? "mmapped" : word(c.state())) + ")";
    }

    public static String word(HeapView.State s) {
        return switch (s) {
            case IN_USE -> "in use";
            case TOP -> "top";
            default -> "in " + States.binWord(s);
        };
    }

    private static String signed(long d) {
        return (d < 0 ? "-" : "+") + Hex.of(Math.abs(d));
    }
}
