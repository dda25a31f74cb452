package io.mallocscope.runtime.trace;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The offsets writer's numbers are exactly Long's. */
class AsciiOutTest {

    @Test
    void numbersAreWrittenAsLongWritesThem() {
        long[] edges = {0, 1, 9, 10, 15, 16, 99, 100, 0xfff, 0x1000, Long.MAX_VALUE, Long.MIN_VALUE, -1, -9, -10,
            Long.MIN_VALUE + 1, 0x8000000000000000L + 9, 999_999_999_999_999_999L, 1_000_000_000_000_000_000L};
        SplittableRandom rnd = new SplittableRandom(3);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AsciiOut out = new AsciiOut(bytes, 0); // the smallest buffer: flushes often
        StringBuilder expected = new StringBuilder();
        for (int k = 0; k < 20_000; k++) {
            long v = k < edges.length ? edges[k] : rnd.nextLong() >> rnd.nextInt(64);
            out.hex(v).ch(' ').dec(v).ch(' ').udec(v).ascii(" H+0x").ascii4(AsciiOut.quad("M-0x")).ch('\n');
            expected.append(Long.toHexString(v)).append(' ').append(v).append(' ').append(Long.toUnsignedString(v))
                    .append(" H+0xM-0x\n");
        }
        out.ascii("x".repeat(1000));
        expected.append("x".repeat(1000));
        out.flush();
        assertThat(bytes.toString(StandardCharsets.US_ASCII)).isEqualTo(expected.toString());
    }

    @Test
    void aQuadIsFourCharacters() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AsciiOut.quad("H+0"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
