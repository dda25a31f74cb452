package io.mallocscope.cli;

import io.mallocscope.cli.source.Detail;
import io.mallocscope.cli.render.BinsJsonRenderer;
import io.mallocscope.cli.render.BinsTextRenderer;
import io.mallocscope.cli.render.SnapshotRenderer;
import io.mallocscope.cli.render.Style;
import io.mallocscope.cli.source.StateSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code mallocscope bins SOURCE [--at N] [--format text|json]}. */
@Command(name = "bins", mixinStandardHelpOptions = true,
        description = "Show every free list at a step: tcache, fastbins, unsorted, small and large bins.")
final class BinsCommand implements Callable<Integer> {
    enum Format { text, json }

    private static final Map<Format, SnapshotRenderer> RENDERERS = Map.of(
            Format.text, new BinsTextRenderer(),
            Format.json, new BinsJsonRenderer());

    @Spec
    CommandSpec spec;
    @Mixin
    SourceOptions source;
    @Mixin
    ColorOption color;
    @Mixin
    FocusOptions focus;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). json: chunk addresses by bin size.")
    Format format;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        StateSource s = source.open(spec.commandLine().getErr());
        Style style = format == Format.json ? Style.PLAIN : color.style();
        RENDERERS.get(format).render(SourceOptions.stateAt(s, source.at, "--at", focus.focus(), Detail.NO_BYTES), out,
                style);
        out.flush();
        return Exit.OK;
    }
}
