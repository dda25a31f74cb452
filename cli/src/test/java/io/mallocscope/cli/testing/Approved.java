package io.mallocscope.cli.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Approved-output files: a view's text is compared exactly with
 * {@code src/test/resources/approved/NAME.txt}. To (re-)approve, run the tests with
 * {@code -Dmallocscope.approve=true} (or env {@code MALLOCSCOPE_APPROVE=1}) and review the diff in git.
 * A mismatch writes {@code target/approved-received/NAME.txt} for comparison.
 */
public final class Approved {
    private static final Path DIR = Path.of("src/test/resources/approved");

    private Approved() {
    }

    public static void verify(String name, String actual) {
        Path file = DIR.resolve(name + ".txt");
        try {
            if (Boolean.getBoolean("mallocscope.approve") || "1".equals(System.getenv("MALLOCSCOPE_APPROVE"))) {
                Files.createDirectories(DIR);
                Files.writeString(file, actual, StandardCharsets.UTF_8);
                return;
            }
            if (!Files.exists(file)) {
                received(name, actual);
                throw new AssertionError("no approved output " + file + " yet; received output is in target/"
                        + "approved-received/" + name + ".txt (approve with -Dmallocscope.approve=true)");
            }
            String expected = Files.readString(file, StandardCharsets.UTF_8);
            if (!expected.equals(actual)) {
                received(name, actual);
            }
            assertThat(actual).as("view output vs approved " + file).isEqualTo(expected);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void received(String name, String actual) throws IOException {
        Path dir = Path.of("target/approved-received");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name + ".txt"), actual, StandardCharsets.UTF_8);
    }
}
