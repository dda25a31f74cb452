package io.mallocscope.runtime.vm;

import io.mallocscope.runtime.signal.Segfault;
import org.junit.jupiter.api.Test;

import static io.mallocscope.runtime.vm.AddressSpace.PROT_READ;
import static io.mallocscope.runtime.vm.AddressSpace.PROT_WRITE;
import static io.mallocscope.runtime.vm.Kernel.MAP_ANONYMOUS;
import static io.mallocscope.runtime.vm.Kernel.MAP_FAILED;
import static io.mallocscope.runtime.vm.Kernel.MAP_FIXED;
import static io.mallocscope.runtime.vm.Kernel.MAP_PRIVATE;
import static io.mallocscope.runtime.vm.Kernel.MAP_FIXED_NOREPLACE;
import static io.mallocscope.runtime.vm.Kernel.MAP_SHARED;
import static io.mallocscope.runtime.vm.Kernel.MREMAP_FIXED;
import static io.mallocscope.runtime.vm.Kernel.MREMAP_MAYMOVE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KernelTest {
    private final AddressSpace as = new AddressSpace();
    private final Kernel k = new Kernel(as, "test");
    private static final long BRK0 = Layout.INITIAL_BRK;

    @Test
    void sbrkGrowsAndShrinksAcrossPageBoundaries() {
        assertThat(k.sbrk(0)).isEqualTo(BRK0);
        assertThat(k.sbrk(0x21000)).isEqualTo(BRK0);
        assertThat(k.sbrk(0)).isEqualTo(BRK0 + 0x21000);
        as.write64(BRK0 + 0x20ff8, 42);
        assertThat(k.sbrk(-0x800)).isEqualTo(BRK0 + 0x21000);
        assertThat(as.read64(BRK0 + 0x20000)).as("page still mapped: break at +0x20800").isZero();
        assertThat(k.sbrk(-0x800)).isEqualTo(BRK0 + 0x20800);
        assertThatThrownBy(() -> as.read8(BRK0 + 0x20000)).isInstanceOf(Segfault.class);
        assertThat(as.maps()).contains("555555559000-555555579000 rw-p 00000000 00:00 0                          [heap]");
    }

    @Test
    void brkBelowStartReturnsCurrentBreak() {
        k.sbrk(0x1000);
        assertThat(k.sysBrk(0)).isEqualTo(BRK0 + 0x1000);
        assertThat(k.sysBrk(BRK0 - 0x1000)).isEqualTo(BRK0 + 0x1000);
        // glibc's brk() only fails when the break ends up below the request; here it stays above
        assertThat(k.brk(BRK0 - 0x1000)).isZero();
        assertThat(k.currentBrk()).isEqualTo(BRK0 + 0x1000);
        assertThat(k.brk(Layout.LIBC_BASE)).as("would run into libc").isEqualTo(-1);
        assertThat(k.errno()).isEqualTo(Kernel.ENOMEM);
    }

    @Test
    void dataLimitMakesBrkFail() {
        k.setDataLimit(0x1000 + 0x10000);
        assertThat(k.sbrk(0x10000)).isEqualTo(BRK0);
        assertThat(k.sbrk(0x1000)).isEqualTo(-1);
        assertThat(k.errno()).isEqualTo(Kernel.ENOMEM);
        assertThat(k.currentBrk()).isEqualTo(BRK0 + 0x10000);
    }

    @Test
    void brkStopsBeforeAnotherMapping() {
        long fixed = k.mmap(BRK0 + 0x5000, 0x1000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        assertThat(fixed).isEqualTo(BRK0 + 0x5000);
        assertThat(k.sbrk(0x4000)).as("leaves a guard page").isEqualTo(BRK0);
        assertThat(k.sbrk(0x1000)).isEqualTo(-1);
    }

    @Test
    void mmapPlacesTopDownBelowLibrariesAndRoundsLength() {
        long a = k.mmap(0, 0x31000 - 5, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        assertThat(a).isEqualTo(Layout.LIBC_ANON_START - 0x31000);
        long b = k.mmap(0, 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        assertThat(b).isEqualTo(a - 0x1000);
        assertThat(k.munmap(a, 0x31000)).isZero();
        long c = k.mmap(0, 0x1000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        assertThat(c).as("the hole is reused, highest first").isEqualTo(Layout.LIBC_ANON_START - 0x1000);
    }

    @Test
    void mmapErrors() {
        assertThat(k.mmap(0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)).isEqualTo(MAP_FAILED);
        assertThat(k.errno()).isEqualTo(Kernel.EINVAL);
        assertThat(k.mmap(0x1234, 0x1000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)).isEqualTo(MAP_FAILED);
        assertThat(k.errno()).isEqualTo(Kernel.EINVAL);
        assertThat(k.mmap(0, 0x1000, PROT_READ, MAP_PRIVATE, 3, 0)).isEqualTo(MAP_FAILED);
        assertThat(k.errno()).isEqualTo(Kernel.EBADF);
        assertThat(k.mmap(0, -4096L, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)).isEqualTo(MAP_FAILED);
        assertThat(k.errno()).isEqualTo(Kernel.ENOMEM);
        assertThat(k.mmap(0, 0x1000, PROT_READ, MAP_ANONYMOUS, -1, 0)).isEqualTo(MAP_FAILED);
        assertThat(k.errno()).isEqualTo(Kernel.EINVAL);
    }

    @Test
    void mapFixedReplacesOverlappedMappingWithZeros() {
        long a = k.mmap(0, 0x3000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        as.write64(a + 0x1000, 99);
        as.write64(a + 0x2000, 77);
        long b = k.mmap(a + 0x1000, 0x1000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        assertThat(b).isEqualTo(a + 0x1000);
        assertThat(as.read64(a + 0x1000)).isZero();
        assertThat(as.read64(a + 0x2000)).isEqualTo(77);
        assertThatThrownBy(() -> as.write8(a + 0x1000, 1)).isInstanceOf(Segfault.class);
    }

    @Test
    void hintIsHonouredWhenFree() {
        long hint = 0x10000000L;
        assertThat(k.mmap(hint + 5, 0x1000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
                .as("x86_64 rounds a hint down to its page").isEqualTo(hint);
        assertThat(k.mmap(hint, 0x1000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
                .as("hint taken: placed top-down instead").isEqualTo(Layout.LIBC_ANON_START - 0x1000);
    }

    @Test
    void munmapUnalignedAndPartial() {
        long a = k.mmap(0, 0x4000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        assertThat(k.munmap(a + 1, 0x1000)).isEqualTo(-1);
        assertThat(k.errno()).isEqualTo(Kernel.EINVAL);
        assertThat(k.munmap(a, 0)).isEqualTo(-1);
        assertThat(k.munmap(a + 0x1000, 1)).as("length rounds up to a page").isZero();
        assertThatThrownBy(() -> as.read8(a + 0x1000)).isInstanceOf(Segfault.class);
        assertThat(as.read8(a + 0x2000)).isZero();
        assertThat(k.munmap(a, 0x4000)).as("holes are fine").isZero();
        assertThatThrownBy(() -> as.read8(a)).isInstanceOf(Segfault.class);
    }

    @Test
    void mremapGrowsInPlaceWhenFreeElseMoves() {
        long hi = k.mmap(0x20000000L, 0x2000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        as.write64(hi, 0x1234);
        assertThat(k.mremap(hi, 0x2000, 0x5000, 0, 0)).as("grown in place").isEqualTo(hi);
        long blocker = k.mmap(hi + 0x5000, 0x1000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        assertThat(blocker).isEqualTo(hi + 0x5000);
        assertThat(k.mremap(hi, 0x5000, 0x8000, 0, 0)).isEqualTo(MAP_FAILED);
        assertThat(k.errno()).isEqualTo(Kernel.ENOMEM);
        long moved = k.mremap(hi, 0x5000, 0x8000, MREMAP_MAYMOVE, 0);
        assertThat(moved).isNotEqualTo(hi);
        assertThat(as.read64(moved)).isEqualTo(0x1234);
        assertThatThrownBy(() -> as.read8(hi)).isInstanceOf(Segfault.class);
        assertThat(k.mremap(moved, 0x8000, 0x1000, 0, 0)).as("shrinks in place").isEqualTo(moved);
        assertThatThrownBy(() -> as.read8(moved + 0x1000)).isInstanceOf(Segfault.class);
        assertThat(k.mremap(0x30000000L, 0x1000, 0x2000, MREMAP_MAYMOVE, 0)).isEqualTo(MAP_FAILED);
        assertThat(k.errno()).isEqualTo(Kernel.EFAULT);
    }

    @Test
    void mprotectChangesPermissions() {
        long a = k.mmap(0, 0x2000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        assertThat(k.mprotect(a, 0x1000, PROT_READ)).isZero();
        assertThatThrownBy(() -> as.write8(a, 1)).isInstanceOf(Segfault.class);
        as.write8(a + 0x1000, 1);
        assertThat(k.mprotect(a + 3, 0x1000, PROT_READ)).isEqualTo(-1);
        assertThat(k.errno()).isEqualTo(Kernel.EINVAL);
        assertThat(k.mprotect(0x30000000L, 0x1000, PROT_READ)).isEqualTo(-1);
        assertThat(k.errno()).isEqualTo(Kernel.ENOMEM);
    }

    @Test
    void addressSpaceLimit() {
        long used = as.regions().stream().filter(r -> Long.compareUnsigned(r.end(), AddressSpace.USER_END) <= 0).mapToLong(Region::size).sum();
        k.setAddressSpaceLimit(used + 0x2000);
        assertThat(k.mmap(0, 0x2000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)).isNotEqualTo(MAP_FAILED);
        assertThat(k.mmap(0, 0x1000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)).isEqualTo(MAP_FAILED);
        assertThat(k.errno()).isEqualTo(Kernel.ENOMEM);
        assertThat(k.sbrk(0x1000)).isEqualTo(-1);
    }

    // ---------------------------------------------------------------- brk / sbrk edge cases

    @Test
    void brkWithinOnePageMovesTheBreakButMapsNothingNew() {
        assertThat(k.sysBrk(BRK0 + 0x10)).isEqualTo(BRK0 + 0x10);
        assertThat(as.maps()).contains("555555559000-55555555a000 rw-p 00000000 00:00 0                          [heap]");
        assertThat(k.sysBrk(BRK0 + 0xfff)).isEqualTo(BRK0 + 0xfff);
        assertThat(as.regionAt(BRK0 + 0x1000)).as("still one page").isNull();
        assertThat(k.sysBrk(BRK0 + 0x1000)).isEqualTo(BRK0 + 0x1000);
        assertThat(as.regionAt(BRK0 + 0x1000)).isNull();
        assertThat(k.sysBrk(BRK0 + 0x1001)).isEqualTo(BRK0 + 0x1001);
        assertThat(as.regionAt(BRK0 + 0x1000).name()).isEqualTo("[heap]");
        assertThat(as.regions()).filteredOn(r -> r.name().equals("[heap]")).hasSize(1);
    }

    @Test
    void brkShrinkToStartRemovesTheHeapAndItsContents() {
        k.sbrk(0x3000);
        as.write64(BRK0 + 0x2ff8, -1L);
        assertThat(k.sysBrk(BRK0)).isEqualTo(BRK0);
        assertThat(as.maps()).doesNotContain("[heap]");
        k.sbrk(0x3000);
        assertThat(as.read64(BRK0 + 0x2ff8)).as("pages given back come back zeroed").isZero();
    }

    @Test
    void sbrkNegativeBelowStartSucceedsWithoutMovingTheBreak() {
        // glibc: brk(old - n) where the kernel refuses returns the old break, which is >= the
        // request, so __brk reports success and sbrk returns the old break.
        k.sbrk(0x1000);
        assertThat(k.sbrk(-0x2000)).isEqualTo(BRK0 + 0x1000);
        assertThat(k.currentBrk()).isEqualTo(BRK0 + 0x1000);
    }

    @Test
    void sbrkThatWouldWrapFailsWithEnomem() {
        assertThat(k.sbrk(Long.MAX_VALUE)).isEqualTo(-1);
        assertThat(k.errno()).isEqualTo(Kernel.ENOMEM);
        k.setErrno(0);
        assertThat(k.sbrk(Long.MIN_VALUE)).as("-increment above the break").isEqualTo(-1);
        assertThat(k.errno()).isEqualTo(Kernel.ENOMEM);
        assertThat(k.sbrk(1L << 62)).isEqualTo(-1);
        assertThat(k.currentBrk()).isEqualTo(BRK0);
    }

    @Test
    void brkPastUserSpaceFails() {
        assertThat(k.sysBrk(AddressSpace.USER_END + 0x1000)).isEqualTo(BRK0);
        assertThat(k.sysBrk(-1L)).isEqualTo(BRK0);
        assertThat(k.brk(-1L)).isEqualTo(-1);
    }

    @Test
    void dataLimitCountsTheDataSegmentAndIsCheckedBeforePageRounding() {
        long data = Layout.BSS_END - Layout.DATA_START;
        k.setDataLimit(data + 0x1800);
        assertThat(k.sysBrk(BRK0 + 0x1800)).isEqualTo(BRK0 + 0x1800);
        assertThat(k.sysBrk(BRK0 + 0x1801)).as("same page, but above the limit").isEqualTo(BRK0 + 0x1800);
        assertThat(k.sysBrk(BRK0 + 0x100)).as("shrinking is always allowed").isEqualTo(BRK0 + 0x100);
        k.setDataLimit(Kernel.UNLIMITED);
        assertThat(k.sysBrk(BRK0 + 0x100000)).isEqualTo(BRK0 + 0x100000);
    }

    // ---------------------------------------------------------------- mmap edge cases

    @Test
    void mmapErrorsComeInTheKernelsOrder() {
        assertThat(k.mmap(0, 0, PROT_READ, MAP_PRIVATE, 7, 0)).isEqualTo(MAP_FAILED);
        assertThat(k.errno()).as("no file before zero length").isEqualTo(Kernel.EBADF);
        assertThat(k.mmap(0, 0x1000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 5)).isEqualTo(MAP_FAILED);
        assertThat(k.errno()).as("misaligned offset").isEqualTo(Kernel.EINVAL);
        assertThat(k.mmap(0, 0x1000, PROT_READ, MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)).isEqualTo(MAP_FAILED);
        assertThat(k.errno()).as("MAP_SHARED_VALIDATE is for files").isEqualTo(Kernel.EINVAL);
        assertThat(k.mmap(0, 1L << 47, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)).isEqualTo(MAP_FAILED);
        assertThat(k.errno()).isEqualTo(Kernel.ENOMEM);
        assertThat(k.mmap(0x1000, 0x1000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)).isEqualTo(MAP_FAILED);
        assertThat(k.errno()).as("below mmap_min_addr").isEqualTo(Kernel.EPERM);
        assertThat(k.mmap(AddressSpace.USER_END - 0x1000, 0x2000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0))
                .isEqualTo(MAP_FAILED);
        assertThat(k.errno()).as("crosses the end of user space").isEqualTo(Kernel.ENOMEM);
    }

    @Test
    void mmapIgnoresUnknownProtBitsAndSharedAnonymousWorks() {
        long a = k.mmap(0, 0x1000, 0x10 | PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        assertThat(as.regionAt(a).prot()).isEqualTo(PROT_READ);
        long b = k.mmap(0, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        assertThat(b).isNotEqualTo(MAP_FAILED);
    }

    @Test
    void hintBelowMmapMinIsRaisedToIt() {
        assertThat(k.mmap(0x1500, 0x1000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)).isEqualTo(Layout.MMAP_MIN);
        assertThat(k.mmap(0x500, 0x1000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
                .as("a hint inside page 0 rounds down to NULL: no hint").isEqualTo(Layout.LIBC_ANON_START - 0x1000);
    }

    @Test
    void mapFixedOverSeveralMappingsReplacesAllOfThem() {
        long base = 0x40000000L;
        assertThat(k.mmap(base, 0x2000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)).isEqualTo(base);
        assertThat(k.mmap(base + 0x3000, 0x2000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)).isEqualTo(base + 0x3000);
        as.write8(base + 0x1fff, 9);
        assertThat(k.mmap(base + 0x1000, 0x3000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0))
                .isEqualTo(base + 0x1000);
        assertThat(as.read8(base + 0x1fff)).isZero();
        assertThat(as.regions()).filteredOn(r -> r.start() >= base && r.end() <= base + 0x10000)
                .extracting(Region::start, Region::end, Region::prot)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(base, base + 0x4000, PROT_READ | PROT_WRITE),
                        org.assertj.core.groups.Tuple.tuple(base + 0x4000, base + 0x5000, PROT_READ));
    }

    @Test
    void mapFixedNoreplaceRefusesAnOccupiedRange() {
        long a = k.mmap(0x40000000L, 0x2000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        assertThat(k.mmap(a + 0x1000, 0x2000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0))
                .isEqualTo(MAP_FAILED);
        assertThat(k.errno()).isEqualTo(Kernel.EEXIST);
        assertThat(k.mmap(a + 0x2000, 0x1000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0))
                .isEqualTo(a + 0x2000);
    }

    @Test
    void oneTebibyteMappingCostsOnePageWhenOneByteIsTouched() {
        long a = k.mmap(0, 1L << 40, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | Kernel.MAP_NORESERVE, -1, 0);
        assertThat(a).isEqualTo(Layout.LIBC_ANON_START - (1L << 40));
        int before = as.residentPages();
        as.write8(a + (1L << 39) + 123, 0x5a);
        assertThat(as.residentPages() - before).isEqualTo(1);
        assertThat(as.read8(a + (1L << 39) + 123)).isEqualTo(0x5a);
        assertThat(k.munmap(a, 1L << 40)).isZero();
        assertThat(as.residentPages()).isEqualTo(before);
    }

    /**
     * #16.5: a 1 TiB mapping with one touched page stays cheap in Java memory, measured as the bytes
     * this thread allocates (2^28 pages of bookkeeping would be gigabytes), not as time: mapping it,
     * touching a page, changing the protection of all of it and unmapping it allocate less than 64
     * pages' worth, and only one page ever holds data.
     */
    @Test
    void oneTebibyteMappingAllocatesAboutOnePageOfJavaMemory() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory
                .getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(mx.isThreadAllocatedMemorySupported()
                && mx.isThreadAllocatedMemoryEnabled(), "this JVM does not count the bytes a thread allocates");
        long warm = k.mmap(0, 1L << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        as.write8(warm, 1); // what the first mapping and the first touched page make once, before counting
        assertThat(k.munmap(warm, 1L << 20)).isZero();
        int residentBefore = as.residentPages();
        long before = mx.getCurrentThreadAllocatedBytes();
        long a = k.mmap(0, 1L << 40, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | Kernel.MAP_NORESERVE, -1, 0);
        as.write64(a + (1L << 39), 0x5a5a);
        long sum = as.read64(a + (1L << 39)) + as.read64(a) + as.read64(a + (1L << 40) - 8);
        assertThat(k.mprotect(a, 1L << 40, PROT_READ)).isZero();
        int resident = as.residentPages() - residentBefore;
        assertThat(k.munmap(a, 1L << 40)).isZero();
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertThat(sum).isEqualTo(0x5a5a);
        assertThat(resident).as("pages holding data").isEqualTo(1);
        assertThat(as.residentPages()).isEqualTo(residentBefore);
        assertThat(allocated).as("bytes of Java heap allocated for the 1 TiB mapping's life").isLessThan(64 * 4096);
    }

    // ---------------------------------------------------------------- munmap edge cases

    @Test
    void munmapErrors() {
        assertThat(k.munmap(AddressSpace.USER_END, 0x1000)).isEqualTo(-1);
        assertThat(k.errno()).isEqualTo(Kernel.EINVAL);
        assertThat(k.munmap(AddressSpace.USER_END - 0x1000, 0x2000)).as("crosses the end of user space").isEqualTo(-1);
        assertThat(k.munmap(0x40000000L, -1L)).isEqualTo(-1);
        assertThat(k.munmap(0x40000000L, 0x1000)).as("nothing mapped there: still fine").isZero();
    }

    @Test
    void munmapInTheMiddleSplitsAMappingAndKeepsBothEnds() {
        long a = k.mmap(0, 0x5000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        as.write64(a, 1);
        as.write64(a + 0x4000, 2);
        assertThat(k.munmap(a + 0x1000, 0x2001)).as("0x2001 rounds up to three pages").isZero();
        assertThat(as.read64(a)).isEqualTo(1);
        assertThat(as.read64(a + 0x4000)).isEqualTo(2);
        assertThatThrownBy(() -> as.read8(a + 0x3fff)).isInstanceOf(Segfault.class);
        assertThat(as.regionAt(a).end()).isEqualTo(a + 0x1000);
        assertThat(as.regionAt(a + 0x4000).start()).isEqualTo(a + 0x4000);
    }

    // ---------------------------------------------------------------- mremap edge cases

    @Test
    void mremapErrorsAsLinux() {
        long a = k.mmap(0x40000000L, 0x4000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        assertThat(k.mremap(a, 0, 0x2000, MREMAP_MAYMOVE, 0)).isEqualTo(MAP_FAILED);
        assertThat(k.errno()).as("old_len 0 on a private mapping").isEqualTo(Kernel.EINVAL);
        assertThat(k.mremap(a, 0x8000, 0x10000, MREMAP_MAYMOVE, 0)).isEqualTo(MAP_FAILED);
        assertThat(k.errno()).as("old range runs past the mapping").isEqualTo(Kernel.EFAULT);
        assertThat(k.mremap(a + 1, 0x1000, 0x2000, MREMAP_MAYMOVE, 0)).isEqualTo(MAP_FAILED);
        assertThat(k.errno()).isEqualTo(Kernel.EINVAL);
        assertThat(k.mremap(a, 0x1000, 0, MREMAP_MAYMOVE, 0)).isEqualTo(MAP_FAILED);
        assertThat(k.errno()).isEqualTo(Kernel.EINVAL);
        assertThat(k.mremap(a, 0x1000, 0x2000, 16, 0)).isEqualTo(MAP_FAILED);
        assertThat(k.errno()).isEqualTo(Kernel.EINVAL);
        assertThat(k.mremap(a, 0x1000, 0x2000, MREMAP_FIXED, a + 0x10000)).isEqualTo(MAP_FAILED);
        assertThat(k.errno()).as("FIXED needs MAYMOVE").isEqualTo(Kernel.EINVAL);
        assertThat(k.mremap(a, 0x2000, 0x2000, MREMAP_FIXED | MREMAP_MAYMOVE, a + 0x1000)).isEqualTo(MAP_FAILED);
        assertThat(k.errno()).as("overlapping ranges").isEqualTo(Kernel.EINVAL);
        assertThat(k.mremap(0x30000000L, 0x2000, 0x1000, 0, 0)).isEqualTo(MAP_FAILED);
        assertThat(k.errno()).as("shrinking nothing").isEqualTo(Kernel.EFAULT);
    }

    @Test
    void mremapShrinkUnmapsTheWholeTailEvenPastTheMapping() {
        long base = 0x40000000L;
        k.mmap(base, 0x4000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        k.mmap(base + 0x6000, 0x1000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        assertThat(k.mremap(base, 0x8000, 0x1000, 0, 0)).isEqualTo(base);
        assertThat(as.regionAt(base).end()).isEqualTo(base + 0x1000);
        assertThat(as.regionAt(base + 0x6000)).as("a separate mapping inside the old range is gone too").isNull();
    }

    @Test
    void mremapInTheMiddleOfAMappingCannotGrowInPlace() {
        long base = 0x40000000L;
        k.mmap(base, 0x4000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        assertThat(k.mremap(base + 0x1000, 0x1000, 0x2000, 0, 0)).isEqualTo(MAP_FAILED);
        assertThat(k.errno()).isEqualTo(Kernel.ENOMEM);
        assertThat(k.mremap(base + 0x3000, 0x1000, 0x2000, 0, 0)).as("the last page can").isEqualTo(base + 0x3000);
        assertThat(as.regionAt(base).end()).isEqualTo(base + 0x5000);
    }

    @Test
    void mremapMoveOfAPartSplitsTheSourceAndCarriesItsBytes() {
        long base = 0x40000000L;
        k.mmap(base, 0x4000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        k.mmap(base + 0x4000, 0x1000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        for (int i = 0; i < 4; i++) {
            as.write64(base + i * 0x1000L, 100 + i);
        }
        long moved = k.mremap(base + 0x2000, 0x2000, 0x3000, MREMAP_MAYMOVE, 0);
        assertThat(moved).isEqualTo(Layout.LIBC_ANON_START - 0x3000);
        assertThat(as.read64(moved)).isEqualTo(102);
        assertThat(as.read64(moved + 0x1000)).isEqualTo(103);
        assertThat(as.read64(moved + 0x2000)).as("the grown part is fresh").isZero();
        assertThat(as.read64(base + 0x1000)).isEqualTo(101);
        assertThat(as.regionAt(base + 0x2000)).isNull();
        assertThat(as.regionAt(moved).prot()).isEqualTo(PROT_READ | PROT_WRITE);
    }

    @Test
    void mremapFixedReplacesTheDestination() {
        long base = 0x40000000L;
        long dest = 0x50000000L;
        k.mmap(base, 0x2000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        k.mmap(dest, 0x4000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        as.write64(base + 0x1000, 0xabc);
        assertThat(k.mremap(base, 0x2000, 0x3000, MREMAP_FIXED | MREMAP_MAYMOVE, dest)).isEqualTo(dest);
        assertThat(as.read64(dest + 0x1000)).isEqualTo(0xabc);
        assertThat(as.regionAt(dest).end()).isEqualTo(dest + 0x3000);
        assertThat(as.regionAt(dest).prot()).isEqualTo(PROT_READ | PROT_WRITE);
        assertThat(as.regionAt(dest + 0x3000).prot()).as("the rest of the old destination stays").isEqualTo(PROT_READ);
        assertThat(as.regionAt(base)).isNull();
    }

    @Test
    void mremapGrowthRespectsTheAddressSpaceLimit() {
        long a = k.mmap(0x40000000L, 0x1000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        k.setAddressSpaceLimit(as.mappedBytes(0, AddressSpace.USER_END) + 0x1000);
        assertThat(k.mremap(a, 0x1000, 0x3000, MREMAP_MAYMOVE, 0)).isEqualTo(MAP_FAILED);
        assertThat(k.errno()).isEqualTo(Kernel.ENOMEM);
        assertThat(k.mremap(a, 0x1000, 0x2000, MREMAP_MAYMOVE, 0)).isEqualTo(a);
    }

    // ---------------------------------------------------------------- mprotect edge cases

    @Test
    void mprotectChecksInTheKernelsOrder() {
        long a = k.mmap(0, 0x1000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        assertThat(k.mprotect(a, 0, 0x40)).as("zero length succeeds before prot is checked").isZero();
        assertThat(k.mprotect(a, -1L, PROT_READ)).isEqualTo(-1);
        assertThat(k.errno()).isEqualTo(Kernel.ENOMEM);
        assertThat(k.mprotect(a, 0x1000, 0x40)).isEqualTo(-1);
        assertThat(k.errno()).isEqualTo(Kernel.EINVAL);
        assertThat(k.mprotect(a, 0x1000, Kernel.PROT_SEM | PROT_READ)).isZero();
        assertThat(as.regionAt(a).prot()).isEqualTo(PROT_READ);
        assertThat(k.mprotect(AddressSpace.USER_END, 0x1000, PROT_READ)).isEqualTo(-1);
        assertThat(k.errno()).isEqualTo(Kernel.ENOMEM);
    }

    @Test
    void mprotectOverAHoleChangesThePartBeforeItThenFails() {
        long base = 0x40000000L;
        k.mmap(base, 0x3000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        k.munmap(base + 0x1000, 0x1000);
        assertThat(k.mprotect(base, 0x3000, PROT_READ)).isEqualTo(-1);
        assertThat(k.errno()).isEqualTo(Kernel.ENOMEM);
        assertThat(as.regionAt(base).prot()).isEqualTo(PROT_READ);
        assertThat(as.regionAt(base + 0x2000).prot()).isEqualTo(PROT_READ | PROT_WRITE);
    }

    @Test
    void mprotectKeepsContentsAndMergesBack() {
        long a = k.mmap(0, 0x3000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        as.write64(a + 0x1000, 55);
        int regions = as.regions().size();
        assertThat(k.mprotect(a + 0x1000, 0x1000, AddressSpace.PROT_NONE)).isZero();
        assertThat(as.regions()).hasSize(regions + 2);
        assertThatThrownBy(() -> as.read8(a + 0x1000)).isInstanceOfSatisfying(Segfault.class,
                s -> assertThat(s.reason()).isEqualTo("page not readable: ---p"));
        assertThat(k.mprotect(a + 0x1000, 0x1000, PROT_READ | PROT_WRITE)).isZero();
        assertThat(as.regions()).hasSize(regions);
        assertThat(as.read64(a + 0x1000)).isEqualTo(55);
    }

    @Test
    void addressSpaceLimitCountsReplacedPagesOnlyOnce() {
        long a = k.mmap(0, 0x2000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        k.setAddressSpaceLimit(as.mappedBytes(0, AddressSpace.USER_END));
        assertThat(k.mmap(a, 0x2000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0))
                .as("replacing mapped pages adds nothing").isEqualTo(a);
        assertThat(k.mmap(a - 0x1000, 0x3000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0))
                .as("one new page over the limit").isEqualTo(MAP_FAILED);
        assertThat(k.errno()).isEqualTo(Kernel.ENOMEM);
    }
}
