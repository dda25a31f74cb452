package io.mallocscope.cli;

import io.mallocscope.runtime.malloc.GlibcProfile;
import picocli.CommandLine.Option;

/**
 * {@code --tunables TUNABLES}, declared once: one help text, checked by the runtime's own parser
 * ({@link GlibcProfile#checkTunables}) without making a process.
 */
final class TunablesOption {
    @Option(names = "--tunables", paramLabel = "TUNABLES",
            description = "GLIBC_TUNABLES, e.g. glibc.malloc.tcache_count=0 (a trace's '# tunables:' line wins; "
                    + "a recorded timeline carries its own).")
    String text;

    /** The tunables ("" when not given); a usage error naming what is malformed. */
    String checked() {
        return checked(text);
    }

    /** {@code tunables} ("" for null), checked; a usage error naming what is malformed. */
    static String checked(String tunables) {
        try {
            GlibcProfile.checkTunables(tunables);
            return tunables == null ? "" : tunables;
        } catch (IllegalArgumentException e) {
            throw UserError.usage(e.getMessage());
        }
    }

    /** The tunables as given, "" when not given (a source that ignores them checks nothing). */
    String given() {
        return text == null ? "" : text;
    }
}
