package io.mallocscope.c;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * libc-functions.txt against the shipped headers and against gcc: every library function a header
 * declares has an address, and a program printing them all prints, run by the C front end, what it
 * prints natively. Its output (with the base 0x7ffff7dd5000 subtracted) is how the table was made.
 */
class LibcFunctionsTest {
    private static final Path INCLUDE = Path.of("src/main/resources/io/mallocscope/c/include");
    /** The CPU features glibc 2.36's resolvers looked at when they chose the table's ifunc entries. */
    private static final List<String> TABLE_CPU = List.of("avx2", "avx512f", "avx512vl", "avx512bw", "bmi2", "erms", "fsrm");

    @TempDir
    Path dir;

    @Test
    void everyFunctionAShippedHeaderDeclaresHasAnAddress() throws IOException {
        Set<String> declared = declared();

        assertThat(declared).contains("printf", "malloc", "memcpy", "pthread_create", "mmap", "open");
        declared.remove("atexit"); // in the program's own text (libc_nonshared.a), and refused by the front end
        Set<String> missing = new TreeSet<>(declared);
        missing.removeAll(LibcFunctions.names());
        assertThat(missing).as("functions the shipped headers declare without an address in libc-functions.txt").isEmpty();
        assertThat(LibcFunctions.offset("puts")).isEqualTo(0x77980);
        assertThat(LibcFunctions.ifunc("strlen")).isTrue();
        assertThat(LibcFunctions.ifunc("puts")).isFalse();
        assertThat(LibcFunctions.offset("no_such_function")).isEqualTo(-1);
    }

    @Test
    void addressesOfFunctionsGlibcDoesNotPickByTheCpuAreNativeOnes() throws Exception {
        String why = NativeRun.unavailable();
        Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
        Set<String> names = declared().stream().filter(n -> !LibcFunctions.ifunc(n) && !n.equals("atexit")).collect(Collectors.toCollection(TreeSet::new));
        assertThat(names).hasSizeGreaterThan(100);

        Differential.check(program("fixed_addresses", names), dir);
    }

    @Test
    void addressesOfStringFunctionsAreTheOnesGlibcPicksOnTheTablesCpu() throws Exception {
        String why = NativeRun.unavailable();
        Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
        String flags = cpuFlags();
        List<String> missing = TABLE_CPU.stream().filter(f -> !(" " + flags + " ").contains(" " + f + " ")).toList();
        Assumptions.assumeTrue(missing.isEmpty(), () -> "skipped: this CPU lacks " + missing
                + ", so glibc picks other string functions than libc-functions.txt records");
        Assumptions.assumeTrue(io.mallocscope.runtime.vm.KernelLayout.detect() == io.mallocscope.runtime.vm.KernelLayout.VVAR_VCLOCK,
                "skipped: time() resolves into the kernel's vDSO, which libc-functions.txt records for a kernel with [vvar_vclock]");
        Set<String> names = declared().stream().filter(LibcFunctions::ifunc).collect(Collectors.toCollection(TreeSet::new));
        assertThat(names).contains("memcpy", "strlen", "strcmp");

        Differential.check(program("ifunc_addresses", names), dir);
    }

    /** The functions the shipped headers declare, as the front end reads them. */
    private static Set<String> declared() throws IOException {
        Program p = CFront.compile("all.c", includes() + "int main(void) { return 0; }\n").program();
        return p.functions.values().stream().filter(f -> f.body == null).map(f -> f.name)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static String includes() throws IOException {
        try (Stream<Path> s = Files.walk(INCLUDE)) {
            return s.filter(p -> p.toString().endsWith(".h") && !p.getFileName().toString().startsWith("_"))
                    .map(p -> INCLUDE.relativize(p).toString().replace('\\', '/')).sorted()
                    .map(h -> "#include <" + h + ">\n").collect(Collectors.joining());
        }
    }

    private Path program(String name, Set<String> functions) throws IOException {
        StringBuilder c = new StringBuilder("#define _GNU_SOURCE\n").append(includes()).append("int main(void) {\n");
        for (String f : functions) {
            c.append("    printf(\"%s %p\\n\", \"").append(f).append("\", (void *) ").append(f).append(");\n");
        }
        c.append("    return 0;\n}\n");
        Path file = dir.resolve("src").resolve(name + ".c");
        Files.createDirectories(file.getParent());
        Files.writeString(file, c);
        return file;
    }

    private static String cpuFlags() throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return "";
        }
        return Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("flags")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("");
    }
}
