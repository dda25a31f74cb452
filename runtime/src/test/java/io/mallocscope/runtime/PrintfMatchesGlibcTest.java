package io.mallocscope.runtime;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our printf against the real one, line for line. The cases below are written out as a C header
 * (target/printf/printf_cases.h) that src/test/c/printf/printf_table.c includes; gcc compiles it,
 * glibc's printf prints every case followed by {@code |} and its return value, and our
 * {@link Printf} must print the same bytes for the same arguments.
 */
class PrintfMatchesGlibcTest {

    /** One argument, as C source (with its C type) and as the Java value a program would pass. */
    record Arg(String c, Object java) {
    }

    record Case(String format, Arg... args) {
    }

    static Arg i(int v) {
        return new Arg("(int)" + (v == Integer.MIN_VALUE ? "(-2147483647 - 1)" : "(" + v + ")"), v);
    }

    static Arg u(long v) {
        return new Arg("(unsigned int)" + Long.toUnsignedString(v & 0xffffffffL) + "u", (int) v);
    }

    static Arg l(long v) {
        return new Arg("(long)" + (v == Long.MIN_VALUE ? "(-9223372036854775807L - 1)" : "(" + v + "L)"), v);
    }

    static Arg ul(long v) {
        return new Arg("(unsigned long)0x" + Long.toHexString(v) + "UL", v);
    }

    static Arg ll(long v) {
        return new Arg("(long long)" + (v == Long.MIN_VALUE ? "(-9223372036854775807LL - 1)" : "(" + v + "LL)"), v);
    }

    static Arg z(long v) {
        return new Arg("(size_t)0x" + Long.toHexString(v) + "UL", v);
    }

    static Arg p(long v) {
        return new Arg("(void *)0x" + Long.toHexString(v) + "UL", v);
    }

    static Arg s(String v) {
        return v == null ? new Arg("(char *)0", null) : new Arg(cLiteral(v), v);
    }

    static Arg c(char v) {
        return new Arg("(int)" + (int) v, (int) v);
    }

    static Case f(String format, Arg... args) {
        return new Case(format, args);
    }

    static final long HEAP = 0x5555555592a0L;
    static final long STACK = 0x7fffffffe3d0L;

    static final List<Case> CASES = List.of(
            f("plain text"),
            f("100%%"),
            f("%d", i(0)), f("%d", i(42)), f("%d", i(-42)), f("%d", i(Integer.MAX_VALUE)), f("%d", i(Integer.MIN_VALUE)),
            f("%i", i(-7)),
            f("[%5d]", i(42)), f("[%-5d]", i(42)), f("[%05d]", i(42)), f("[%05d]", i(-42)), f("[%+d]", i(42)),
            f("[%+d]", i(-42)), f("[% d]", i(42)), f("[% d]", i(-42)), f("[%+ d]", i(5)), f("[%+05d]", i(42)),
            f("[%-05d]", i(42)), f("[%.3d]", i(7)), f("[%.3d]", i(-7)), f("[%8.3d]", i(-7)), f("[%-8.3d]", i(7)),
            f("[%08.3d]", i(7)), f("[%.0d]", i(0)), f("[%5.0d]", i(0)), f("[%+.0d]", i(0)), f("[%.0d]", i(3)),
            f("[%*d]", i(6), i(42)), f("[%*d]", i(-6), i(42)), f("[%-*d]", i(6), i(42)), f("[%.*d]", i(4), i(42)),
            f("[%.*d]", i(-1), i(42)), f("[%*.*d]", i(8), i(5), i(-42)),
            f("%u", u(0)), f("%u", u(4294967295L)), f("%u", u(-1)), f("[%10u]", u(3000000000L)), f("[%-10u]", u(17)),
            f("%ld", l(Long.MAX_VALUE)), f("%ld", l(Long.MIN_VALUE)), f("%ld", l(-1)), f("[%20ld]", l(-123456789012L)),
            f("%lu", ul(-1L)), f("%lu", ul(0)), f("[%-22lu]", ul(0x8000000000000000L)),
            f("%lld", ll(Long.MIN_VALUE)), f("%lld", ll(1234567890123L)), f("%llu", new Arg("(unsigned long long)-1", -1L)),
            f("%llx", new Arg("(unsigned long long)0xdeadbeefcafeULL", 0xdeadbeefcafeL)),
            f("%zu", z(0)), f("%zu", z(0x20d51)), f("%zu", z(-1L)), f("[%8zu]", z(1040)), f("%zx", z(0x411)),
            f("%#zx", z(0x21)), f("[%-8zx]", z(0x290)), f("%zd", new Arg("(ssize_t)-16", -16L)),
            f("%x", u(255)), f("%x", u(0)), f("%X", u(0xabcdef)), f("%#x", u(255)), f("%#x", u(0)), f("%#X", u(255)),
            f("[%08x]", u(0xbeef)), f("[%#08x]", u(0xbeef)), f("[%-#10x]", u(0xbeef)), f("[%.4x]", u(0xf)),
            f("[%#.4x]", u(0xf)), f("[%#10.4x]", u(0xf)), f("%x", u(-1)), f("[%.0x]", u(0)), f("[%#.0x]", u(0)),
            f("%lx", ul(0x7ffff7dd0000L)), f("%#lx", ul(0x20d51)), f("[%016lx]", ul(HEAP)), f("[%#018lx]", ul(HEAP)),
            f("%lx", ul(-1L)), f("%lX", ul(0xfedcba9876543210L)),
            f("%p", p(HEAP)), f("%p", p(STACK)), f("%p", p(0)), f("[%20p]", p(HEAP)), f("[%-20p]", p(HEAP)),
            f("[%10p]", p(0)), f("[%-10p]", p(0)), f("%p", p(0x10)), f("%p", p(-1L)), f("[%+p]", p(HEAP)),
            f("[% p]", p(HEAP)),
            f("%s", s("hello")), f("[%10s]", s("hello")), f("[%-10s]", s("hello")), f("[%.3s]", s("hello")),
            f("[%10.3s]", s("hello")), f("[%-10.3s]", s("hello")), f("[%.0s]", s("hello")), f("[%s]", s("")),
            f("[%5s]", s("")), f("%s", s(null)), f("[%10s]", s(null)), f("[%.3s]", s(null)), f("[%.6s]", s(null)),
            f("[%*s]", i(8), s("ab")), f("[%-*s]", i(8), s("ab")), f("[%.*s]", i(2), s("abc")),
            f("[%-6s]", s("\u00e9t\u00e9")), f("[%6s]", s("\u00e9")), f("[%.1s]", s("\u00e9")),
            f("%c", c('A')), f("[%5c]", c('x')), f("[%-5c]", c('x')), f("%c%c%c", c('a'), c('b'), c('c')),
            f("%c", new Arg("(int)0x141", 0x141)),
            f("%hhd", i(300)), f("%hhd", i(-129)), f("%hhu", i(-1)), f("%hd", i(70000)), f("%hu", i(-1)),
            f("%hx", i(0x12345)), f("%hhx", i(0x1ff)),
            f("%o", u(8)), f("%#o", u(8)), f("%#o", u(0)), f("[%#.3o]", u(8)), f("%lo", ul(-1L)),
            f("chunk at %p, size %#lx, prev_inuse %d (%s)%%", p(HEAP - 0x10), ul(0x291), i(1), s("tcache")),
            f("%s:%d: %s%c", s("file.c"), i(12), s("msg"), c('!')),
            f("%-16s%#018lx %5zu%%", s("main_arena.top"), ul(0x555555559ae0L), z(7))
    );

