package io.mallocscope.c;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The callee-saved registers gcc -O0 pushes after rbp for expression temporaries live across a call
 * ({@link CalleeSaved}): for each function below, the count of {@code pushq %rbx/%r12…%r15} in gcc's
 * own assembly ({@code gcc -O0 -S}) against the front end's. Each case is one of the rules: which
 * operand is evaluated first, which values need a temporary, what an assignment computes first.
 */
class CalleeSavedTest {
    @TempDir
    Path dir;

    private static final String PRELUDE = """
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #include <unistd.h>
            struct s { int a; struct s *n; long v[4]; };
            int g; long gl; char *gp; int ga[8]; struct s gs;
            int f(void) { return printf(""); }
            long lf(void) { return printf(""); }
            char *pf(void) { return malloc(1); }
            int (*fp)(void) = f;
            """;

    /** name → body; parameters: int x, long l, int *p, char c, struct s *sp, void **vp, char **cp, unsigned u. */
    private static final List<String> BODIES = List.of(
            "return x*100 + f();",
            "return f() + x*100;",
            "return x + f();",
            "return x - f();",
            "return g + f();",
            "return g - f();",
            "return f() - g;",
            "return l + f();",
            "return x + lf();",
            "return c + f();",
            "return u + f();",
            "return *p + f();",
            "return p[x] + f();",
            "return ga[x] + f();",
            "return ga[2] + f();",
            "int a[4] = {0}; return a[x] + f();",
            "int y = 1; int *q = &y; return y + f();",
            "int y = 1; int *q = &y; return y - f();",
            "return sp->a + f();",
            "return sp->n->a + f();",
            "return gs.a + f();",
            "return x*2 + (x*3 + f());",
            "return x*2 + (x*3 + (x*4 + f()));",
            "return x*2 + (x*3 + (x*4 + (x*5 + (x*6 + f()))));",
            "return f() + f();",
            "return f() * f() + f();",
            "printf(\"%d %d\\n\", f(), f()); return 0;",
            "printf(\"%d %d\\n\", x, f()); return 0;",
            "printf(\"%d %d\\n\", f(), x); return 0;",
            "printf(\"%d %d\\n\", f(), g); return 0;",
            "printf(\"%d %d\\n\", f(), x*2); return 0;",
            "printf(\"%p %d\\n\", malloc(x*2), x); return 0;",
            "vp[x] = malloc(8); return 0;",
            "cp[x] = malloc(8); return 0;",
            "cp[x+1] = malloc(8); return 0;",
            "void *a[4]; a[x] = malloc(8); return a[0] != 0;",
            "void *a[4]; a[x*2] = malloc(8); return a[0] != 0;",
            "p[x*2] = f(); return 0;",
            "p[x] = lf(); return 0;",
            "p[x] += f(); return 0;",
            "sp->n->a = f(); return 0;",
            "sp->a = f(); return 0;",
            "sp->v[x] = lf(); return 0;",
            "sp->v[x] = f(); return 0;",
            "*gp = f(); return 0;",
            "g = f(); return 0;",
            "int y = x*100 + f(); int z = x*3 + f(); return y + z;",
            "return x ? f() : 0;",
            "return (x*2) && f();",
            "return x*100 + (f() == 0 ? 1 : 2);",
            "return (x ? f() : 1) + f();",
            "return x*2 < f();",
            "return f() < x*2;",
            "return x < f();",
            "if (x*2 == f()) return 1; return 0;",
            "while (x*2 > f()) x--; return x;",
            "return (int) strlen(\"abc\") + f();",
            "char b[8]; memcpy(b, \"abcdefg\", 8); return x*2 + (int) strlen(b);",
            "return x*2 + fp();",
            "return fp() + x*2;",
            "return -x + f();",
            "return !x + f();",
            "return (x, f()) + x*2;",
            "return x*2 + (x = f());",
            "return gl + lf();",
            "return l*2 + lf();",
            "return (long) p + lf();",
            "return p - (int *) 0 + f();",
            "char *q = pf(); return q[x] + f();",
            "return *pf() + f();",
            "return getpid() * 10 + (fork() == 0 ? 1 : 2);",
            "long *w = (long *) p; printf(\"%ld %ld %ld %ld %ld %ld %ld %ld %ld\", w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9]); return 0;",
            "long *w = (long *) p; printf(\"%ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld\", w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11]); return 0;",
            "long *w = (long *) p; printf(\"%ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld\", w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11], w[12], w[13], w[14]); return 0;",
            "char *q = (char *) p; strcpy(q, \"this is A!\"); puts(q); strcpy(q, \"this is C!\"); return 0;",
            "char *q = (char *) p; strcpy(q, \"this is A!\"); puts(q); strcpy(q, \"that is C!\"); return 0;",
            "char *q = (char *) p; strcpy(q, \"this is A!\"); strcpy(q, \"this is C!\"); puts(q); return 0;",
            "char *q = (char *) p; if (x) { strcpy(q, \"this is A!\"); puts(q); } else { puts(q); strcpy(q, \"this is C!\"); } return 0;",
            "char *q = (char *) p; strcpy(q, \"this is A!\"); puts(q); if (x) strcpy(q, \"this is C!\"); return 0;",
            "char *q = (char *) p; for (int i = 0; i < x; i++) { strcpy(q, \"this is A!\"); puts(q); } return 0;",
            "char *q = (char *) p; strcpy(q, \"abcdefghijklm\"); puts(q); strcpy(q, \"abcdefghZZZZZ\"); puts(q); strcpy(q, \"zzzzzfghijklm\"); return 0;",
            "char *q = (char *) p; strcpy(q, \"this is A!\"); puts(q); int y = x * 100 + f(); strcpy(q, \"this is C!\"); return y;",
            "char *q = (char *) p; strcpy(q, \"abcdef\"); puts(q); strcpy(q, \"abcdef\"); return 0;"
    );

