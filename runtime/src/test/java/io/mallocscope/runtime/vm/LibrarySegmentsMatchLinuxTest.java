package io.mallocscope.runtime.vm;

import io.mallocscope.runtime.glibc.CPrograms;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * #12: libc.so.6's and ld-linux-x86-64.so.2's segments are file mappings at the file offsets the real
 * loader maps them from. A C program compiled here prints its own {@code /proc/self/maps} under
 * {@code setarch -R} (ASLR off, as the simulation's layout assumes); its library lines are compared
 * with the simulated process's. Device and inode are the host's and are not compared (the simulation's
 * are documented values, see {@link Layout#IMAGE_DEVICE}).
 */
class LibrarySegmentsMatchLinuxTest {
    private static List<String> real;
    /** Why the real side cannot be had here, or null. */
    private static String noReal;

    /**
     * Runs the C program once; where it cannot run (no gcc, no setarch, another glibc) the reason is kept and the
     * tests that need it skip with it: a skip here would drop the whole class from the report without a word.
     */
    @BeforeAll
    static void runTheCProgram() {
        try {
            Path bin = CPrograms.compile("src/test/c/maps/self_maps.c", "maps", "self_maps");
            try {
                new ProcessBuilder("setarch", "--help").redirectErrorStream(true).start().waitFor();
            } catch (IOException e) {
                Assumptions.abort("setarch is not installed (util-linux): " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            CPrograms.Run run = CPrograms.run(List.of("setarch", "-R", bin.toAbsolutePath().toString()));
            Assumptions.assumeTrue(run.status() == 0, "setarch -R cannot turn address randomisation off here: "
                    + run.err().strip());
            List<String> lines = run.out().lines().toList();
            Assumptions.assumeTrue(lines.get(0).equals("glibc 2.36"),
                    "the offsets are Debian 12's glibc 2.36; this machine has " + lines.get(0));
            real = lines.subList(1, lines.size());
        } catch (TestAbortedException e) {
            noReal = e.getMessage();
        }
    }

    private static List<String> real() {
        Assumptions.assumeTrue(noReal == null, noReal);
        return real;
    }

    /** The library lines of a maps text without device and inode: range, permissions, offset, path. */
    private static List<String> libraryLines(List<String> maps, boolean withRange) {
        return maps.stream().filter(l -> l.endsWith("/libc.so.6") || l.endsWith("/ld-linux-x86-64.so.2")).map(l -> {
            String[] f = l.trim().split("\\s+");
            return (withRange ? f[0] + " " : "") + f[1] + " " + f[2] + " " + f[5];
        }).toList();
    }

    private static List<String> simulated(KernelLayout layout) {
        AddressSpace as = new AddressSpace();
        new Kernel(as, "self_maps", layout);
        return as.maps().lines().toList();
    }

    @Test
    void underEveryLayoutEachSegmentMapsTheRealFileOffset() {
        List<String> want = libraryLines(real(), false);
        assertThat(want).as("the real process maps libc and ld.so in five segments each").hasSize(10)
                .contains("r-xp 00026000 /usr/lib/x86_64-linux-gnu/libc.so.6",
                        "rw-p 00033000 /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
        for (KernelLayout layout : KernelLayout.values()) {
            assertThat(libraryLines(simulated(layout), false)).as(layout.name()).isEqualTo(want);
        }
    }

    @Test
    void underThisKernelsLayoutTheRangesAreTheRealOnesToo() {
        KernelLayout here = KernelLayout.detect();
        Assumptions.assumeTrue(here == KernelLayout.VVAR_VCLOCK, "this kernel has no [vvar_vclock]: the "
                + "CLASSIC layout's ranges are the ones recorded first, not this machine's (only offsets compared)");
        assertThat(libraryLines(simulated(here), true)).isEqualTo(libraryLines(real(), true));
    }

    @Test
    void theSimulatedLinesHaveTheKernelsColumnsWithDocumentedDeviceAndInode() {
        String libc = simulated(KernelLayout.CLASSIC).stream().filter(l -> l.startsWith("7ffff7df9000")).findFirst()
                .orElseThrow();
        assertThat(libc).isEqualTo("7ffff7df9000-7ffff7f4e000 r-xp 00026000 08:01 5531592"
                + " ".repeat(20) + "/usr/lib/x86_64-linux-gnu/libc.so.6");
        // the real line has the same shape: the path starts in column 74
        String realLibc = real().stream().filter(l -> l.contains(" r-xp ") && l.endsWith("/libc.so.6")).findFirst()
                .orElseThrow();
        assertThat(realLibc.indexOf('/')).isEqualTo(libc.indexOf('/')).isEqualTo(73);
    }
}