    @Test
    void everyCaseMatchesGlibcByteForByte() throws Exception {
        Path dir = Paths.get("target", "printf");
        Files.createDirectories(dir);
        Path binary = dir.resolve("printf_table");
        Assumptions.assumeTrue(gccAvailable(),
                "gcc is not installed: skipping the comparison of our printf with glibc's");
        Files.writeString(dir.resolve("printf_cases.h"), header(), StandardCharsets.UTF_8);
        run(List.of("gcc", "-w", "-fno-builtin", "-O0", "-I", dir.toString(),
                "src/test/c/printf/printf_table.c", "-o", binary.toString()));
        byte[] real = run(List.of(binary.toAbsolutePath().toString()));

        byte[] ours = ours();
        List<String> realLines = lines(real);
        List<String> ourLines = lines(ours);
        assertThat(realLines).hasSize(CASES.size());
        for (int k = 0; k < CASES.size(); k++) {
            assertThat(ourLines.get(k)).as("printf(\"%s\", …) — case %d", CASES.get(k).format(), k)
                    .isEqualTo(realLines.get(k));
        }
        assertThat(ours).isEqualTo(real);
    }

    /** Our side: each case formatted by Printf, then "|" and the byte count, one per line. */
    static byte[] ours() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Case c : CASES) {
            Object[] args = new Object[c.args().length];
            for (int k = 0; k < args.length; k++) {
                args[k] = c.args()[k].java();
            }
            byte[] text = Printf.format(c.format(), args, (a, max) -> {
                throw new AssertionError("no C strings in memory here");
            });
            out.writeBytes(text);
            out.writeBytes(("|" + text.length + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    static String header() {
        StringBuilder sb = new StringBuilder("/* generated by PrintfMatchesGlibcTest: one CASE per line */\n");
        for (Case c : CASES) {
            sb.append("CASE(").append(cLiteral(c.format()));
            for (Arg a : c.args()) {
                sb.append(", ").append(a.c());
            }
            sb.append(");\n");
        }
        return sb.toString();
    }

    /** A C string literal holding the UTF-8 bytes of {@code s}; non-ASCII as 3-digit octal escapes. */
    static String cLiteral(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int v = b & 0xff;
            if (v == '"' || v == '\\') {
                sb.append('\\').append((char) v);
            } else if (v < 0x20 || v >= 0x7f) {
                sb.append(String.format("\\%03o", v));
            } else {
                sb.append((char) v);
            }
        }
        return sb.append('"').toString();
    }

    private static List<String> lines(byte[] bytes) {
        // ISO-8859-1 keeps every byte as one char, so a difference in encoding shows up as a difference
        return List.of(new String(bytes, StandardCharsets.ISO_8859_1).split("\n", -1)).subList(0,
                (int) new String(bytes, StandardCharsets.ISO_8859_1).chars().filter(ch -> ch == '\n').count());
    }

    private static boolean gccAvailable() {
        try {
            Process p = new ProcessBuilder("gcc", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static byte[] run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        assertThat(p.exitValue()).as("exit status of %s", command).isZero();
        return out;
    }
}
