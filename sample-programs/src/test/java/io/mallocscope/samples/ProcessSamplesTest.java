package io.mallocscope.samples;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.vm.Layout;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.mallocscope.samples.SampleRun.runExpectingDeclaredStatus;
import static io.mallocscope.samples.SampleRun.assertMatchesGlibc;
import static org.assertj.core.api.Assertions.assertThat;

class ProcessSamplesTest {

    @Test
    void memoryLayoutPutsEachKindOfMemoryInItsRegion() {
        CProcess.Captured r = runExpectingDeclaredStatus(MemoryLayout.class);
        long text = address(r.stdout(), ".text  main");
        long data = address(r.stdout(), ".data  greeting");
        long bss = address(r.stdout(), ".bss   counter");
        long heap = address(r.stdout(), "heap   malloc(16)");
        long mmap = address(r.stdout(), "mmap   malloc(1MiB)");
        long stack = address(r.stdout(), "stack  char buf[32]");

        assertThat(text).isBetween(Layout.TEXT_START, Layout.RODATA_START - 1);
        assertThat(data).isBetween(Layout.DATA_START, Layout.BSS_START - 1);
        assertThat(bss).isBetween(Layout.BSS_START, Layout.BSS_END - 1);
        assertThat(heap).isEqualTo(Layout.INITIAL_BRK + 0x2a0);
        assertThat(mmap & 0xfff).isEqualTo(0x10);
        assertThat(mmap).isGreaterThan(heap + 0x21000).isLessThan(Layout.LIBC_BASE);
        assertThat(stack).isBetween(Layout.STACK_START, Layout.STACK_TOP_OF_MAIN - 32);
        assertThat(r.stdout())
                .contains("initial break       0x555555559000\n")
                .contains("break after it      0x55555557a000  (break+0x21000)\n")
                .contains("(chunk size word 0x101002)")
                .contains("(unchanged: yes)");
    }

    @Test
    void brkAndSbrkMatchGlibc() {
        assertMatchesGlibc(runExpectingDeclaredStatus(BrkAndSbrk.class).stdout(), "brk-and-sbrk");
    }

    @Test
    void mmapPlacesMappingsTopDownAndMunmapFreesTheHole() {
        String out = runExpectingDeclaredStatus(MmapAndMunmap.class).stdout();
        long first = address(out, "mmap(0x3000) =");
        long second = address(out, "mmap(100)    =");
        assertThat(first).isEqualTo(Layout.LIBC_ANON_START - 0x3000);
        assertThat(second).isEqualTo(first - 0x1000);
        assertThat(out)
                .contains("(one page, 0x1000 below the first)")
                .contains("fresh memory reads 0x0\n")
                .contains("wrote: kept in a private mapping\n")
                .contains("munmap(first) = 0\n")
                .contains("mmap(MAP_FIXED at the old address) = 0x" + Long.toHexString(first) + ", first byte now 0\n");
    }

    static long address(String out, String label) {
        Matcher m = Pattern.compile(Pattern.quote(label) + "\\s*(0x[0-9a-f]+)").matcher(out);
        assertThat(m.find()).as("'%s' in:%n%s", label, out).isTrue();
        return Long.parseUnsignedLong(m.group(1).substring(2), 16);
    }
}
