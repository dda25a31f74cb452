package io.mallocscope.runtime.vm;

import io.mallocscope.runtime.signal.Segfault;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.mallocscope.runtime.vm.AddressSpace.PROT_EXEC;
import static io.mallocscope.runtime.vm.AddressSpace.PROT_NONE;
import static io.mallocscope.runtime.vm.AddressSpace.PROT_READ;
import static io.mallocscope.runtime.vm.AddressSpace.PROT_WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddressSpaceTest {
    private final AddressSpace as = new AddressSpace();

    @Test
    void untouchedPagesReadAsZeroAndCostNothing() {
        as.map(0x10000000L, 0x10000000L + (1L << 40), PROT_READ | PROT_WRITE, "");
        assertThat(as.read64(0x10000000L + (1L << 39))).isZero();
        as.write8(0x10000000L + (1L << 39) + 5, 0x41);
        assertThat(as.residentPages()).isEqualTo(1);
        assertThat(as.read64(0x10000000L + (1L << 39))).isEqualTo(0x41L << 40);
    }

    @Test
    void littleEndianAcrossPageBoundary() {
        as.map(0x1000, 0x3000, PROT_READ | PROT_WRITE, "");
        as.write64(0x1ffc, 0x1122334455667788L);
        assertThat(as.read32(0x1ffc)).isEqualTo(0x55667788);
        assertThat(as.read32(0x2000)).isEqualTo(0x11223344);
        assertThat(as.read16(0x1fff)).isEqualTo(0x4455);
        assertThat(as.read8(0x2003)).isEqualTo(0x11);
        assertThat(as.read64(0x1ffc)).isEqualTo(0x1122334455667788L);
    }

    @Test
    void unmappedAccessFaultsWithAddressAndReason() {
        assertThatThrownBy(() -> as.read64(0x4000))
                .isInstanceOf(Segfault.class)
                .hasMessage("SIGSEGV: invalid read of 8 bytes at 0x4000 (address not mapped (null pointer dereference?))");
        assertThatThrownBy(() -> as.write32(0xffff800000001000L, 1))
                .isInstanceOf(Segfault.class)
                .hasMessageContaining("kernel address");
        assertThatThrownBy(() -> as.read8(0x0000900000000000L))
                .isInstanceOf(Segfault.class)
                .hasMessageContaining("non-canonical address");
    }

    @Test
    void writeToReadOnlyPageFaults() {
        as.map(0x7000, 0x8000, PROT_READ, "/bin/x");
        assertThat(as.read64(0x7000)).isZero();
        assertThatThrownBy(() -> as.write8(0x7001, 1))
                .isInstanceOfSatisfying(Segfault.class, s -> {
                    assertThat(s.address()).isEqualTo(0x7001);
                    assertThat(s.isWrite()).isTrue();
                    assertThat(s.reason()).isEqualTo("page not writable: r--p /bin/x");
                });
    }

    @Test
    void faultOnSecondPageOfStraddlingWriteChangesNothing() {
        as.map(0x1000, 0x2000, PROT_READ | PROT_WRITE, "");
        assertThatThrownBy(() -> as.write64(0x1ffc, -1L)).isInstanceOf(Segfault.class)
                .extracting(e -> ((Segfault) e).address()).isEqualTo(0x2000L);
        assertThat(as.read32(0x1ffc)).isZero();
    }

    @Test
    void mapsListsRegionsLikeProc() {
        as.map(0x555555559000L, 0x55555557a000L, PROT_READ | PROT_WRITE, "[heap]");
        assertThat(as.maps()).isEqualTo(
                "555555559000-55555557a000 rw-p 00000000 00:00 0                          [heap]\n");
    }

    @Test
    void adjacentAnonymousMappingsMergeAndUnmapPunchesHoles() {
        as.map(0x10000, 0x12000, PROT_READ | PROT_WRITE, "");
        as.map(0x12000, 0x14000, PROT_READ | PROT_WRITE, "");
        assertThat(as.regions()).hasSize(1);
        as.write8(0x12000, 7);
        as.unmap(0x11000, 0x13000);
        assertThat(as.regions()).extracting(Region::start, Region::end)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0x10000L, 0x11000L),
                        org.assertj.core.groups.Tuple.tuple(0x13000L, 0x14000L));
        as.map(0x11000, 0x13000, PROT_READ | PROT_WRITE, "");
        assertThat(as.read8(0x12000)).as("a remapped page is fresh").isZero();
    }

    @Test
    void findFreeTopDownTakesHighestGap() {
        as.map(0x7000000, 0x8000000, PROT_READ, "x");
        as.map(0x6000000, 0x6ff0000, PROT_READ, "y");
        assertThat(as.findFreeTopDown(0x10000, 0x10000, 0x8000000)).isEqualTo(0x6ff0000L);
        assertThat(as.findFreeTopDown(0x20000, 0x10000, 0x8000000)).isEqualTo(0x5fe0000L);
    }

    @Test
    void theLastPageBelowTheCanonicalHoleIsUnmappedNotNonCanonical() {
        assertThatThrownBy(() -> as.read8(AddressSpace.USER_END + 8)).isInstanceOfSatisfying(Segfault.class,
                s -> assertThat(s.reason()).isEqualTo("address not mapped"));
        assertThatThrownBy(() -> as.read8(0x0000800000000000L)).isInstanceOfSatisfying(Segfault.class,
                s -> assertThat(s.reason()).isEqualTo("non-canonical address"));
        assertThatThrownBy(() -> as.read8(0xffff7fffffffffffL)).isInstanceOfSatisfying(Segfault.class,
                s -> assertThat(s.reason()).isEqualTo("non-canonical address"));
    }

    @Test
    void nullPageFaultsNameTheLikelyCause() {
        assertThatThrownBy(() -> as.write64(0, 1)).isInstanceOfSatisfying(Segfault.class, s -> {
            assertThat(s.address()).isZero();
            assertThat(s).hasMessage("SIGSEGV: invalid write of 8 bytes at 0x0 (address not mapped (null pointer dereference?))");
        });
        assertThatThrownBy(() -> as.read8(0x10000)).isInstanceOfSatisfying(Segfault.class,
                s -> assertThat(s.reason()).as("mmap_min_addr and above: an ordinary bad pointer").isEqualTo("address not mapped"));
    }

    @Test
    void kernelPagesAreNeverAccessibleEvenWhenMapped() {
        new Kernel(as, "t");
        assertThat(as.regionAt(Layout.VSYSCALL_START).name()).isEqualTo("[vsyscall]");
        assertThatThrownBy(() -> as.read8(Layout.VSYSCALL_START)).isInstanceOfSatisfying(Segfault.class,
                s -> assertThat(s.reason()).isEqualTo("kernel address"));
        assertThatThrownBy(() -> as.checkAccess(Layout.VSYSCALL_START, 1, false)).isInstanceOf(Segfault.class);
    }

    @Test
    void x86PagesThatCanBeWrittenOrExecutedCanBeRead() {
        as.map(0x10000, 0x11000, PROT_WRITE, "");
        as.map(0x20000, 0x21000, PROT_EXEC, "");
        as.map(0x30000, 0x31000, PROT_NONE, "");
        as.write8(0x10000, 3);
        assertThat(as.read8(0x10000)).isEqualTo(3);
        assertThat(as.read64(0x20000)).isZero();
        assertThatThrownBy(() -> as.write8(0x20000, 1)).isInstanceOfSatisfying(Segfault.class,
                s -> assertThat(s.reason()).isEqualTo("page not writable: --xp"));
        assertThatThrownBy(() -> as.read8(0x30000)).isInstanceOfSatisfying(Segfault.class,
                s -> assertThat(s.reason()).isEqualTo("page not readable: ---p"));
    }

    @Test
    void bulkAccessFaultsAtTheFirstBadByteBeforeWritingAnything() {
        as.map(0x10000, 0x12000, PROT_READ | PROT_WRITE, "");
        as.map(0x12000, 0x13000, PROT_READ, "/lib/x");
        assertThatThrownBy(() -> as.fill(0x11ff0, 0x41, 0x20)).isInstanceOfSatisfying(Segfault.class, s -> {
            assertThat(s.address()).isEqualTo(0x12000L);
            assertThat(s).hasMessage("SIGSEGV: invalid write at 0x12000 (page not writable: r--p /lib/x)");
        });
        assertThat(as.read8(0x11ff0)).isZero();
        assertThatThrownBy(() -> as.fill(0x10000, 0, -1L)).as("a 'negative' size_t is huge")
                .isInstanceOfSatisfying(Segfault.class, s -> assertThat(s.address()).isEqualTo(0x12000L));
        assertThatThrownBy(() -> as.checkAccess(0x10000, -1L, false)).isInstanceOfSatisfying(Segfault.class,
                s -> assertThat(s.address()).isEqualTo(0x13000L));
        as.checkAccess(0x10000, 0x3000, false);
        assertThatThrownBy(() -> as.checkAccess(0x10000, 0x3001, false)).isInstanceOf(Segfault.class);
    }

    @Test
    void zeroFillOfUntouchedPagesTouchesNothing() {
        as.map(0x100000, 0x200000, PROT_READ | PROT_WRITE, "");
        as.write8(0x100010, 1);
        as.fill(0x100000, 0, 0x100000);
        assertThat(as.residentPages()).isEqualTo(1);
        assertThat(as.read8(0x100010)).isZero();
        as.fill(0x100800, 0xab, 0x1000);
        assertThat(as.read32(0x100ffe)).isEqualTo(0xabababab);
        assertThat(as.read8(0x1017ff)).isEqualTo(0xab);
        assertThat(as.read8(0x101800)).isZero();
    }

    @Test
    void bytesStraddlingPagesAndSixteenBitAccess() {
        as.map(0x1000, 0x3000, PROT_READ | PROT_WRITE, "");
        byte[] src = new byte[300];
        for (int i = 0; i < src.length; i++) {
            src[i] = (byte) i;
        }
        as.writeBytes(0x2000 - 150, src, 0, src.length);
        byte[] back = new byte[300];
        as.readBytes(0x2000 - 150, back, 0, back.length);
        assertThat(back).isEqualTo(src);
        as.write16(0x1fff, 0xbeef);
        assertThat(as.read8(0x1fff)).isEqualTo(0xef);
        assertThat(as.read8(0x2000)).isEqualTo(0xbe);
        as.write32(0x2ffc, 0x80000001);
        assertThat(as.read32(0x2ffc)).isEqualTo(0x80000001);
        assertThat(as.read16(0x2ffe)).isEqualTo(0x8000);
    }

    @Test
    void tlbAliasesAndPermissionChangesAreSeen() {
        // many pages, some cached with write access, then permission changes
        as.map(0x100000, 0x100000 + 0x1000 * 130, PROT_READ | PROT_WRITE, "");
        for (int i = 0; i < 130; i++) {
            as.write64(0x100000 + 0x1000L * i, i);
        }
        for (int i = 129; i >= 0; i--) {
            assertThat(as.read64(0x100000 + 0x1000L * i)).isEqualTo(i);
        }
        as.write8(0x100000, 7); // slot cached with write access
        as.protect(0x100000, 0x101000, PROT_READ);
        assertThatThrownBy(() -> as.write8(0x100000, 8)).isInstanceOf(Segfault.class);
        as.unmap(0x140000, 0x141000);
        assertThatThrownBy(() -> as.read8(0x140000)).isInstanceOf(Segfault.class);
    }

    @Test
    void bulkAccessesWithinOnePageSeePermissionChanges() {
        as.map(0x100000, 0x102000, PROT_READ | PROT_WRITE, "");
        as.fill(0x100010, 0x5a, 16); // translation cached with write access
        byte[] got = new byte[20];
        as.readBytes(0x10000c, got, 0, 20);
        assertThat(got).containsExactly(0, 0, 0, 0, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
                0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a);
        as.protect(0x100000, 0x101000, PROT_READ);
        assertThatThrownBy(() -> as.fill(0x100010, 0, 16)).isInstanceOf(Segfault.class)
                .hasMessageContaining("0x100010");
        assertThatThrownBy(() -> as.writeBytes(0x100020, new byte[] {1, 2}, 0, 2)).isInstanceOf(Segfault.class)
                .hasMessageContaining("0x100020");
        assertThat(as.read8(0x100010)).isEqualTo(0x5a);
        as.protect(0x100000, 0x101000, PROT_NONE);
        assertThatThrownBy(() -> as.readBytes(0x100010, got, 0, 4)).isInstanceOf(Segfault.class)
                .hasMessageContaining("0x100010");
        // an untouched page, once its translation is cached, still reads as zeros into the buffer
        java.util.Arrays.fill(got, (byte) 0x77);
        assertThat(as.read8(0x101000)).isZero();
        as.readBytes(0x101ff0, got, 2, 16);
        assertThat(got[1]).isEqualTo((byte) 0x77);
        assertThat(got[2]).isZero();
        assertThat(got[17]).isZero();
        assertThat(got[18]).isEqualTo((byte) 0x77);
        assertThat(as.residentPages()).isEqualTo(1);
    }

    @Test
    void pagesThatShareATranslationSlotKeepTheirOwnBytes() {
        long far = 0x100000 + 8192L * 4096; // 8192 pages further: the same slot of the translation cache
        as.map(0x100000, far + 0x1000, PROT_READ | PROT_WRITE, "");
        for (int round = 0; round < 3; round++) {
            as.write64(0x100008, 1000 + round);
            as.fill(far + 8, round, 8);
            as.writeBytes(0x100100, new byte[] {(byte) round}, 0, 1);
            byte[] b = new byte[1];
            as.readBytes(far + 8, b, 0, 1);
            assertThat(b[0]).isEqualTo((byte) round);
            assertThat(as.read64(0x100008)).isEqualTo(1000 + round);
            assertThat(as.read8(0x100100)).isEqualTo(round);
            assertThat(as.read64(far + 8)).isEqualTo(0x0101010101010101L * round);
        }
        assertThat(as.residentPages()).isEqualTo(2);
    }

    @Test
    void copyMovesBytesLikeMemmoveAcrossPages() {
        long base = 0x100000;
        int size = 5 * 4096;
        as.map(base, base + size, PROT_READ | PROT_WRITE, "");
        byte[] model = new byte[size];
        Random rnd = new Random(7);
        for (int i = 0; i < 3 * 4096; i++) { // the last two pages stay untouched
            model[i] = (byte) rnd.nextInt();
        }
        as.writeBytes(base, model, 0, 3 * 4096);
        int[][] moves = {{10, 4000, 300}, {4000, 10, 300}, {100, 4200, 9000}, {4200, 100, 9000}, {0, 1, 12000},
            {1, 0, 12000}, {12288, 8000, 6000}, {5, 5, 100}, {0, 16384, 4096}};
        for (int[] m : moves) {
            as.copy(base + m[1], base + m[0], m[2]);
            System.arraycopy(model, m[0], model, m[1], m[2]);
            byte[] got = new byte[size];
            as.readBytes(base, got, 0, size);
            assertThat(got).as("copy %d -> %d, %d bytes", m[0], m[1], m[2]).isEqualTo(model);
        }
    }

    @Test
    void copyFaultsBeforeWritingAnything() {
        as.map(0x100000, 0x102000, PROT_READ | PROT_WRITE, "");
        as.map(0x102000, 0x103000, PROT_READ, "");
        as.write64(0x100000, 0x1122334455667788L);
        assertThatThrownBy(() -> as.copy(0x101ff8, 0x100000, 16)).isInstanceOf(Segfault.class)
                .hasMessageContaining("0x102000");
        assertThat(as.read64(0x101ff8)).isZero();
        assertThatThrownBy(() -> as.copy(0x100000, 0x102ff8, 16)).isInstanceOf(Segfault.class)
                .hasMessageContaining("0x103000");
        assertThat(as.read64(0x100000)).isEqualTo(0x1122334455667788L);
        as.copy(0x101000, 0x100000, 8);
        assertThat(as.read64(0x101000)).isEqualTo(0x1122334455667788L);
    }

    @Test
    void accessesAllocateNothingEvenOnTlbMisses() {
        as.map(0x100000, 0x200000, PROT_READ | PROT_WRITE, "");
        for (int i = 0; i < 256; i++) {
            as.write64(0x100000 + 0x1000L * i, i);
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (int warm = 0; warm < 3; warm++) {
            sum += readAliasing();
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        sum += readAliasing();
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertThat(sum).isEqualTo(4L * 200_000 / 2 * 128); // pages 0 and 128 alternate: values 0 and 128
        assertThat(allocated).as("bytes allocated by 200000 TLB-missing reads").isLessThan(20_000);
    }

    private long readAliasing() {
        long s = 0;
        for (int i = 0; i < 200_000; i++) {
            s += as.read64(0x100000 + ((i & 1) == 0 ? 0 : 0x1000L * 128)); // same slot, always a miss
        }
        return s;
    }

    @Test
    void moveCarriesContentsAndKeepsProtection() {
        as.map(0x100000, 0x104000, PROT_READ, "");
        as.protect(0x100000, 0x104000, PROT_READ | PROT_WRITE);
        as.write64(0x101008, 0x77);
        as.write64(0x103ff8, 0x88);
        as.protect(0x100000, 0x104000, PROT_READ);
        as.move(0x100000, 0x200000, 0x4000);
        assertThat(as.read64(0x201008)).isEqualTo(0x77);
        assertThat(as.read64(0x203ff8)).isEqualTo(0x88);
        assertThat(as.regionAt(0x200000).prot()).isEqualTo(PROT_READ);
        assertThat(as.regionAt(0x100000)).isNull();
        assertThatThrownBy(() -> as.move(0x200000, 0x202000, 0x4000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void findFreeTopDownRespectsLowAndHigh() {
        as.map(0x100000, 0x200000, PROT_READ, "");
        assertThat(as.findFreeTopDown(0x1000, 0x10000, 0x180000)).as("high inside a region").isEqualTo(0xff000L);
        assertThat(as.findFreeTopDown(0xf0000, 0x10000, 0x180000)).isEqualTo(0x10000L);
        assertThat(as.findFreeTopDown(0xf1000, 0x10000, 0x180000)).isEqualTo(-1L);
        assertThat(as.findFreeTopDown(0x1000, 0x100000, 0x200000)).isEqualTo(-1L);
        assertThat(as.findFreeTopDown(0x1000, 0x100000, 0x201000)).isEqualTo(0x200000L);
    }

    /**
     * Random map/unmap/protect/move against a page-by-page model: the regions must be exactly the
     * maximal runs of pages with equal protection (anonymous memory merges), the contents must
     * follow, and the top-down search must find what a brute-force scan finds.
     */
    @Test
    void randomEditsAgreeWithAPageModel() {
        int pagesInWindow = 96;
        long base = 0x40000000L;
        int[] prot = new int[pagesInWindow]; // -1 = unmapped
        long[] value = new long[pagesInWindow];
        java.util.Arrays.fill(prot, -1);
        Random rnd = new Random(42);
        for (int step = 0; step < 4000; step++) {
            int a = rnd.nextInt(pagesInWindow);
            int n = 1 + rnd.nextInt(Math.min(12, pagesInWindow - a));
            int p = 1 + rnd.nextInt(3); // r--, -w-, rw-
            switch (rnd.nextInt(5)) {
                case 0 -> {
                    as.map(base + a * 4096L, base + (a + n) * 4096L, p, "");
                    for (int i = a; i < a + n; i++) {
                        prot[i] = p;
                        value[i] = 0;
                    }
                }
                case 1 -> {
                    as.unmap(base + a * 4096L, base + (a + n) * 4096L);
                    for (int i = a; i < a + n; i++) {
                        prot[i] = -1;
                        value[i] = 0;
                    }
                }
                case 2 -> {
                    as.protect(base + a * 4096L, base + (a + n) * 4096L, p);
                    for (int i = a; i < a + n; i++) {
                        if (prot[i] != -1) {
                            prot[i] = p;
                        }
                    }
                }
                case 3 -> {
                    if (prot[a] != -1 && (prot[a] & PROT_WRITE) != 0) {
                        long v = rnd.nextLong();
                        as.write64(base + a * 4096L + 8, v);
                        value[a] = v;
                    }
                }
                default -> {
                    // move a fully mapped, uniform run to a free place
                    int len = 1;
                    while (a + len < pagesInWindow && len < 6 && prot[a + len] == prot[a]) {
                        len++;
                    }
                    int to = rnd.nextInt(pagesInWindow - len + 1);
                    boolean free = true;
                    for (int i = to; i < to + len; i++) {
                        free &= prot[i] == -1;
                    }
                    if (prot[a] != -1 && free) {
                        as.move(base + a * 4096L, base + to * 4096L, len * 4096L);
                        for (int i = 0; i < len; i++) {
                            prot[to + i] = prot[a + i];
                            value[to + i] = value[a + i];
                            prot[a + i] = -1;
                            value[a + i] = 0;
                        }
                    }
                }
            }
            assertThat(as.regions()).as("step %d", step).isEqualTo(expectedRegions(prot, base));
            if (step % 50 == 0) {
                for (int i = 0; i < pagesInWindow; i++) {
                    if (prot[i] != -1) {
                        assertThat(as.read64(base + i * 4096L + 8)).as("page %d at step %d", i, step).isEqualTo(value[i]);
                    }
                }
                int want = 1 + rnd.nextInt(8);
                assertThat(as.findFreeTopDown(want * 4096L, base, base + pagesInWindow * 4096L))
                        .as("top-down search for %d pages at step %d", want, step)
                        .isEqualTo(bruteForceTopDown(prot, want, base));
            }
        }
    }

    private static List<Region> expectedRegions(int[] prot, long base) {
        List<Region> out = new ArrayList<>();
        int i = 0;
        while (i < prot.length) {
            if (prot[i] == -1) {
                i++;
                continue;
            }
            int j = i;
            while (j < prot.length && prot[j] == prot[i]) {
                j++;
            }
            out.add(new Region(base + i * 4096L, base + j * 4096L, prot[i], ""));
            i = j;
        }
        return out;
    }

    private static long bruteForceTopDown(int[] prot, int pages, long base) {
        for (int start = prot.length - pages; start >= 0; start--) {
            boolean free = true;
            for (int i = start; i < start + pages; i++) {
                free &= prot[i] == -1;
            }
            if (free) {
                return base + start * 4096L;
            }
        }
        return -1;
    }
}
