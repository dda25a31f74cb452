package io.mallocscope.runtime.timeline;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.trace.TraceOp;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one call table: what the agent records by name, the codec by signature, and replays call. */
class FunctionsTest {

    private static CProcess process() {
        return CProcess.create(ProcessOptions.defaults().withStdout(OutputStream.nullOutputStream())
                .withStderr(OutputStream.nullOutputStream()));
    }

    @Test
    void everyLibCRowNamesAPublicLibCMethodTakingItsArguments() {
        for (int fn = 0; fn < Functions.count(); fn++) {
            String name = Functions.name(fn);
            int arity = Functions.arity(fn);
            boolean found = Arrays.stream(LibC.class.getMethods())
                    .anyMatch(m -> m.getName().equals(name) && !Modifier.isStatic(m.getModifiers())
                            && m.getParameterCount() == arity);
            // the thread and process rows other than pthread_detach are recorded by advice of their own
            // (pthread_join as it returns, fork with its body) and replayed by ReplayContexts
            boolean ownAdvice = fn >= Functions.PTHREAD_CREATE && !Functions.isLibCCall(fn);
            if (!ownAdvice) {
                assertThat(found).as("LibC.%s with %d arguments", name, arity).isEqualTo(Functions.isLibCCall(fn));
            }
            assertThat(Functions.byName(name)).isEqualTo(fn);
        }
    }

    @Test
    void callRunsTheFunctionOnTheLibCItIsGiven() {
        LibC table = process().libc();
        LibC direct = process().libc();
        long a = Functions.call(table, Functions.MALLOC, new long[] {0x28});
        assertThat(a).isEqualTo(direct.malloc(0x28)).isNotZero();
        long b = Functions.call(table, Functions.CALLOC, new long[] {3, 0x10});
        assertThat(b).isEqualTo(direct.calloc(3, 0x10));
        assertThat(Functions.call(table, Functions.FREE, new long[] {a})).isZero();
        direct.free(a);
        assertThat(Functions.call(table, Functions.MALLOC_USABLE_SIZE, new long[] {b}))
                .isEqualTo(direct.malloc_usable_size(b)).isEqualTo(0x38);
        // tcache took a back: the next malloc(0x28) is a again on both
        assertThat(Functions.call(table, Functions.MALLOC, new long[] {0x28})).isEqualTo(direct.malloc(0x28)).isEqualTo(a);
        assertThat(Functions.call(table, Functions.SBRK, new long[] {0})).isEqualTo(direct.sbrk(0));
        assertThat(Functions.call(table, Functions.MALLINFO2, new long[0])).isZero();
    }

    @Test
    void everyLibCRowHasACall() {
        LibC c = process().libc();
        for (int fn = 0; fn < Functions.count(); fn++) {
            if (Functions.isLibCCall(fn)) {
                long r = Functions.call(c, fn, new long[Functions.arity(fn)]);
                if (fn == Functions.MALLOC) {
                    assertThat(r).as("malloc(0)").isNotZero();
                }
            }
        }
    }

    @Test
    void aKernelCallIsNotALibCCall() {
        assertThat(Functions.isLibCCall(Functions.SYS_BRK)).isFalse();
        assertThatThrownBy(() -> Functions.call(process().libc(), Functions.SYS_BRK, new long[] {0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("sys_brk is not a LibC function");
        assertThatThrownBy(() -> Functions.call(process().libc(), 999, new long[0]))
                .hasMessage("? is not a LibC function");
    }

    @Test
    void everyTraceOpCallsAFunctionOfTheTable() {
        for (TraceOp op : TraceOp.values()) {
            int fn = Functions.byName(op.function());
            assertThat(Functions.isLibCCall(fn)).as(op.function()).isTrue();
            assertThat(op.argCount()).as(op.function()).isEqualTo(Functions.arity(fn));
        }
    }
}
