package io.mallocscope.runtime;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The formatter's own rules, independent of gcc (PrintfMatchesGlibcTest checks the bulk against
 * glibc when gcc is there): C strings from memory, byte counting, and clear errors.
 */
class PrintfTest {
    private static final Map<Long, byte[]> MEMORY = Map.of(
            0x1000L, "heap".getBytes(StandardCharsets.US_ASCII),
            0x2000L, new byte[] {(byte) 0xc3, (byte) 0xa9});
    /** The whole string whatever the precision: Printf cuts it too (a Java String's %.Ns). */
    private static final Printf.StringReader READER = (address, max) -> MEMORY.get(address);

    private static String fmt(String format, Object... args) {
        return new String(Printf.format(format, args, READER), StandardCharsets.UTF_8);
    }

    @Test
    void pointersAndSizesAsHow2heapPrintsThem() {
        assertThat(fmt("%p", 0x5555555592a0L)).isEqualTo("0x5555555592a0");
        assertThat(fmt("%p", 0L)).isEqualTo("(nil)");
        assertThat(fmt("size %#lx, %zu bytes", 0x291L, 0x290L)).isEqualTo("size 0x291, 656 bytes");
        assertThat(fmt("%lu", -1L)).isEqualTo("18446744073709551615");
        assertThat(fmt("%d", 0x1_0000_0005L)).as("int conversion takes the low 32 bits").isEqualTo("5");
        assertThat(fmt("%u", -1)).isEqualTo("4294967295");
        assertThat(fmt("%x", 'A')).isEqualTo("41");
        assertThat(fmt("%d%%", 50)).isEqualTo("50%");
    }

    @Test
    void percentSTakesAPointerOrAJavaString() {
        assertThat(fmt("[%s|%-6s|%.2s]", 0x1000L, 0x1000L, "java")).isEqualTo("[heap|heap  |ja]");
        assertThat(fmt("%s", (Object) null)).isEqualTo("(null)");
        assertThat(fmt("[%-4s]", 0x2000L)).as("width counts bytes: é is two").isEqualTo("[\u00e9  ]");
        assertThat(Printf.format("%.1s", new Object[] {0x2000L}, READER)).as("precision cuts bytes")
                .containsExactly(0xc3);
    }

    @Test
    void percentCWritesOneByteForIntegersAndUtf8ForChars() {
        assertThat(Printf.format("%c", new Object[] {0xe9}, READER)).containsExactly(0xe9);
        assertThat(Printf.format("%c", new Object[] {'\u00e9'}, READER)).containsExactly(0xc3, 0xa9);
    }

    @Test
    void mistakesAreClearErrorsNamingTheFormat() {
        assertThatThrownBy(() -> fmt("%d %d\n", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("printf: too few arguments for format \"%d %d\\n\"");
        assertThatThrownBy(() -> fmt("%f", 1.0)).hasMessage("printf: unsupported conversion '%f' in format \"%f\"");
        assertThatThrownBy(() -> fmt("%d", 1.0)).hasMessage("printf: expected an integer or pointer, got Double (1.0)");
        assertThatThrownBy(() -> fmt("abc%5l")).hasMessage("printf: incomplete conversion '%5l' at the end of format \"abc%5l\"");
        assertThat(fmt("trailing %")).isEqualTo("trailing %");
    }
}
