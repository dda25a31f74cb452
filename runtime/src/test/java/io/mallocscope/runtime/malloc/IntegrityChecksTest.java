package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.glibc.NativeHarness;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every reachable malloc_printerr message (and the two assertions programs reach) of glibc 2.36,
 * provoked by corrupting memory through LibC the way the check detects. Each scenario mirrors the C
 * program src/test/c/checks/NAME.c, whose first line names the expected message; the C programs run
 * against real glibc in {@link #realGlibcPrintsTheSameMessages()}.
 *
 * <p>Not reachable, so not here: "malloc(): corrupted unsorted chunks 3" (an earlier check always
 * fires first), "malloc(): unaligned fastbin chunk detected" and "tcache_thread_shutdown(): …"
 * (threads only), "do_check_malloc_state(): …" (MALLOC_DEBUG builds only).
 */
class IntegrityChecksTest {
    static final Path CHECKS = Paths.get("src/test/c/checks");

    // helpers named like the C macros in checks.h
    static long size(LibC c, long m) {
        return c.getLong(m - 8);
    }

    static void setSize(LibC c, long m, long v) {
        c.putLong(m - 8, v);
    }

    static void setPrev(LibC c, long m, long v) {
        c.putLong(m - 16, v);
    }

    static long word(LibC c, long m, int i) {
        return c.getLong(m + 8L * i);
    }

    static void setWord(LibC c, long m, int i, long v) {
        c.putLong(m + 8L * i, v);
    }

    static long chunk(long m) {
        return m - 16;
    }

    static long mangle(long pos, long ptr) {
        return (pos >>> 12) ^ ptr;
    }

    static long[] alloc7(LibC c) {
        long[] t = new long[7];
        for (int i = 0; i < 7; i++) {
            t[i] = c.malloc(24);
        }
        return t;
    }

    static void free7(LibC c, long[] t) {
        for (long p : t) {
            c.free(p);
        }
    }

    /** The Java twin of each C program. */
    static Map<String, CProgram> scenarios() {
        Map<String, CProgram> s = new LinkedHashMap<>();
        s.put("free-invalid-pointer", (c, argv) -> {
            long p = c.malloc(24);
            c.free(p + 8);
            return 0;
        });
        s.put("free-invalid-size", (c, argv) -> {
            long p = c.malloc(24);
            setSize(c, p, 0x11);
            c.free(p);
            return 0;
        });
        s.put("tcache-double-free", (c, argv) -> {
            long p = c.malloc(24);
            c.free(p);
            c.free(p);
            return 0;
        });
        s.put("tcache-too-many", (c, argv) -> {
            long a = c.malloc(24), b = c.malloc(24);
            c.free(a);
            setWord(c, b, 1, word(c, a, 1));
            setWord(c, a, 0, mangle(a, a));
            c.free(b);
            return 0;
        });
        s.put("tcache-unaligned-2", (c, argv) -> {
            long a = c.malloc(24), b = c.malloc(24);
            c.free(a);
            setWord(c, b, 1, word(c, a, 1));
            setWord(c, a, 0, mangle(a, a + 8));
            c.free(b);
            return 0;
        });
        s.put("fast-invalid-next-size", (c, argv) -> {
            long[] t = alloc7(c);
            long p = c.malloc(24), q = c.malloc(24);
            free7(c, t);
            setSize(c, q, 0x8);
            c.free(p);
            return 0;
        });
        s.put("fasttop-double-free", (c, argv) -> {
            long[] t = alloc7(c);
            long p = c.malloc(24);
            c.malloc(24);
            free7(c, t);
            c.free(p);
            c.free(p);
            return 0;
        });
        s.put("invalid-fastbin-entry", (c, argv) -> {
            long[] t = alloc7(c);
            long f = c.malloc(24), p = c.malloc(0x38);
            c.malloc(24);
            free7(c, t);
            c.free(f);
            setSize(c, f, 0x31);
            c.realloc(p, 24);
            return 0;
        });
        s.put("double-free-top", (c, argv) -> {
            long p = c.malloc(0x500);
            c.free(p + 0x510);
            return 0;
        });
        s.put("double-free-out", (c, argv) -> {
            long p = c.malloc(0x500);
            setSize(c, p, 0x100001);
            c.free(p);
            return 0;
        });
        s.put("double-free-prev", (c, argv) -> {
            long p = c.malloc(0x500);
            c.malloc(24);
            c.free(p);
            c.free(p);
            return 0;
        });
        s.put("normal-invalid-next-size", (c, argv) -> {
            long p = c.malloc(0x500), q = c.malloc(24);
            setSize(c, q, 0x1);
            c.free(p);
            return 0;
        });
        s.put("prev-size-while-consolidating", (c, argv) -> {
            long a = c.malloc(0x500), b = c.malloc(0x500);
            c.malloc(24);
            c.free(a);
            setPrev(c, b, 0x400);
            c.free(b);
            return 0;
        });
        s.put("unlink-size-vs-prev-size", (c, argv) -> {
            long a = c.malloc(0x500), b = c.malloc(0x500), g = c.malloc(24);
            c.free(b);
            setPrev(c, g, 0x400);
            c.free(a);
            return 0;
        });
        s.put("unlink-double-linked", (c, argv) -> {
            long a = c.malloc(0x500), b = c.malloc(0x500);
            c.malloc(24);
            c.free(b);
            setWord(c, b, 0, chunk(b));
            c.free(a);
            return 0;
        });
        s.put("unlink-not-small", (c, argv) -> {
            long a = c.malloc(0x500), b = c.malloc(0x500);
            c.malloc(24);
            c.free(b);
            c.malloc(0x600);
            setWord(c, b, 2, chunk(b) + 0x100);
            c.free(a);
            return 0;
        });
        s.put("tcache-get-unaligned", (c, argv) -> {
            long a = c.malloc(24), b = c.malloc(24);
            c.free(a);
            c.free(b);
            setWord(c, b, 0, mangle(b, a + 8));
            c.malloc(24);
            c.malloc(24);
            return 0;
        });
        s.put("fastbin-unaligned-2", (c, argv) -> {
            long[] t = alloc7(c);
            long f1 = c.malloc(24), f2 = c.malloc(24);
            c.malloc(24);
            free7(c, t);
            c.free(f1);
            c.free(f2);
            setWord(c, f2, 0, mangle(f2, f1 + 8));
            c.calloc(1, 24);
            c.calloc(1, 24);
            return 0;
        });
        s.put("fastbin-unaligned-3", (c, argv) -> {
            long[] t = alloc7(c);
            long f1 = c.malloc(24), f2 = c.malloc(24);
            c.malloc(24);
            free7(c, t);
            c.free(f1);
            c.free(f2);
            setWord(c, f2, 0, mangle(f2, f1 + 8));
            for (int i = 0; i < 7; i++) {
                c.malloc(24);
            }
            c.malloc(24);
            return 0;
        });
        s.put("fast-memory-corruption", (c, argv) -> {
            long[] t = alloc7(c);
            long f = c.malloc(24);
            c.malloc(24);
            free7(c, t);
            c.free(f);
            setSize(c, f, 0x31);
            c.calloc(1, 24);
            return 0;
        });
        s.put("smallbin-corrupted", (c, argv) -> {
            long[] t = new long[7];
            for (int i = 0; i < 7; i++) {
                t[i] = c.malloc(0x100);
            }
            long a = c.malloc(0x100);
            c.malloc(24);
            for (long p : t) {
                c.free(p);
            }
            c.free(a);
            c.malloc(0x200);
            setWord(c, a, 1, chunk(a) + 0x40);
            c.calloc(1, 0x100);
            return 0;
        });
        s.put("unsorted-invalid-size", (c, argv) -> {
            long a = c.malloc(0x500);
            c.malloc(24);
            c.free(a);
            setSize(c, a, 0x11);
            c.malloc(24);
            return 0;
        });
        s.put("unsorted-invalid-next-size", (c, argv) -> {
            long a = c.malloc(0x500), g = c.malloc(24);
            c.free(a);
            setSize(c, g, 0x8);
            c.malloc(24);
            return 0;
        });
        s.put("unsorted-mismatching-prev-size", (c, argv) -> {
            long a = c.malloc(0x500), g = c.malloc(24);
            c.free(a);
            setPrev(c, g, 0x500);
            c.malloc(24);
            return 0;
        });
        s.put("unsorted-double-linked", (c, argv) -> {
            long a = c.malloc(0x500);
            c.malloc(24);
            c.free(a);
            setWord(c, a, 0, chunk(a));
            c.malloc(24);
            return 0;
        });
        s.put("unsorted-next-prev-inuse", (c, argv) -> {
            long a = c.malloc(0x500), g = c.malloc(24);
            c.free(a);
            setSize(c, g, size(c, g) | 1);
            c.malloc(24);
            return 0;
        });
        s.put("largebin-nextsize", (c, argv) -> {
            long x = c.malloc(0x500);
            c.malloc(24);
            long y = c.malloc(0x520);
            c.malloc(24);
            c.free(x);
            c.malloc(0x600);
            c.free(y);
            setWord(c, x, 3, chunk(x) + 0x100);
            c.malloc(0x600);
            return 0;
        });
        s.put("largebin-bk", (c, argv) -> {
            long x = c.malloc(0x500);
            c.malloc(24);
            long y = c.malloc(0x520);
            c.malloc(24);
            c.free(x);
            c.malloc(0x600);
            c.free(y);
            setWord(c, x, 1, chunk(x) + 0x100);
            c.malloc(0x600);
            return 0;
        });
        s.put("corrupted-unsorted-chunks", (c, argv) -> {
            long x = c.malloc(0x528), g = c.malloc(24);
            c.free(x);
            long unsorted = word(c, x, 0);
            c.malloc(0x600);
            c.putLong(unsorted + 16, chunk(g));
            c.malloc(0x4f8);
            return 0;
        });
        s.put("corrupted-unsorted-chunks-2", (c, argv) -> {
            long x = c.malloc(0x528), g = c.malloc(24);
            c.free(x);
            long unsorted = word(c, x, 0);
            c.malloc(0x600);
            c.putLong(unsorted + 16, chunk(g));
            c.malloc(0x100);
            return 0;
        });
        s.put("corrupted-top-size", (c, argv) -> {
            long p = c.malloc(24);
            setWord(c, p, 3, -1L);
            c.malloc(24);
            return 0;
        });
        s.put("consolidate-unaligned", (c, argv) -> {
            long[] t = alloc7(c);
            long f1 = c.malloc(24), f2 = c.malloc(24);
            c.malloc(24);
            free7(c, t);
            c.free(f1);
            c.free(f2);
            setWord(c, f2, 0, mangle(f2, f1 + 8));
            c.malloc(0x500);
            return 0;
        });
        s.put("consolidate-invalid-size", (c, argv) -> {
            long[] t = alloc7(c);
            long f = c.malloc(24);
            c.malloc(24);
            free7(c, t);
            c.free(f);
            setSize(c, f, 0x31);
            c.malloc(0x500);
            return 0;
        });
        s.put("consolidate-prev-size", (c, argv) -> {
            long[] t = alloc7(c);
            long f = c.malloc(24);
            c.malloc(24);
            free7(c, t);
            c.free(f);
            setSize(c, f, 0x20);
            setPrev(c, f, 0x40);
            c.malloc(0x500);
            return 0;
        });
        s.put("realloc-invalid-pointer", (c, argv) -> {
            long p = c.malloc(24);
            c.realloc(p + 8, 100);
            return 0;
        });
        s.put("realloc-invalid-old-size", (c, argv) -> {
            long p = c.malloc(24);
            setSize(c, p, 0x9);
            c.realloc(p, 100);
            return 0;
        });
        s.put("realloc-invalid-next-size", (c, argv) -> {
            long p = c.malloc(24), q = c.malloc(24);
            setSize(c, q, 0x1);
            c.realloc(p, 100);
            return 0;
        });
        s.put("munmap-invalid-pointer", (c, argv) -> {
            long p = c.malloc(24);
            setSize(c, p, 0x22);
            c.free(p);
            return 0;
        });
        s.put("mremap-invalid-pointer", (c, argv) -> {
            long p = c.malloc(24);
            setSize(c, p, 0x22);
            c.realloc(p, 100);
            return 0;
        });
        s.put("break-adjusted", (c, argv) -> {
            c.malloc(24);
            c.sbrk(-4096);
            c.malloc(0x1f000);
            c.malloc(0x1f000);
            return 0;
        });
        s.put("mallinfo-unaligned", (c, argv) -> {
            long[] t = alloc7(c);
            long f1 = c.malloc(24), f2 = c.malloc(24);
            c.malloc(24);
            free7(c, t);
            c.free(f1);
            c.free(f2);
            setWord(c, f2, 0, mangle(f2, f1 + 8));
            c.mallinfo2();
            return 0;
        });
        s.put("malloc-info-unaligned", (c, argv) -> {
            long[] t = alloc7(c);
            long f1 = c.malloc(24), f2 = c.malloc(24);
            c.malloc(24);
            free7(c, t);
            c.free(f1);
            c.free(f2);
            setWord(c, f2, 0, mangle(f2, f1 + 8));
            c.malloc_info(0, 1);
            return 0;
        });
        s.put("free-corrupted-unsorted", (c, argv) -> {
            long u = c.malloc(0x500);
            c.malloc(24);
            long a = c.malloc(0x500);
            c.malloc(24);
            c.free(u);
            setWord(c, u, 1, chunk(u) + 0x100);
            c.free(a);
            return 0;
        });
        s.put("assert-sysmalloc-top", (c, argv) -> {
            long p = c.malloc(24);
            setWord(c, p, 3, 0x1001);
            c.malloc(0x2000);
            return 0;
        });
        s.put("assert-largebin-main-arena", (c, argv) -> {
            long x = c.malloc(0x500);
            c.malloc(24);
            long y = c.malloc(0x500);
            c.malloc(24);
            c.free(x);
            c.malloc(0x600);
            c.free(y);
            setSize(c, x, size(c, x) | 4);
            c.malloc(0x600);
            return 0;
        });
        return s;
    }

    static String expectedMessage(Path cFile) throws IOException {
        String first = Files.readAllLines(cFile, StandardCharsets.UTF_8).get(0);
        assertThat(first).startsWith("/* expect: ").endsWith(" */");
        return first.substring("/* expect: ".length(), first.length() - " */".length());
    }

    static List<Path> cPrograms() throws IOException {
        try (Stream<Path> s = Files.list(CHECKS)) {
            return s.filter(p -> p.toString().endsWith(".c")).sorted().toList();
        }
    }

    @Test
    void everyCProgramHasAJavaTwin() throws IOException {
        TreeSet<String> c = new TreeSet<>();
        for (Path p : cPrograms()) {
            String n = p.getFileName().toString();
            c.add(n.substring(0, n.length() - 2));
        }
        assertThat(new TreeSet<>(scenarios().keySet())).isEqualTo(c);
    }

    @TestFactory
    Stream<DynamicTest> simulatorPrintsGlibcMessageAndAborts() {
        List<DynamicTest> tests = new ArrayList<>();
        scenarios().forEach((name, program) -> tests.add(DynamicTest.dynamicTest(name, () -> {
            String msg = expectedMessage(CHECKS.resolve(name + ".c"));
            CProcess.Captured r = CProcess.runCaptured(ProcessOptions.defaults(), program);
            assertThat(r.stderr()).startsWith(msg + "\n");
            assertThat(r.status().aborted()).isTrue();
            assertThat(r.status().code()).isEqualTo(134);
        })));
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> realGlibcPrintsTheSameMessages() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path c : cPrograms()) {
            String n = c.getFileName().toString();
            tests.add(DynamicTest.dynamicTest(n, () -> {
                Assumptions.assumeTrue(NativeHarness.forSystemGlibc236().isPresent(), NativeHarness.skipReason());
                Path dir = Paths.get("target/native/checks");
                Files.createDirectories(dir);
                Path bin = dir.resolve(n.substring(0, n.length() - 2));
                Process gcc = new ProcessBuilder("gcc", "-O0", "-w", "-o", bin.toString(), c.toString())
                        .redirectErrorStream(true).start();
                String gccOut = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(gcc.exitValue()).as(gccOut).isZero();
                Process run = new ProcessBuilder(bin.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                String err = new String(run.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(err).isEqualTo(expectedMessage(c) + "\n");
                assertThat(run.exitValue()).isEqualTo(134);
            }));
        }
        return tests.stream();
    }
}
