package io.mallocscope.cli;

/** The help text every {@code --glibc} option shares, so each command says the same about the profiles. */
final class GlibcOption {
    private GlibcOption() {
    }

    static final String DESCRIPTION = "glibc profile (default: ${DEFAULT-VALUE}): 2.36, 2.31, 2.41 and 2.43 are proven "
            + "against the real libraries; 2.27 and 2.23 are modelled from glibc's source and cannot be run here.";
}
