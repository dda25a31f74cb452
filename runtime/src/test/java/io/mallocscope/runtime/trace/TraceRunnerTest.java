package io.mallocscope.runtime.trace;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.ExitStatus;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.signal.Abort;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TraceRunnerTest {
    static CProcess process() {
        return CProcess.create(ProcessOptions.defaults().withGlibc("2.36").withStderr(new ByteArrayOutputStream()));
    }

    @Test
    void aStepIsTheCallWithItsArgumentsResultAndTheMemoryItTouched() {
        Trace t = Trace.parse("t", "a 0 24\na 3 24\nr 0 100\nf 0\nc 1 16\nm 2 64 100\nt 0\no -3 65536\ns 4096\n");
        CProcess p = process();
        long heap = p.kernel().currentBrk();
        TraceRunner r = TraceRunner.onMalloc(t, p);
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < t.size(); i++) {
            steps.add(r.step(i));
        }
        steps.remove(1); // a 3 24: keeps block 0 from growing into top
        // 2.36: the tcache struct takes the first 0x290 bytes, so the first block is at heap+0x2a0
        Step malloc = steps.get(0);
        assertThat(malloc.function()).isEqualTo("malloc");
        assertThat(malloc.args()).containsExactly(24);
        assertThat(malloc.result()).isEqualTo(heap + 0x2a0);
        assertThat(malloc.allocated()).isEqualTo(heap + 0x2a0);
        assertThat(malloc.freed()).isZero();
        Step realloc = steps.get(1);
        assertThat(realloc.function()).isEqualTo("realloc");
        assertThat(realloc.args()).containsExactly(heap + 0x2a0, 100);
        assertThat(realloc.result()).isEqualTo(heap + 0x2e0); // moved past block 3
        assertThat(realloc.freed()).isEqualTo(heap + 0x2a0);
        Step free = steps.get(2);
        assertThat(free.args()).containsExactly(heap + 0x2e0); // the ID followed the moved block
        assertThat(free.freed()).isEqualTo(heap + 0x2e0);
        assertThat(free.allocated()).isZero();
        assertThat(steps.get(3).args()).containsExactly(1, 16);
        assertThat(steps.get(3).function()).isEqualTo("calloc");
        assertThat(steps.get(4).args()).containsExactly(64, 100);
        assertThat(steps.get(4).result() % 64).isZero();
        assertThat(steps.get(5).function()).isEqualTo("malloc_trim");
        assertThat(steps.get(6).function()).isEqualTo("mallopt");
        assertThat(steps.get(6).args()).containsExactly(-3, 65536);
        assertThat(steps.get(6).result()).isEqualTo(1);
        Step sbrk = steps.get(7);
        assertThat(sbrk.function()).isEqualTo("sbrk");
        assertThat(sbrk.result()).isEqualTo(p.kernel().currentBrk() - 4096);
        assertThat(sbrk.allocated()).isZero();
        assertThat(steps).allMatch(s -> s.signal() == null);
    }

    @Test
    void aFailedReallocLeavesTheIdOnTheOldBlock() {
        Trace t = Trace.parse("t", "a 0 24\nr 0 18446744073709551000\nf 0\nr 1 0\n");
        TraceRunner r = TraceRunner.onMalloc(t, process());
        long block = r.call(0);
        assertThat(r.call(1)).isZero();
        assertThat(r.block(0)).isEqualTo(block);
        Step free = r.step(2);
        assertThat(free.args()).containsExactly(block);
        assertThat(r.block(0)).isZero(); // the harness forgets a freed pointer
        assertThat(r.step(3).args()).containsExactly(0, 0); // realloc(NULL, 0) is malloc(0)
        assertThat(r.block(1)).isNotZero();
    }

    @Test
    void aSignalEndsUpInTheStepOrIsThrownByCall() {
        Trace t = Trace.parse("t", "a 0 24\nf 0\nf 0\n");
        TraceRunner keep = TraceRunner.onMalloc(t, process()).freeKeepsPointer();
        keep.step(0);
        assertThat(keep.step(1).signal()).isNull();
        Step twice = keep.step(2);
        assertThat(twice.signal()).isInstanceOf(Abort.class);
        assertThat(twice.signal().getMessage()).isEqualTo("free(): double free detected in tcache 2");
        assertThat(twice.freed()).isEqualTo(twice.arg(0)).isNotZero();
        assertThat(twice.toString()).endsWith("free(0x" + Long.toHexString(twice.arg(0)) + ") -> Aborted");

        TraceRunner again = TraceRunner.onMalloc(t, process()).freeKeepsPointer();
        again.call(0);
        again.call(1);
        assertThatThrownBy(() -> again.call(2)).isInstanceOf(Abort.class);

        TraceRunner harness = TraceRunner.onMalloc(t, process()); // the second free frees NULL
        for (int i = 0; i < 3; i++) {
            assertThat(harness.step(i).signal()).isNull();
        }
    }

    @Test
    void throughLibCGivesTheSameBlocksAsStraightOnMalloc() {
        Trace t = Trace.parse("t", "a 0 24\na 1 5000\nf 0\nr 1 9000\nc 2 200000\nm 3 256 40\no 1 0\nt 0\ns -4096\n");
        CProcess direct = process();
        TraceRunner fast = TraceRunner.onMalloc(t, direct);
        long[] expected = new long[t.size()];
        for (int i = 0; i < t.size(); i++) {
            expected[i] = fast.call(i);
        }
        long[] got = new long[t.size()];
        CProgram replay = (c, argv) -> {
            TraceRunner slow = TraceRunner.throughLibC(t, c);
            for (int i = 0; i < t.size(); i++) {
                got[i] = slow.call(i);
            }
            return 0;
        };
        assertThat(process().run(replay, "replay")).isEqualTo(ExitStatus.exited(0));
        assertThat(got).containsExactly(expected);
    }

    @Test
    void everyOpParsesItsOwnLineAndNamesItsFunction() {
        for (TraceOp op : TraceOp.values()) {
            String line = op.line(7, 16, 32);
            Trace t = Trace.parse("t", line + "\n");
            assertThat(t.op(0)).as(line).isEqualTo(op);
            assertThat(t.op(0).line(t.id(0), t.arg1(0), t.arg2(0))).isEqualTo(line);
            assertThat(TraceOp.ofLetter(op.letter())).isSameAs(op);
            assertThat(op.function()).matches("[a-z_]+");
        }
        assertThat(TraceOp.MALLOPT.line(0, -3, 65536)).isEqualTo("o -3 65536");
        assertThat(TraceOp.MEMALIGN.line(3, 64, 100)).isEqualTo("m 3 64 100");
        assertThat(TraceOp.CALLOC.argIsHex(0)).isFalse();
        assertThat(TraceOp.CALLOC.argIsHex(1)).isTrue();
        assertThat(TraceOp.SBRK.argIsHex(0)).isFalse();
        assertThat(TraceOp.FREE.argIsHex(0)).isTrue();
        assertThatThrownBy(() -> Trace.parse("t", "x 1\n")).hasMessage("t:1: unknown op 'x' (expected one of a f r c t m o s)");
        // a thread line is known, just not to this reader: say which commands read it
        assertThatThrownBy(() -> Trace.parse("t", "a 0 24\nT 1\n")).hasMessage("t:2: a thread line ('T 1'): traces with"
                + " threads (T and X lines) are read by `mallocscope replay`, `compare` and the views, not by this reader");
        assertThatThrownBy(() -> Trace.parse("t", "X 2\n")).hasMessageStartingWith("t:1: a thread line ('X 2'): ");
        assertThatThrownBy(() -> Trace.parse("t", "m 1 2\n"))
                .hasMessage("t:1: too few arguments for 'm': expected m ID ALIGN BYTES");
    }
}
