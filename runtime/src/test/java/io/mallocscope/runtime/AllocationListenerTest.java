package io.mallocscope.runtime;

import io.mallocscope.runtime.signal.Abort;
import io.mallocscope.runtime.vm.Layout;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What LibC tells an {@link AllocationListener}: each call of the malloc family, with the exact pointers and sizes. */
class AllocationListenerTest {
    private static final long HEAP = Layout.INITIAL_BRK;

    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final CProcess process = CProcess.create(ProcessOptions.defaults().withStdout(stdout).withStderr(stderr));
    private final LibC c = process.libc();
    private final Events events = new Events("");

    /** Writes each event as a line such as {@code + malloc 0x5555555592a0 24} or {@code - free 0x5555555592a0}. */
    private static final class Events implements AllocationListener {
        final String name;
        final List<String> lines = new ArrayList<>();

        Events(String name) {
            this.name = name;
        }

        @Override
        public void allocated(String function, long pointer, long requested) {
            lines.add(name + "+ " + function + " 0x" + Long.toHexString(pointer) + " " + requested);
        }

        @Override
        public void released(String function, long pointer) {
            lines.add(name + "- " + function + " 0x" + Long.toHexString(pointer));
        }

        List<String> take() {
            List<String> l = List.copyOf(lines);
            lines.clear();
            return l;
        }
    }

    @Test
    void mallocAndFreeAreReportedAfterTheCall() {
        c.addAllocationListener(events);
        long a = c.malloc(24);
        long b = c.malloc(0);
        long big = c.malloc(0x40000);
        assertThat(a).isEqualTo(HEAP + 0x2a0);
        assertThat(b).isEqualTo(HEAP + 0x2c0);
        assertThat(big).isEqualTo(0x7ffff7d8f010L);
        c.free(a);
        c.free(0);
        c.free(big);
        assertThat(events.take()).containsExactly(
                "+ malloc 0x5555555592a0 24",
                "+ malloc 0x5555555592c0 0",
                "+ malloc 0x7ffff7d8f010 262144",
                "- free 0x5555555592a0",
                "- free 0x7ffff7d8f010");
    }

    @Test
    void aFailedMallocReportsNothing() {
        c.addAllocationListener(events);
        assertThat(c.malloc(-1L)).isZero();
        assertThat(c.calloc(1L << 32, 1L << 32)).isZero();
        assertThat(events.take()).isEmpty();
    }

    @Test
    void freeingABadPointerAbortsAndReportsNothing() {
        c.addAllocationListener(events);
        long p = c.malloc(24);
        events.take();
        assertThatThrownBy(() -> c.free(p + 8)).isInstanceOf(Abort.class);
        assertThat(stderr.toString()).isEqualTo("free(): invalid pointer\n");
        assertThat(events.take()).isEmpty();
    }

    @Test
    void callocReportsNmembTimesSize() {
        c.addAllocationListener(events);
        long p = c.calloc(3, 8);
        assertThat(p).isEqualTo(HEAP + 0x2a0);
        assertThat(events.take()).containsExactly("+ calloc 0x5555555592a0 24");
    }

    @Test
    void reallocOfNullOnlyAllocates() {
        c.addAllocationListener(events);
        long p = c.realloc(0, 40);
        assertThat(p).isEqualTo(HEAP + 0x2a0);
        assertThat(events.take()).containsExactly("+ realloc 0x5555555592a0 40");
    }

    @Test
    void reallocInPlaceReleasesAndAllocatesTheSamePointer() {
        long p = c.malloc(24);
        c.addAllocationListener(events);
        long q = c.realloc(p, 16);
        assertThat(q).isEqualTo(p).isEqualTo(HEAP + 0x2a0);
        assertThat(events.take()).containsExactly("- realloc 0x5555555592a0", "+ realloc 0x5555555592a0 16");
    }

    @Test
    void reallocThatMovesReleasesTheOldBlockThenAllocatesTheNewOne() {
        long p = c.malloc(24);
        c.malloc(24); // keeps p from growing into top
        c.addAllocationListener(events);
        long q = c.realloc(p, 0x100);
        assertThat(q).isEqualTo(HEAP + 0x2e0);
        assertThat(events.take()).containsExactly("- realloc 0x5555555592a0", "+ realloc 0x5555555592e0 256");
    }

    @Test
    void reallocToZeroBytesOnlyReleases() {
        long p = c.malloc(24);
        c.addAllocationListener(events);
        assertThat(c.realloc(p, 0)).isZero();
        assertThat(events.take()).containsExactly("- realloc 0x5555555592a0");
    }

    @Test
    void aFailedReallocReleasesNothing() {
        long p = c.malloc(24);
        c.addAllocationListener(events);
        assertThat(c.realloc(p, Long.MAX_VALUE)).isZero();
        assertThat(c.errno()).isEqualTo(12); // ENOMEM; p is still the program's
        assertThat(events.take()).isEmpty();
        c.free(p);
        assertThat(events.take()).containsExactly("- free 0x5555555592a0");
    }

