package io.mallocscope.runtime.malloc;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/profiles.md cannot drift from the code: it has one row per switch of {@link GlibcProfile}, each
 * row's releases are the profiles' own values, and its "read by" list is exactly the methods of this
 * package that read the switch ({@code profile.SWITCH} in their bodies).
 */
class ProfilesDocTest {
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    static final Path DOC = ROOT.resolve("docs/profiles.md");
    static final Path SOURCES = ROOT.resolve("runtime/src/main/java/io/mallocscope/runtime/malloc");
    /** Fields that say which release a row is, not how it behaves. */
    static final List<String> NOT_SWITCHES = List.of("version", "verified");

    record Row(String releases, String from, TreeSet<String> readBy) {
    }

    @Test
    void everySwitchHasARowWithItsReleasesAndReaders() throws Exception {
        Map<String, Row> doc = rows(Files.readString(DOC, StandardCharsets.UTF_8));
        Map<String, TreeSet<String>> readers = readers();
        List<String> switches = switches();
        assertThat(doc.keySet()).as("the rows of docs/profiles.md").containsExactlyInAnyOrderElementsOf(switches);
        for (String s : switches) {
            Row row = doc.get(s);
            assertThat(row.releases()).as("releases of %s: docs/profiles.md (left) against GlibcProfile (right)", s).isEqualTo(releases(s));
            assertThat(row.readBy()).as("methods reading %s: docs/profiles.md (left) against the code (right)", s).isEqualTo(readers.getOrDefault(s, new TreeSet<>()));
            assertThat(row.from()).as("where %s comes from", s).matches(".*(glibc|2\\.[0-9]+).*");
        }
    }

    @Test
    void theParserReadsRowsAndTheReleasesFormatNamesValues() {
        Map<String, Row> rows = rows("| switch | releases | from | read by |\n|---|---|---|---|\n"
                + "| `tcacheKey` | 2.31, 2.36 | glibc 2.29 | `Tcache.tcachePutAt`, `Malloc.intFree` |\n");
        assertThat(rows.get("tcacheKey").readBy()).containsExactly("Malloc.intFree", "Tcache.tcachePutAt");
        assertThat(releases("tcacheKey")).isEqualTo("2.31, 2.36, 2.41, 2.43");
        assertThat(releases("memalign"))
                .isEqualTo("FREE_LEFTOVERS: 2.23, 2.27, 2.31, 2.36; TCACHE_SCAN: 2.41; SIZE_AWARE_TCACHE_SCAN: 2.43");
        assertThat(releases("tcacheStructRequest")).isEqualTo("0x0: 2.23; 0x240: 2.27; 0x280: 2.31, 2.36, 2.41; 0x2f8: 2.43");
        assertThat(releases("arena"))
                .isEqualTo("FLAGS_FASTCHUNKS: 2.23; HAVE_FASTCHUNKS: 2.27, 2.31, 2.36, 2.41; NO_FASTBINS: 2.43");
    }

    /** GlibcProfile's switches: its instance fields but the release's name and trust. */
    static List<String> switches() {
        List<String> out = new ArrayList<>();
        for (Field f : GlibcProfile.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) && !NOT_SWITCHES.contains(f.getName())) {
                out.add(f.getName());
            }
        }
        return out;
    }

    /**
     * The releases column: for a boolean the releases that set it; otherwise each value (longs in hex,
     * ints in decimal, enums and layouts by name, arrays as "per release") with its releases.
     */
    static String releases(String name) {
        try {
            Field f = GlibcProfile.class.getDeclaredField(name);
            f.setAccessible(true);
            if (f.getType() == boolean.class) {
                List<String> on = new ArrayList<>();
                for (GlibcProfile p : GlibcProfile.ALL) {
                    if (f.getBoolean(p)) {
                        on.add(p.version());
                    }
                }
                return on.isEmpty() ? "none" : String.join(", ", on);
            }
            if (f.getType().isArray()) {
                return "per release";
            }
            Map<String, List<String>> byValue = new LinkedHashMap<>();
            for (GlibcProfile p : GlibcProfile.ALL) {
                byValue.computeIfAbsent(value(f.get(p)), v -> new ArrayList<>()).add(p.version());
            }
            List<String> parts = new ArrayList<>();
            byValue.forEach((v, versions) -> parts.add(v + ": " + String.join(", ", versions)));
            return String.join("; ", parts);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    static String value(Object v) throws IllegalAccessException {
        if (v instanceof Long l) {
            return "0x" + Long.toHexString(l);
        }
        if (v instanceof ArenaLayout a) {
            for (Field f : ArenaLayout.class.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getType() == ArenaLayout.class) {
                    f.setAccessible(true);
                    if (f.get(null) == a) {
                        return f.getName();
                    }
                }
            }
        }
        return String.valueOf(v);
    }

    /** The table's rows, by switch. */
    static Map<String, Row> rows(String markdown) {
        Map<String, Row> out = new TreeMap<>();
        Pattern row = Pattern.compile("^\\| `(\\w+)` \\|(.*)\\|(.*)\\|(.*)\\|\\s*$");
        for (String line : markdown.split("\n")) {
            Matcher m = row.matcher(line);
            if (m.matches()) {
                TreeSet<String> readBy = new TreeSet<>();
                for (String r : m.group(4).split(",")) {
                    String t = r.strip().replace("`", "");
                    if (!t.isEmpty() && !t.equals("—")) {
                        readBy.add(t);
                    }
                }
                Row previous = out.put(m.group(1), new Row(m.group(2).strip(), m.group(3).strip(), readBy));
                assertThat(previous).as("one row for %s", m.group(1)).isNull();
            }
        }
        return out;
    }

    static final Pattern METHOD = Pattern.compile(
            "^\\s+(?:[\\w<>\\[\\],.?]+\\s+)*(\\w+)\\s*\\([^;{]*\\)\\s*(?:throws [\\w., ]+)?\\{\\s*$");
    static final Pattern READ = Pattern.compile("\\bprofile\\.(\\w+)\\b(?!\\s*\\()");
    static final List<String> NOT_METHODS = List.of("if", "for", "while", "switch", "catch", "synchronized", "return");

    /** For each switch, the methods ("Class.method") of the malloc package whose bodies read it. */
    static Map<String, TreeSet<String>> readers() throws IOException {
        Map<String, TreeSet<String>> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(SOURCES)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String cls = file.getFileName().toString().replace(".java", "");
                if (cls.equals("GlibcProfile")) {
                    continue; // its accessors return the switches; they do not act on them
                }
                String method = null;
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String code = line.strip().startsWith("*") || line.strip().startsWith("/") ? "" : line;
                    int comment = code.indexOf("//");
                    if (comment >= 0) {
                        code = code.substring(0, comment);
                    }
                    Matcher m = METHOD.matcher(code);
                    if (m.matches() && !NOT_METHODS.contains(m.group(1))) {
                        method = m.group(1);
                    }
                    Matcher r = READ.matcher(code);
                    while (r.find()) {
                        out.computeIfAbsent(r.group(1), k -> new TreeSet<>()).add(cls + "." + method);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void theReaderScanFindsKnownReads() throws IOException {
        Map<String, TreeSet<String>> r = readers();
        assertThat(r.get("errorBanner")).containsExactly("Malloc.printerr");
        assertThat(r.get("memalign")).contains("Memalign.intMemalign", "Memalign.midMemalign");
        assertThat(Arrays.asList(GlibcProfile.class.getDeclaredFields()).size()).isGreaterThan(switches().size());
    }
}
