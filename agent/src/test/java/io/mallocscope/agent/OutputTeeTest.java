package io.mallocscope.agent;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class OutputTeeTest {

    @Test
    void theTeeEncodesTextAsTheStreamItReplaces() {
        PrintStream latin1 = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.ISO_8859_1);
        PrintStream utf8 = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        if (Runtime.version().feature() >= 18) {
            assertThat(OutputTee.charsetOf(latin1)).isEqualTo(StandardCharsets.ISO_8859_1);
        } else {
            assertThat(OutputTee.charsetOf(latin1)).isEqualTo(StandardCharsets.UTF_8); // JDK 17 cannot tell
        }
        assertThat(OutputTee.charsetOf(utf8)).isEqualTo(StandardCharsets.UTF_8);
        String enc = System.getProperty("sun.stdout.encoding");
        if (Runtime.version().feature() < 18 && enc == null) {
            assertThat(OutputTee.charsetOf(System.out)).isEqualTo(java.nio.charset.Charset.defaultCharset());
        }
    }
}