    @Test
    void reallocarrayReportsLikeReallocWithNmembTimesSize() {
        long p = c.malloc(24);
        c.malloc(24);
        c.addAllocationListener(events);
        long q = c.reallocarray(p, 4, 0x40);
        assertThat(q).isEqualTo(HEAP + 0x2e0);
        assertThat(events.take()).containsExactly("- reallocarray 0x5555555592a0", "+ reallocarray 0x5555555592e0 256");
        // n * size overflows: fails, q stays allocated
        assertThat(c.reallocarray(q, 1L << 32, 1L << 32)).isZero();
        assertThat(events.take()).isEmpty();
        // 0 elements: realloc(q, 0), which frees q
        assertThat(c.reallocarray(q, 0, 8)).isZero();
        assertThat(events.take()).containsExactly("- reallocarray 0x5555555592e0");
        long r = c.reallocarray(0, 3, 8);
        assertThat(r).isEqualTo(HEAP + 0x2a0);
        assertThat(events.take()).containsExactly("+ reallocarray 0x5555555592a0 24");
    }

    @Test
    void theAlignedAllocatorsReportTheirPointerAndRequest() {
        long slot = c.global("slot", 8);
        c.addAllocationListener(events);
        long m = c.memalign(64, 100);
        long a = c.aligned_alloc(64, 100);
        assertThat(c.posix_memalign(slot, 64, 100)).isZero();
        long pm = c.getLong(slot);
        long v = c.valloc(100);
        long pv = c.pvalloc(100);
        // 2.36's memalign does not set up the tcache, so nothing sits before the first block
        assertThat(new long[] {m, a, pm, v, pv}).containsExactly(HEAP + 0x40, HEAP + 0x140, HEAP + 0x200,
                HEAP + 0x1000, HEAP + 0x2000);
        assertThat(events.take()).containsExactly(
                "+ memalign 0x555555559040 100",
                "+ aligned_alloc 0x555555559140 100",
                "+ posix_memalign 0x555555559200 100",
                "+ valloc 0x55555555a000 100",
                "+ pvalloc 0x55555555b000 100");
    }

    @Test
    void aFailedPosixMemalignReportsNothing() {
        long slot = c.global("slot", 8);
        c.putLong(slot, 0x1234);
        c.addAllocationListener(events);
        assertThat(c.posix_memalign(slot, 3, 100)).isEqualTo(22); // EINVAL: not a power of two
        assertThat(c.getLong(slot)).isEqualTo(0x1234);
        assertThat(events.take()).isEmpty();
    }

    @Test
    void strdupIsReportedOnceAsStrdup() {
        c.addAllocationListener(events);
        long s = c.strdup("hello");
        assertThat(s).isEqualTo(HEAP + 0x2a0);
        long t = c.strdup(s);
        assertThat(t).isEqualTo(HEAP + 0x2c0);
        assertThat(c.string(t)).isEqualTo("hello");
        c.free(s);
        assertThat(events.take()).containsExactly(
                "+ strdup 0x5555555592a0 6",
                "+ strdup 0x5555555592c0 6",
                "- free 0x5555555592a0");
        // the listener is told after the copy: the string is there when it looks
        List<String> seen = new ArrayList<>();
        c.addAllocationListener(new AllocationListener() {
            @Override
            public void allocated(String function, long pointer, long requested) {
                seen.add(c.string(pointer));
            }

            @Override
            public void released(String function, long pointer) {
            }
        });
        c.strdup("é!");
        assertThat(seen).containsExactly("é!");
        assertThat(events.take()).containsExactly("+ strdup 0x5555555592a0 4");
    }

    @Test
    void stdoutsBufferIsReportedAsStdioBufferOnce() {
        c.addAllocationListener(events);
        c.printf("hello %d\n", 1);
        c.puts("again");
        long p = c.malloc(24);
        assertThat(stdout.toString()).as("a pipe: the buffer holds the text until a flush").isEmpty();
        c.fflush(LibC.STDOUT);
        assertThat(stdout.toString()).isEqualTo("hello 1\nagain\n");
        assertThat(p).isEqualTo(HEAP + 0x2a0 + 0x1010);
        assertThat(events.take()).containsExactly(
                "+ stdio buffer 0x5555555592a0 4096",
                "+ malloc 0x55555555a2b0 24");
        assertThat(AllocationListener.STDIO_BUFFER).isEqualTo("stdio buffer");
    }

    @Test
    void anUnbufferedStdoutAllocatesNothing() {
        c.setbufNone(LibC.STDOUT);
        c.addAllocationListener(events);
        c.printf("hello\n");
        assertThat(events.take()).isEmpty();
    }

    @Test
    void listenersAreToldInTheOrderTheyWereAddedAndCanBeRemoved() {
        Events first = new Events("1");
        Events second = new Events("2");
        c.addAllocationListener(first);
        c.addAllocationListener(second);
        c.addAllocationListener(first);
        long p = c.malloc(24);
        assertThat(first.take()).containsExactly("1+ malloc 0x5555555592a0 24", "1+ malloc 0x5555555592a0 24");
        assertThat(second.take()).containsExactly("2+ malloc 0x5555555592a0 24");

        c.removeAllocationListener(first);
        c.free(p);
        assertThat(first.take()).containsExactly("1- free 0x5555555592a0");
        assertThat(second.take()).containsExactly("2- free 0x5555555592a0");

        c.removeAllocationListener(first);
        c.removeAllocationListener(second);
        c.removeAllocationListener(second); // not registered any more: nothing happens
        c.free(c.malloc(24));
        assertThat(first.take()).isEmpty();
        assertThat(second.take()).isEmpty();
    }

    @Test
    void aListenerBelongsToOneProcess() {
        CProcess other = CProcess.create();
        c.addAllocationListener(events);
        other.libc().malloc(24);
        assertThat(events.take()).isEmpty();
        assertThatThrownBy(() -> c.addAllocationListener(null)).isInstanceOf(NullPointerException.class);
    }
}