    @Test
    void pushesAsGccDoes() throws Exception {
        String why = NativeRun.unavailable();
        Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
        StringBuilder src = new StringBuilder(PRELUDE);
        for (int i = 0; i < BODIES.size(); i++) {
            src.append("long t").append(i)
                    .append("(int x, long l, int *p, char c, struct s *sp, void **vp, char **cp, unsigned u) { ")
                    .append(BODIES.get(i)).append(" }\n");
        }
        src.append("int main(void) { return 0; }\n");
        Files.writeString(dir.resolve("t.c"), src);
        Process cc = new ProcessBuilder("gcc", "-O0", "-w", "-S", "-o", "t.s", "t.c").directory(dir.toFile())
                .redirectErrorStream(true).start();
        String out = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(cc.waitFor(60, TimeUnit.SECONDS) && cc.exitValue() == 0).as(out).isTrue();
        Map<String, Integer> gcc = pushes(Files.readString(dir.resolve("t.s")));
        Program prog = CFront.compile("t.c", src.toString()).program();
        List<String> differ = new java.util.ArrayList<>();
        for (int i = 0; i < BODIES.size(); i++) {
            int ours = CalleeSaved.registers(prog.functions.get("t" + i));
            if (gcc.get("t" + i) != ours) {
                differ.add("t" + i + " {" + BODIES.get(i) + "}: gcc pushes " + gcc.get("t" + i) + ", the front end " + ours);
            }
        }
        assertThat(gcc).hasSizeGreaterThan(BODIES.size());
        assertThat(differ).isEmpty();
    }

    /**
     * Every function of every C program the tests run natively (the corpus, the front end's twins,
     * sample-programs' twins): the registers gcc pushes (for temporaries, and for variable-length
     * arrays' stack pointers) against the front end's count.
     */
    @Test
    void everyFunctionOfTheCorpusAndTwins() throws Exception {
        String why = NativeRun.unavailable();
        Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
        List<String> differ = new java.util.ArrayList<>();
        int functions = 0;
        for (Path folder : List.of(CorpusTest.CORPUS, SampleTwinsTest.TWINS, SampleTwinsTest.SAMPLE_TWINS)) {
            List<Path> files;
            try (java.util.stream.Stream<Path> st = Files.list(folder)) {
                files = st.filter(p -> p.toString().endsWith(".c")).sorted().toList();
            }
            for (Path file : files) {
                Path asm = dir.resolve(file.getFileName() + ".s");
                Process cc = new ProcessBuilder("gcc", "-O0", "-w", "-pthread", "-iquote",
                        file.toAbsolutePath().getParent().toString(), "-S", "-o", asm.toString(),
                        file.toAbsolutePath().toString()).redirectErrorStream(true).start();
                String out = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(cc.waitFor(60, TimeUnit.SECONDS) && cc.exitValue() == 0).as(out).isTrue();
                Map<String, Integer> gcc = pushes(Files.readString(asm));
                Program prog = CFront.compile(file).program();
                for (Function f : prog.functions.values()) {
                    if (f.body == null || !gcc.containsKey(f.name)) {
                        continue;
                    }
                    functions++;
                    // the locals start below the pushes at a 16-byte boundary: one register or two, three or four
                    // move them alike (a one-array function's saved stack pointer is in rbx or r12)
                    int vla = f.vlaCount == 0 ? 0 : f.vlaCount == 1 && !f.vlaInLoop ? 1 : 5;
                    int ours = Math.min(5, CalleeSaved.registers(f) + vla);
                    if ((gcc.get(f.name) + 1) / 2 != (ours + 1) / 2) {
                        differ.add(file.getFileName() + " " + f.name + ": gcc pushes " + gcc.get(f.name)
                                + ", the front end " + ours);
                    }
                }
            }
        }
        assertThat(functions).isGreaterThan(100);
        assertThat(differ).isEmpty();
    }

    /** Each function's count of pushed callee-saved registers in gcc's assembly. */
    static Map<String, Integer> pushes(String asm) {
        Map<String, Integer> m = new LinkedHashMap<>();
        String fn = null;
        boolean prologue = false;
        Pattern label = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*):$");
        for (String line : asm.split("\n")) {
            Matcher lm = label.matcher(line);
            if (lm.matches()) {
                fn = lm.group(1);
                m.put(fn, 0);
                prologue = false;
            } else if (fn == null || line.trim().startsWith(".")) {
                continue; // directives (.cfi_…) come between the prologue's instructions
            } else if (line.matches("\\s*movq\\s+%rsp, %rbp\\s*")) {
                prologue = true;
            } else if (prologue && line.matches("\\s*pushq\\s+%(rbx|r12|r13|r14|r15)\\s*")) {
                m.merge(fn, 1, Integer::sum); // the prologue's pushes, not a call's stack arguments
            } else {
                prologue = false;
            }
        }
        return m;
    }
}
