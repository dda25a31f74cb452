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
 * Struct and union layout against gcc's: 60 generated types (scalars of every width, pointers,
 * arrays, nested structs and unions, aligned members, packed ones), each printed with sizeof,
 * _Alignof and every member's offsetof by the same C program, natively and simulated.
 */
class StructLayoutTest {
    private static final String[] SCALARS = {"char", "unsigned char", "short", "unsigned short", "int", "unsigned",
        "long", "unsigned long", "long long", "void *", "char *", "double", "float", "_Bool", "size_t", "uint8_t",
        "uint16_t", "uint32_t", "uint64_t", "intptr_t"};

    @TempDir
    Path dir;

    @Test
    void generatedStructsMatchGcc() throws Exception {
        String why = NativeRun.unavailable();
        Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
        Random r = new Random(14);
        StringBuilder defs = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include <stdint.h>\n\n");
        StringBuilder body = new StringBuilder("int main(void) {\n");
        List<String> made = new ArrayList<>();
        for (int t = 0; t < 60; t++) {
            boolean union = r.nextInt(6) == 0;
            boolean packed = !union && r.nextInt(10) == 0;
            String name = "t" + t;
            defs.append(union ? "union " : "struct ").append(name).append(" {\n");
            int members = 1 + r.nextInt(6);
            for (int m = 0; m < members; m++) {
                String type;
                int pick = r.nextInt(10);
                if (pick == 0 && !made.isEmpty()) {
                    type = made.get(r.nextInt(made.size()));
                } else {
                    type = SCALARS[r.nextInt(SCALARS.length)];
                }
                defs.append("    ").append(type).append(" m").append(m);
                if (r.nextInt(4) == 0) {
                    defs.append('[').append(1 + r.nextInt(9)).append(']');
                }
                if (r.nextInt(12) == 0) {
                    defs.append(" __attribute__((aligned(").append(1 << (3 + r.nextInt(3))).append(")))");
                }
                defs.append(";\n");
                body.append("    printf(\"").append(name).append(".m").append(m).append(" %zu\\n\", offsetof(")
                        .append(union ? "union " : "struct ").append(name).append(", m").append(m).append("));\n");
            }
            defs.append('}').append(packed ? " __attribute__((packed))" : "").append(";\n");
            String full = (union ? "union " : "struct ") + name;
            made.add(full);
            body.append("    printf(\"").append(name).append(" size %zu align %zu\\n\", sizeof(").append(full)
                    .append("), _Alignof(").append(full).append("));\n");
        }
        body.append("    return 0;\n}\n");
        Path src = dir.resolve("src");
        Files.createDirectories(src);
        Path file = src.resolve("layout.c");
        Files.writeString(file, defs + "\n" + body);
        Files.writeString(Path.of("target/layout-generated.c"), defs + "\n" + body); // to look at when it fails
        Path work = dir.resolve("work");
        Files.createDirectories(work);
        Differential.check(file, work);
    }
}
