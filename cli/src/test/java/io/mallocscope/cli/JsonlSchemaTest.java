package io.mallocscope.cli;

import io.mallocscope.cli.testing.MiniJson;
import io.mallocscope.cli.testing.RecordedFirstFit;
import io.mallocscope.runtime.event.EventKind;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code timeline --format jsonl} of a recorded timeline and of a {@code .rep} trace follow the one
 * schema of docs/timeline-format.md (its {@code schema} block): every line's kind has a row, every field
 * is one the row names with the row's type, every field the row requires is there.
 */
class JsonlSchemaTest {
    static final Path DOC = Path.of("").toAbsolutePath().getParent().resolve("docs/timeline-format.md");
    /** Fields every event has, before its kind's own. */
    static final String EVERY_EVENT = "seq:N kind:S depth:N";

    @TempDir
    static Path dir;
    static Map<String, Map<String, String>> schema;

    @BeforeAll
    static void readSchema() throws IOException {
        String doc = Files.readString(DOC);
        int start = doc.indexOf("```schema\n");
        assertThat(start).as("a ```schema block in " + DOC).isPositive();
        String block = doc.substring(start + "```schema\n".length(), doc.indexOf("```", start + 9));
        schema = new LinkedHashMap<>();
        for (String row : block.strip().split("\n")) {
            String[] words = row.trim().split("\\s+");
            Map<String, String> fields = new LinkedHashMap<>();
            List<String> all = new ArrayList<>();
            if (!words[0].equals("header")) {
                all.addAll(List.of(EVERY_EVENT.split(" ")));
            }
            all.addAll(List.of(words).subList(1, words.length));
            for (String f : all) {
                int colon = f.indexOf(':');
                fields.put(f.substring(0, colon), f.substring(colon + 1));
            }
            schema.put(words[0], fields);
        }
    }

    /** Checks one line against the schema; throws AssertionError saying what is wrong. */
    static void check(String line) {
        Map<String, Object> o = MiniJson.object(MiniJson.parse(line));
        String kind = String.valueOf(o.get("kind"));
        Map<String, String> row = schema.get(kind);
        assertThat(row).as("a schema row for kind %s (%s)", kind, line).isNotNull();
        for (Map.Entry<String, Object> f : o.entrySet()) {
            String type = row.containsKey(f.getKey()) ? row.get(f.getKey()) : row.get("*");
            assertThat(type).as("field %s of %s is in the schema", f.getKey(), line).isNotNull();
            assertThat(fits(f.getValue(), type.replace("?", ""))).as("%s is %s in %s", f.getKey(), type, line).isTrue();
        }
        for (Map.Entry<String, String> f : row.entrySet()) {
            if (!f.getValue().endsWith("?") && !f.getKey().equals("*")) {
                assertThat(o).as("%s has %s", line, f.getKey()).containsKey(f.getKey());
            }
        }
    }

    static boolean fits(Object v, String type) {
        for (String t : type.split("\\|(?![^\\[]*\\])")) {
            if (t.startsWith("[") && v instanceof List<?> list
                    && list.stream().allMatch(x -> fits(x, t.substring(1, t.length() - 1)))) {
                return true;
            }
            boolean ok = switch (t) {
                case "N" -> v instanceof Long;
                case "S" -> v instanceof String;
                case "A" -> v instanceof String s && s.matches("0x[0-9a-f]+");
                case "B" -> v instanceof Boolean;
                default -> false;
            };
            if (ok) {
                return true;
            }
        }
        return false;
    }

    /** The kinds of the lines checked. */
    static Set<String> checkAll(String jsonl) {
        Set<String> kinds = new LinkedHashSet<>();
        for (String line : jsonl.lines().toList()) {
            check(line);
            kinds.add(String.valueOf(MiniJson.object(MiniJson.parse(line)).get("kind")));
        }
        return kinds;
    }

    @Test
    void everyEventKindHasARow() {
        for (EventKind k : EventKind.values()) {
            assertThat(schema).as("docs/timeline-format.md's schema has a row for %s", k.wireName())
                    .containsKey(k.wireName());
        }
    }

    @Test
    void aRecordedTimelineFollowsTheSchema() throws IOException {
        Path timeline = dir.resolve("first-fit.timeline");
        RecordedFirstFit.record(timeline);
        CliRun.Result r = CliRun.run("timeline", timeline.toString(), "--format", "jsonl");
        assertThat(r.status()).isZero();
        assertThat(checkAll(r.out())).contains("header", "call", "return", "split", "top_extend", "bin_insert",
                "write");
    }

    @Test
    void aTraceFollowsTheSameSchemaWithTheSameFieldsForItsCalls() throws IOException {
        Path trace = dir.resolve("every-op.rep");
        Files.writeString(trace, "a 0 24\nc 1 40\nm 2 64 100\nr 0 200\nf 1\no -3 65536\ns 4096\nt 0\nf 0\n");
        CliRun.Result r = CliRun.run("timeline", trace.toString(), "--format", "jsonl");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(checkAll(r.out())).containsExactlyInAnyOrder("header", "call", "return", "change");
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo(
                "{\"kind\":\"header\",\"glibc\":\"2.36\",\"tunables\":\"\",\"program\":\"every-op.rep\",\"steps\":9}");
        // the same call as a timeline writes it: sizes are numbers, pointers "0x…", ints signed
        assertThat(lines).contains("{\"seq\":0,\"kind\":\"call\",\"depth\":0,\"fn\":\"malloc\",\"args\":[24]}")
                .anySatisfy(l -> assertThat(l).matches("\\{\"seq\":\\d+,\"kind\":\"return\",\"depth\":0,\"fn\":\"malloc\","
                        + "\"ret\":\"0x5555555592a0\"}"))
                .anySatisfy(l -> assertThat(l).matches("\\{\"seq\":\\d+,\"kind\":\"call\",\"depth\":0,\"fn\":\"mallopt\","
                        + "\"args\":\\[-3,65536\\]}"))
                .anySatisfy(l -> assertThat(l).matches("\\{\"seq\":\\d+,\"kind\":\"call\",\"depth\":0,\"fn\":\"calloc\","
                        + "\"args\":\\[1,40\\]}"))
                .anySatisfy(l -> assertThat(l).matches("\\{\"seq\":\\d+,\"kind\":\"return\",\"depth\":0,\"fn\":\"free\"}"))
                .anySatisfy(l -> assertThat(l).startsWith("{\"seq\":1,\"kind\":\"change\",\"depth\":1,\"text\":\"+ 0x"));
        for (int i = 1; i < lines.size(); i++) {
            assertThat(lines.get(i)).startsWith("{\"seq\":" + (i - 1) + ",");
        }
    }

    @Test
    void aLineInTheOldTraceShapeIsRefused() {
        assertThatThrownBy(() -> check("{\"step\":1,\"event\":\"call\",\"fn\":\"malloc\",\"args\":[\"0x18\"]}"))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> check("{\"seq\":3,\"kind\":\"split\",\"depth\":1,\"chunk\":\"0x10\",\"size\":\"0x20\","
                + "\"remainder\":\"0x30\",\"remainder_size\":16}")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("size");
        assertThatThrownBy(() -> check("{\"seq\":3,\"kind\":\"return\",\"depth\":0}")).hasMessageContaining("fn");
    }
}
