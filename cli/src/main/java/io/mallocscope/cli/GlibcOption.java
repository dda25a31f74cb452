package io.mallocscope.cli;

import io.mallocscope.runtime.malloc.GlibcProfile;
import picocli.CommandLine.Option;

/**
 * {@code --glibc VERSION}, declared once for every command that takes one profile: one default, one
 * help text, checked against the runtime's own profiles ({@link GlibcProfile#forVersion}).
 */
final class GlibcOption {
    static final String DEFAULT = "2.36";
    static final String DESCRIPTION = "glibc profile (default: ${DEFAULT-VALUE}): 2.36, 2.31, 2.41 and 2.43 are proven "
            + "against the real libraries; 2.27 and 2.23 are modelled from glibc's source and cannot be run here.";

    @Option(names = "--glibc", paramLabel = "VERSION", defaultValue = DEFAULT, description = DESCRIPTION)
    String version = DEFAULT;

    /** The version; a usage error naming the accepted ones when the runtime has no such profile. */
    String checked() {
        try {
            GlibcProfile.forVersion(version);
            return version;
        } catch (IllegalArgumentException e) {
            throw UserError.usage(e.getMessage());
        }
    }
}
