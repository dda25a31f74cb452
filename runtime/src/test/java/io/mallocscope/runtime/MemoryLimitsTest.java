package io.mallocscope.runtime;

import io.mallocscope.runtime.signal.OutOfMemoryKill;
import io.mallocscope.runtime.trace.OffsetsReplay;
import io.mallocscope.runtime.trace.Trace;
import io.mallocscope.runtime.vm.AddressSpace;
import io.mallocscope.runtime.vm.Layout;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The limits a real machine has: a program that writes to more memory than the simulated machine
 * has is killed as Linux's OOM killer kills it (SIGKILL, status 137, "Killed"), never by the JVM
 * running out of heap; memory that is mapped but never written costs nothing.
 */
class MemoryLimitsTest {
    private static final long MIB = 1L << 20;
    private static final ProcessOptions SMALL = ProcessOptions.defaults().withPhysicalMemory(8 * MIB);

    private static void assertKilled(CProcess.Captured run, String program) {
        assertThat(run.status().code()).isEqualTo(137);
        assertThat(run.status().signal()).isInstanceOf(OutOfMemoryKill.class);
        String[] err = run.stderr().split("\n");
        assertThat(err[err.length - 1]).isEqualTo("Killed");
        assertThat(err[err.length - 2]).matches("Out of memory: Killed process \\(" + program
                + "\\) total-vm:\\d+kB, anon-rss:8192kB \\(the simulated machine's 8 MiB of physical memory are used up\\)");
    }

    @Test
    void memsetOf64GiBIsKilledByTheOomKiller() {
        CProcess.Captured run = CProcess.runCaptured(SMALL.withProgramName("hog"), (c, argv) -> {
            long p = c.malloc(64L << 30);
            c.printf("%s\n", p == 0 ? "NULL" : "mapped");
            c.fflush(LibC.STDOUT); // the OOM killer's SIGKILL flushes no stdio
            c.memset(p, 'A', 64L << 30);
            return 0;
        });
        assertThat(run.stdout()).isEqualTo("mapped\n");
        assertKilled(run, "hog");
    }

    @Test
    void mallocUntilNullIsKilledOnceItsHeadersFillTheMemory() {
        CProcess.Captured run = CProcess.runCaptured(SMALL, (c, argv) -> {
            long n = 0;
            while (c.malloc(200_000) != 0) {
                n++;
            }
            return 0;
        });
        assertKilled(run, "a.out");
        // each mmapped chunk touches one page (its header): about 8 MiB / 4 KiB of them fit
        assertThat(run.process().memory().residentPages()).isEqualTo((int) (8 * MIB / AddressSpace.PAGE_SIZE));
    }

    @Test
    void untouchedMappingsCostNothing() {
        CProcess.Captured run = CProcess.runCaptured(SMALL, (c, argv) -> {
            for (int i = 0; i < 1000; i++) {
                if (c.malloc(1L << 30) == 0) {
                    return 1;
                }
            }
            return 0;
        });
        assertThat(run.status().code()).isZero();
        assertThat(run.process().memory().mappedTotal()).isGreaterThan(1000L << 30);
        assertThat(run.process().memory().residentPages()).isLessThan(1100);
    }

    /** mmap disabled (M_MMAP_MAX 0), then a block grown by realloc through brk and written. */
    @Test
    void aTraceThatGrowsTheHeapPastTheMemoryIsKilled() {
        StringBuilder t = new StringBuilder("o -4 0\na 0 100\n");
        for (int i = 1; i <= 64; i++) {
            t.append("r 0 ").append(i * MIB).append('\n').append("c ").append(i).append(" 65536\n");
        }
        Trace trace = Trace.parse("grow.rep", t.toString());
        ProcessOptions o = SMALL.withStdout(OutputStream.nullOutputStream()).withStderr(OutputStream.nullOutputStream());
        StringBuilder out = new StringBuilder();
        assertThatThrownBy(() -> OffsetsReplay.run(trace, o, out)).isInstanceOf(OutOfMemoryKill.class)
                .hasMessageStartingWith("Out of memory: total-vm:");
        assertThat(out.toString()).startsWith("o 1\na 0 H+0x2a0 0x71\nr 0 H+0x2a0 0x100011\n");
    }

    @Test
    void theDefaultIsHalfTheJvmsMaximumHeap() {
        long max = Runtime.getRuntime().maxMemory();
        assertThat(ProcessOptions.defaults().physicalMemory()).isEqualTo((max / 2) & ~(AddressSpace.PAGE_SIZE - 1));
        assertThat(CProcess.create().memory().physicalMemory()).isEqualTo(ProcessOptions.defaults().physicalMemory());
    }

    @Test
    void thePropertySetsTheDefault() {
        String old = System.getProperty("mallocscope.memory");
        try {
            System.setProperty("mallocscope.memory", "64m");
            assertThat(ProcessOptions.defaults().physicalMemory()).isEqualTo(64 * MIB);
            System.setProperty("mallocscope.memory", "2g");
            assertThat(ProcessOptions.defaults().physicalMemory()).isEqualTo(2048 * MIB);
            System.setProperty("mallocscope.memory", "lots");
            assertThatThrownBy(ProcessOptions::defaults).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("mallocscope.memory=lots: expected a size such as 512m or 2g");
        } finally {
            if (old == null) {
                System.clearProperty("mallocscope.memory");
            } else {
                System.setProperty("mallocscope.memory", old);
            }
        }
    }

    @Test
    void maxMapCountComesFromTheOptions() {
        CProcess p = CProcess.create(ProcessOptions.defaults().withMaxMapCount(3));
        assertThat(p.kernel().maxMapCount()).isEqualTo(3);
        assertThat(p.libc().malloc(16)).as("more than 3 mappings already: no heap can be made").isZero();
    }

    /**
     * With the mappings used up, mmap and brk both refuse (as max_map_count.c shows on Linux), so
     * sysmalloc's mmap, its brk fallback and its mmap-as-morecore fallback all fail: NULL, ENOMEM,
     * as real glibc returns (measured: malloc(200000) is NULL there). What the top chunk holds is
     * still handed out.
     */
    @Test
    void withTheMappingsUsedUpLargeRequestsFailAndTheTopStillServes() {
        CProcess p = CProcess.create(ProcessOptions.defaults());
        LibC c = p.libc();
        long first = c.malloc(100);
        p.kernel().setMaxMapCount(p.memory().mapCount() - 1);
        assertThat(c.malloc(200_000)).isZero();
        assertThat(c.errno()).isEqualTo(io.mallocscope.runtime.vm.Kernel.ENOMEM);
        assertThat(c.malloc(100)).isEqualTo(first + 0x70);
    }
}
