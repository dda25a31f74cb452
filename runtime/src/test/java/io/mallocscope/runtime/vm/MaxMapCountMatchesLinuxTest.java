package io.mallocscope.runtime.vm;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.mallocscope.runtime.vm.AddressSpace.PAGE_SIZE;
import static io.mallocscope.runtime.vm.AddressSpace.PROT_EXEC;
import static io.mallocscope.runtime.vm.AddressSpace.PROT_NONE;
import static io.mallocscope.runtime.vm.AddressSpace.PROT_READ;
import static io.mallocscope.runtime.vm.AddressSpace.PROT_WRITE;
import static io.mallocscope.runtime.vm.Kernel.MAP_ANONYMOUS;
import static io.mallocscope.runtime.vm.Kernel.MAP_FAILED;
import static io.mallocscope.runtime.vm.Kernel.MAP_PRIVATE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * vm.max_map_count as this machine's kernel applies it: {@code src/test/c/limits/max_map_count.c}
 * maps pages until mmap fails, then tries brk, munmap and mprotect around the limit and prints each
 * outcome with the mapping count relative to the limit; the same steps on our kernel print the same.
 */
class MaxMapCountMatchesLinuxTest {
    private static final int ANON = MAP_PRIVATE | MAP_ANONYMOUS;

    /** What the C program prints, with our kernel and the given limit. */
    static List<String> simulated(int max) {
        AddressSpace as = new AddressSpace();
        Kernel k = new Kernel(as, "max_map_count");
        k.setMaxMapCount(max);
        List<String> out = new ArrayList<>();
        Say say = (step, failed) -> out.add(step + ": " + (failed ? "Cannot allocate memory" : "ok")
                + ", count-max=" + (as.mapCount() - max));
        out.add("start: ok, count-max=" + (as.mapCount() - max));
        k.sbrk(PAGE_SIZE);
        long target = k.mmap(0, 5 * PAGE_SIZE, PROT_READ | PROT_EXEC, ANON, -1, 0);
        long[] single = new long[4];
        for (long i = 0; ; i++) {
            long p = k.mmap(0, PAGE_SIZE, (i & 1) != 0 ? PROT_READ : PROT_READ | PROT_WRITE, ANON, -1, 0);
            if (p == MAP_FAILED) {
                say.say("mmap until it fails", true);
                break;
            }
            single[(int) (i & 3)] = p;
        }
        say.say("sbrk growing the heap", k.sbrk(PAGE_SIZE) == -1);
        say.say("munmap a whole mapping", k.munmap(single[0], PAGE_SIZE) != 0);
        say.say("sbrk growing the heap", k.sbrk(PAGE_SIZE) == -1);
        say.say("mprotect splitting a mapping", k.mprotect(target + PAGE_SIZE, PAGE_SIZE, PROT_NONE) != 0);
        say.say("munmap punching a hole", k.munmap(target + 2 * PAGE_SIZE, PAGE_SIZE) != 0);
        say.say("munmap the first page of a mapping", k.munmap(target, PAGE_SIZE) != 0);
        long p = k.mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC, ANON, -1, 0);
        say.say("mmap one more", p == MAP_FAILED);
        say.say("munmap a whole mapping", k.munmap(p, PAGE_SIZE) != 0);
        say.say("munmap a whole mapping", k.munmap(single[1], PAGE_SIZE) != 0);
        say.say("mprotect splitting a mapping", k.mprotect(target + PAGE_SIZE, PAGE_SIZE, PROT_NONE) != 0);
        say.say("munmap punching a hole", k.munmap(target + 3 * PAGE_SIZE, PAGE_SIZE) != 0);
        say.say("munmap a whole mapping", k.munmap(single[2], PAGE_SIZE) != 0);
        say.say("munmap punching a hole", k.munmap(target + 3 * PAGE_SIZE, PAGE_SIZE) != 0);
        return out;
    }

    @FunctionalInterface
    interface Say {
        void say(String step, boolean failed);
    }

    /** The rules hold for any limit: a small one runs in no time, without gcc. */
    @Test
    void theLimitsRulesWithASmallLimit() {
        List<String> lines = simulated(200);
        assertThat(lines.subList(1, lines.size())).containsExactly(
                "mmap until it fails: Cannot allocate memory, count-max=1",
                "sbrk growing the heap: Cannot allocate memory, count-max=1",
                "munmap a whole mapping: ok, count-max=0",
                "sbrk growing the heap: ok, count-max=0",
                "mprotect splitting a mapping: Cannot allocate memory, count-max=0",
                "munmap punching a hole: Cannot allocate memory, count-max=0",
                "munmap the first page of a mapping: ok, count-max=0",
                "mmap one more: ok, count-max=1",
                "munmap a whole mapping: ok, count-max=0",
                "munmap a whole mapping: ok, count-max=-1",
                "mprotect splitting a mapping: ok, count-max=0",
                "munmap punching a hole: Cannot allocate memory, count-max=0",
                "munmap a whole mapping: ok, count-max=-1",
                "munmap punching a hole: ok, count-max=0");
    }

    @Test
    void matchesThisMachinesKernel(@TempDir Path dir) throws Exception {
        Path limitFile = Path.of("/proc/sys/vm/max_map_count");
        Assumptions.assumeTrue(Files.isReadable(limitFile), "no /proc/sys/vm/max_map_count: not Linux");
        int max;
        try (var in = Files.newInputStream(limitFile)) { // a /proc file says size 0: read it to the end
            max = Integer.parseInt(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        }
        Assumptions.assumeTrue(max <= 1_000_000, "vm.max_map_count is " + max + ": too many mappings to make here");
        Path exe = dir.resolve("max_map_count");
        Assumptions.assumeTrue(run(dir, "gcc", "-O1", "-o", exe.toString(),
                Path.of("src/test/c/limits/max_map_count.c").toAbsolutePath().toString()) != null,
                "gcc is not installed: skipping the comparison with the kernel's vm.max_map_count");
        List<String> real = run(dir, exe.toString());
        assertThat(real).as("the C program ran").isNotNull();
        List<String> ours = simulated(max);
        // the two processes start with different numbers of mappings; every later line must agree
        assertThat(ours.subList(1, ours.size())).containsExactlyElementsOf(real.subList(1, real.size()));
    }

    /** The command's stdout lines, or null when it cannot be run or fails. */
    private static List<String> run(Path dir, String... cmd) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            return out.lines().toList();
        } catch (IOException e) {
            return null;
        }
    }
}
