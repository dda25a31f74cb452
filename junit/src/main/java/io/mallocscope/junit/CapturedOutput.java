package io.mallocscope.junit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** What the test's simulated program has printed so far; inject it as a test method parameter. */
public final class CapturedOutput {
    private final ByteArrayOutputStream out;
    private final ByteArrayOutputStream err;

    CapturedOutput(ByteArrayOutputStream out, ByteArrayOutputStream err) {
        this.out = out;
        this.err = err;
    }

    /** Everything printed on stdout so far. */
    public String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Everything printed on stderr so far (glibc's abort messages go here). */
    public String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
