package io.mallocscope.runtime.vm;

import io.mallocscope.runtime.Segfault;
import org.junit.jupiter.api.Test;

import static io.mallocscope.runtime.vm.AddressSpace.PROT_READ;
import static io.mallocscope.runtime.vm.AddressSpace.PROT_WRITE;
import static io.mallocscope.runtime.vm.Kernel.MAP_ANONYMOUS;
import static io.mallocscope.runtime.vm.Kernel.MAP_FAILED;
import static io.mallocscope.runtime.vm.Kernel.MAP_FIXED;
import static io.mallocscope.runtime.vm.Kernel.MAP_PRIVATE;
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
        assertThat(k.mmap(hint + 5, 0x1000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)).isEqualTo(hint + 0x1000);
        assertThat(k.mmap(hint + 0x1000, 0x1000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
                .as("hint taken: placed elsewhere").isNotEqualTo(hint + 0x1000);
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
}
