package io.mallocscope.cli.html;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the HTML timeline page shows, already decided: one {@link Step} per call (step 0 is the
 * heap before the first call), the program's output and a header. {@link HtmlRenderer} only serialises
 * it; readers (a recorded timeline, a replayed trace) build it.
 *
 * @param title  the page title (e.g. the program's name)
 * @param header what ran, and how
 * @param steps  step 0 first; never empty
 * @param stdout     the program's standard output, as it printed it (may be empty)
 * @param stderr     the program's standard error (may be empty)
 * @param outputNote empty when {@code stdout} and {@code stderr} are the program's output; otherwise why
 *                   they are not (e.g. {@link #OUTPUT_NOT_RECORDED}), which the page shows instead of them
 * @param stdoutEnds for each step, how many chars of {@code stdout} the program had printed by its end (the
 *                   page shows the output up to the current step); empty: the whole output at every step
 * @param stderrEnds the same for {@code stderr}
 * @param charts     the heap over the steps, drawn as charts; null: no charts
 */
public record HtmlModel(String title, Header header, List<Step> steps, String stdout, String stderr,
                        String outputNote, List<Integer> stdoutEnds, List<Integer> stderrEnds, Charts charts) {

    /** What the output panel says for a source that does not carry the program's output. */
    public static final String OUTPUT_NOT_RECORDED = "(program output is not recorded in timelines)";

    /** The chunk states the page knows how to colour, in legend order. */
    public static final Set<String> STATES = Set.of("in_use", "tcache", "fastbin", "unsorted", "smallbin",
            "largebin", "top", "mmapped");

    public HtmlModel {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(header, "header");
        steps = List.copyOf(steps);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("an HTML timeline needs at least step 0");
        }
        stdout = stdout == null ? "" : stdout;
        stderr = stderr == null ? "" : stderr;
        outputNote = outputNote == null ? "" : outputNote;
        stdoutEnds = List.copyOf(stdoutEnds);
        stderrEnds = List.copyOf(stderrEnds);
        for (List<Integer> ends : List.of(stdoutEnds, stderrEnds)) {
            if (!ends.isEmpty() && ends.size() != steps.size()) {
                throw new IllegalArgumentException("an output end per step: " + ends.size() + " for " + steps.size()
                        + " steps");
            }
        }
        if (charts != null && charts.heap().length != steps.size()) {
            throw new IllegalArgumentException("a chart point per step: " + charts.heap().length + " for "
                    + steps.size() + " steps");
        }
    }

    /** A model whose {@code stdout} and {@code stderr} are the program's whole output, or why not. */
    public HtmlModel(String title, Header header, List<Step> steps, String stdout, String stderr,
                     String outputNote) {
        this(title, header, steps, stdout, stderr, outputNote, List.of(), List.of(), null);
    }

    /** A model whose {@code stdout} and {@code stderr} are the program's whole output. */
    public HtmlModel(String title, Header header, List<Step> steps, String stdout, String stderr) {
        this(title, header, steps, stdout, stderr, "");
    }

    /** This model with the charts of its steps. */
    public HtmlModel withCharts(Charts c) {
        return new HtmlModel(title, header, steps, stdout, stderr, outputNote, stdoutEnds, stderrEnds, c);
    }

    /**
     * The heap over the page's steps (index = step), as {@code mallocscope plot} computes it: the heap size
     * (the break's extent plus mmapped bytes), the mmapped bytes, the live requested bytes, and the free
     * bytes per bin class, by the bins table's heading ({@code tcachebins}, {@code fastbins}, …).
     */
    public record Charts(long[] heap, long[] mmapped, long[] live, Map<String, long[]> free, long peakLive,
                         long peakHeap) {
        public Charts {
            Map<String, long[]> copy = new LinkedHashMap<>(free);
            free = java.util.Collections.unmodifiableMap(copy);
        }
    }

    /**
     * What ran.
     *
     * @param program   the program (sample name, trace file …)
     * @param glibc     the glibc profile, e.g. "2.36"
     * @param tunables  GLIBC_TUNABLES as given, or empty
     * @param heapStart where the heap starts (0 if it never started)
     */
    public record Header(String program, String glibc, String tunables, long heapStart) {
        public Header {
            program = program == null ? "" : program;
            glibc = glibc == null ? "" : glibc;
            tunables = tunables == null ? "" : tunables;
        }
    }

    /**
     * The heap after one call.
     *
     * @param number      0 for the state before the first call, then 1, 2, …
     * @param op          the call and its result, e.g. {@code malloc(0x18) = 0x5555555592c0}
     * @param site        where it was called from (file:line), or empty
     * @param explanation what the allocator did, one sentence per line
     * @param chunks      the chunks of the heap in address order, then the mmapped chunks
     * @param bins        non-empty bins by pwndbg-style name ({@code tcachebins[0x20]}) → chunk addresses,
     *                    formatted as the page should show them, in list order
     * @param brk         the program break after the call
     * @param maps        the memory maps of each process of the run at this step, the program first
     *                    (empty: the page shows none)
     */
    public record Step(int number, String op, String site, List<String> explanation, List<ChunkBox> chunks,
                       Map<String, List<String>> bins, long brk, List<ProcessMaps> maps) {
        public Step {
            op = op == null ? "" : op;
            site = site == null ? "" : site;
            explanation = List.copyOf(explanation);
            chunks = List.copyOf(chunks);
            Map<String, List<String>> copy = new LinkedHashMap<>();
            bins.forEach((k, v) -> copy.put(k, List.copyOf(v)));
            bins = java.util.Collections.unmodifiableMap(copy);
            maps = List.copyOf(maps);
        }

        /** A step without memory maps. */
        public Step(int number, String op, String site, List<String> explanation, List<ChunkBox> chunks,
                    Map<String, List<String>> bins, long brk) {
            this(number, op, site, explanation, chunks, bins, brk, List.of());
        }
    }

    /**
     * One process's memory maps at a step.
     *
     * @param pid   its process id
     * @param label who it is ({@code "pid 2 (the program)"}, {@code "pid 3 (child of 2, exited)"})
     * @param rows  its mappings, lowest address first
     */
    public record ProcessMaps(int pid, String label, List<MapRow> rows) {
        public ProcessMaps {
            rows = List.copyOf(rows);
        }
    }

    /**
     * One mapping, as {@code maps} lists it.
     *
     * @param offset the file offset of its first byte (0 for anonymous memory)
     * @param name   its path, {@code [heap]}, {@code [stack]} …, or empty
     * @param what   for a file the program mapped, where in the file it starts and its pages' state
     *               ({@code "file at 0x0, shared: 1 page dirty"}); empty otherwise
     */
    public record MapRow(long start, long end, String perms, long offset, String name, String what) {
    }

    /**
     * One chunk drawn in the heap strip.
     *
     * @param address the chunk's address (not the pointer malloc returned)
     * @param size    the chunk size, flags masked off
     * @param state   one of {@link #STATES}
     * @param label   a short caption (e.g. the program's name for the block), or empty
     */
    public record ChunkBox(long address, long size, String state, String label) {
        public ChunkBox {
            if (!STATES.contains(state)) {
                throw new IllegalArgumentException("unknown chunk state '" + state + "', expected one of "
                        + "in_use, tcache, fastbin, unsorted, smallbin, largebin, top, mmapped");
            }
            label = label == null ? "" : label;
        }
    }
}
