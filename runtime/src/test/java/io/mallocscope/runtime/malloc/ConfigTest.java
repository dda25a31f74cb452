package io.mallocscope.runtime.malloc;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.vm.AddressSpace;
import io.mallocscope.runtime.vm.Kernel;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Profiles, tunables, mallopt, transition-point contract. */
class ConfigTest {
    static Kernel kernel() {
        return new Kernel(new AddressSpace(), "t");
    }

    @Test
    void versions() {
        assertThat(Malloc.create(kernel(), "2.36", "", System.err).profile()).isEqualTo(GlibcProfile.V2_36);
        assertThatThrownBy(() -> Malloc.create(kernel(), "2.99", "", System.err))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown glibc version '2.99' (accepted: 2.23, 2.27, 2.31, 2.36, 2.41, 2.43)");
        for (String v : new String[] {"2.23", "2.27", "2.31", "2.36", "2.41", "2.43"}) {
            assertThat(Malloc.create(kernel(), "glibc-" + v, "", System.err).profile().version()).isEqualTo(v);
        }
        assertThat(GlibcProfile.V2_27.verified()).isFalse();
        assertThat(GlibcProfile.V2_23.hasTcache()).isFalse();
        assertThat(GlibcProfile.V2_43.tcacheMadeLazily()).isTrue();
        assertThat(GlibcProfile.V2_31.safeLinking()).isFalse();
        assertThat(GlibcProfile.V2_43.hasFastbins()).isFalse();
        assertThat(GlibcProfile.V2_41.callocUsesTcache()).isTrue();
    }

    @Test
    void malformedTunablesAreRejected() {
        assertThatThrownBy(() -> Malloc.create(kernel(), "2.36", "glibc.malloc.tcache_count", System.err))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected NAME=VALUE");
        assertThatThrownBy(() -> Malloc.create(kernel(), "2.36", "glibc.malloc.tcache_cnt=3", System.err))
                .hasMessageContaining("unknown malloc tunable 'glibc.malloc.tcache_cnt'");
        assertThatThrownBy(() -> Malloc.create(kernel(), "2.36", "glibc.malloc.mxfast=lots", System.err))
                .hasMessageContaining("not a number");
        // other namespaces are glibc's business, not malloc's
        Malloc.create(kernel(), "2.36", "glibc.rtld.nns=4", System.err);
    }

    @Test
    void tunablesAndEnvironmentAliases() {
        HeapView v = paramsAfterInit("glibc.malloc.tcache_count=3:glibc.malloc.tcache_max=200:glibc.malloc.mxfast=0x40");
        assertThat(v.params().tcacheCount()).isEqualTo(3);
        assertThat(v.params().tcacheBins()).isEqualTo(12); // csize2tidx(request2size(200)) + 1
        assertThat(v.params().globalMaxFast()).isEqualTo(0x40);
        assertThat(v.params().noDynThreshold()).isFalse();
        v = paramsAfterInit("MALLOC_TOP_PAD_=4096 glibc.malloc.perturb=300");
        assertThat(v.params().topPad()).isEqualTo(4096);
        assertThat(v.params().noDynThreshold()).isTrue();
        assertThat(v.params().perturbByte()).isZero(); // out of range: ignored
        v = paramsAfterInit("MALLOC_TOP_PAD_=4096:glibc.malloc.top_pad=8192");
        assertThat(v.params().topPad()).isEqualTo(8192);
        v = paramsAfterInit("glibc.malloc.tcache_max=0");
        assertThat(v.params().tcacheBins()).isEqualTo(1);
    }

    static HeapView paramsAfterInit(String tunables) {
        CProcess p = CProcess.create(ProcessOptions.defaults().withTunables(tunables));
        p.libc().free(0);
        return p.malloc().view();
    }

    @Test
    void malloptReturnsAndConsolidates() {
        CheckedHeap h = new CheckedHeap("glibc.malloc.tcache_count=0");
        long a = h.malloc(24);
        h.malloc(24);
        h.free(a);
        assertThat(h.view().bins()).extracting(HeapView.Bin::kind).containsExactly(BinKind.FASTBIN);
        assertThat(h.c.mallopt(Mallopt.M_PERTURB, 0)).isEqualTo(1);
        assertThat(h.view().bins()).extracting(HeapView.Bin::kind).containsExactly(BinKind.UNSORTED);
        assertThat(h.c.mallopt(Mallopt.M_MXFAST, 161)).isZero();
        assertThat(h.c.mallopt(Mallopt.M_MXFAST, -1)).isZero();
        assertThat(h.c.mallopt(Mallopt.M_MXFAST, 160)).isEqualTo(1);
        assertThat(h.view().params().globalMaxFast()).isEqualTo(0xa0);
        assertThat(h.c.mallopt(Mallopt.M_MMAP_THRESHOLD, 64 << 20)).isEqualTo(1);
        assertThat(h.view().params().mmapThreshold()).isEqualTo(64 << 20);
        assertThat(h.view().params().noDynThreshold()).isTrue();
        assertThat(h.c.mallopt(12345, 1)).isEqualTo(1);
    }

    @Test
    void transitionPointsAreAnnotatedEmptyStatics() {
        int n = 0;
        for (Method m : Transitions.class.getDeclaredMethods()) {
            if (m.isAnnotationPresent(TransitionPoint.class)) {
                assertThat(Modifier.isStatic(m.getModifiers())).isTrue();
                assertThat(m.getReturnType()).isEqualTo(void.class);
                n++;
            }
        }
        assertThat(n).isEqualTo(13);
        assertThat(BinKind.name(BinKind.LARGEBIN)).isEqualTo("largebin");
        assertThat(Transitions.reasonName(Transitions.LAST_REMAINDER)).isEqualTo("last_remainder");
    }
}
