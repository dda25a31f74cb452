package io.mallocscope.runtime.text;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JsonTest {
    @Test
    void escapesWhatJsonRequires() {
        assertThat(Json.quote("say \"hi\"\n\\\r\t\u0007<b>")).isEqualTo("\"say \\\"hi\\\"\\n\\\\\\r\\t\\u0007<b>\"");
    }

    @Test
    void insideAScriptAlsoEscapesMarkupAndLineSeparators() {
        assertThat(Json.quoteForScript(new StringBuilder(), "</script><!--&\u2028\u2029\u007f\r").toString())
                .isEqualTo("\"\\u003c/script\\u003e\\u003c!--\\u0026\\u2028\\u2029\\u007f\\r\"");
    }

    @Test
    void hexAsGdbPrintsIt() {
        assertThat(Hex.of(0x5555555592a0L)).isEqualTo("0x5555555592a0");
        assertThat(Hex.word(0x21)).isEqualTo("0x0000000000000021");
        assertThat(Hex.of(-1)).isEqualTo("0xffffffffffffffff");
    }
}
