package io.mallocscope.c;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Bit-fields against gcc: 40 generated structs and unions mixing bit-fields of every integer type
 * and width (zero-width and unnamed ones too) with ordinary members. The same C program prints each
 * type's sizeof and _Alignof, every ordinary member's offsetof, then stores a value in every
 * bit-field, dumps the object's bytes and reads each field back (sign extension, truncation, the
 * promotion of a small unsigned bit-field to int); natively and simulated, compared byte for byte.
 */
class BitFieldTest {
    private static final String[] TYPES = {"char", "unsigned char", "short", "unsigned short", "int", "unsigned",
        "long", "unsigned long", "long long", "unsigned long long", "_Bool", "signed char"};
    private static final int[] BITS = {8, 8, 16, 16, 32, 32, 64, 64, 64, 64, 1, 8};
    private static final String[] PLAIN = {"char", "short", "int", "long", "void *", "double", "char[3]"};

    @TempDir
    Path dir;

    @Test
    void generatedBitFieldsMatchGcc() throws Exception {
        String why = NativeRun.unavailable();
        Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
        Random r = new Random(1414);
        StringBuilder defs = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include <string.h>\n\n"
                + "static void dump(const void *p, size_t n) {\n"
                + "    const unsigned char *b = p;\n"
                + "    for (size_t i = 0; i < n; i++) printf(\"%02x\", b[i]);\n"
                + "    printf(\"\\n\");\n}\n\n");
        StringBuilder body = new StringBuilder("int main(void) {\n");
        for (int t = 0; t < 40; t++) {
            boolean union = r.nextInt(8) == 0;
            String name = (union ? "union u" : "struct s") + t;
            defs.append(name).append(" {\n");
            List<String> sets = new ArrayList<>();
            List<String> reads = new ArrayList<>();
            int members = 1 + r.nextInt(7);
            for (int m = 0; m < members; m++) {
                if (r.nextInt(4) == 0) {
                    String p = PLAIN[r.nextInt(PLAIN.length)];
                    String decl = p.endsWith("]") ? p.replace("[", " m" + m + "[") : p + " m" + m;
                    defs.append("    ").append(decl).append(";\n");
                    body.append("    printf(\"").append(name).append(".m").append(m).append(" %zu\\n\", offsetof(")
                            .append(name).append(", m").append(m).append("));\n");
                    continue;
                }
                int k = r.nextInt(TYPES.length);
                if (r.nextInt(10) == 0) {
                    defs.append("    ").append(TYPES[k]).append(" : ").append(r.nextInt(3) == 0 ? 0 : 1 + r.nextInt(BITS[k]))
                            .append(";\n");
                    continue;
                }
                int w = 1 + r.nextInt(BITS[k]);
                defs.append("    ").append(TYPES[k]).append(" m").append(m).append(" : ").append(w).append(";\n");
                long v = r.nextLong() >> 1;
                sets.add("    v" + t + ".m" + m + " = " + v + "LL;\n");
                reads.add("    printf(\"" + name + ".m" + m + " = %lld\\n\", (long long) v" + t + ".m" + m + ");\n");
            }
            defs.append("};\n");
            body.append("    printf(\"").append(name).append(" size %zu align %zu\\n\", sizeof(").append(name)
                    .append("), _Alignof(").append(name).append("));\n");
            if (!sets.isEmpty()) {
                body.append("    {\n    ").append(name).append(" v").append(t).append(";\n");
                body.append("    memset(&v").append(t).append(", 0xa5, sizeof v").append(t).append(");\n");
                for (String s : sets) {
                    body.append("    ").append(s);
                }
                body.append("    dump(&v").append(t).append(", sizeof v").append(t).append(");\n");
                for (String s : reads) {
                    body.append("    ").append(s);
                }
                body.append("    }\n");
            }
        }
        defs.append("\nstruct flags { unsigned ready : 1; unsigned mode : 3; int delta : 5; _Bool on : 1; long wide : 40; };\n"
                + "struct flags g = { 1, 5, -3, 1, -123456789L };\n");
        body.append("    printf(\"g: %u %u %d %d %ld\\n\", g.ready, g.mode, g.delta, g.on, g.wide);\n"
                + "    struct flags l = { .mode = 7, .delta = 15 };\n"
                + "    l.mode += 3; l.delta++; l.ready = 3; l.on = 2; l.wide = g.wide * 2;\n"
                + "    printf(\"l: %u %u %d %d %ld\\n\", l.ready, l.mode, l.delta, l.on, l.wide);\n"
                + "    printf(\"promoted: %d %d\\n\", l.mode - 5 < 0, (l.ready = 5) + 0);\n"
                + "    dump(&l, sizeof l);\n"
                + "    return 0;\n}\n");
        Path src = dir.resolve("src");
        Files.createDirectories(src);
        Path file = src.resolve("bitfields.c");
        Files.writeString(file, defs + "\n" + body);
        Files.writeString(Path.of("target/bitfields-generated.c"), defs + "\n" + body); // to look at when it fails
        Path work = dir.resolve("work");
        Files.createDirectories(work);
        Differential.check(file, work);
    }
}
