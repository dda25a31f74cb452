package io.mallocscope.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue #17: the progress bar and the colours are decided per stream; NO_COLOR="" allows colours. */
class TerminalTest {
    @AfterEach
    void clear() {
        System.clearProperty(Terminal.STDOUT_PROPERTY);
        System.clearProperty(Terminal.STDERR_PROPERTY);
    }

    @Test
    void stdoutRedirectedLeavesTheBarOnAStderrTerminal() {
        // replay big.rep > out.txt on a terminal: the launcher says stdout is a file, stderr a terminal
        System.setProperty(Terminal.STDOUT_PROPERTY, "false");
        System.setProperty(Terminal.STDERR_PROPERTY, "true");
        assertThat(Terminal.isTerminal()).isFalse();
        assertThat(Terminal.stderrIsTerminal()).isTrue();
        assertThat(Terminal.colorsWanted()).isFalse();
    }

    @Test
    void stdinRedirectedAloneKeepsTheColours() {
        // < in.txt: System.console() is null, but stdout is still a terminal
        System.setProperty(Terminal.STDOUT_PROPERTY, "true");
        System.setProperty(Terminal.STDERR_PROPERTY, "true");
        assertThat(Terminal.isTerminal()).isTrue();
        assertThat(Terminal.colorsWanted(true, Map.of())).isTrue();
    }

    @Test
    void noColorFollowsNoColorOrg() {
        assertThat(Terminal.colorsWanted(true, Map.of("NO_COLOR", ""))).as("empty: not set").isTrue();
        assertThat(Terminal.colorsWanted(true, Map.of("NO_COLOR", "1"))).isFalse();
        assertThat(Terminal.colorsWanted(true, Map.of("NO_COLOR", "0"))).as("any non-empty value").isFalse();
        assertThat(Terminal.colorsWanted(true, Map.of("TERM", "dumb"))).isFalse();
        assertThat(Terminal.colorsWanted(false, Map.of())).isFalse();
    }
}
