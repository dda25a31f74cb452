package io.mallocscope.cli;

import io.mallocscope.cli.render.Style;
import io.mallocscope.cli.source.StateSource;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.malloc.GlibcProfile;
import io.mallocscope.runtime.malloc.HeapView;
import io.mallocscope.runtime.signal.SimulatedSignal;
import io.mallocscope.runtime.text.Hex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code mallocscope find-fake-fast SOURCE TARGET [SIZE] [--at N]}: pwndbg's {@code find_fake_fast}, on the
 * memory of the rebuilt process. A candidate is a chunk address at or below TARGET whose user data covers the
 * 8 bytes at TARGET (pwndbg's reach) and whose size word passes {@code _int_malloc}'s fastbin check,
 * {@code fastbin_index (chunksize (victim)) == idx}, where glibc's {@code fastbin_index} casts the size to
 * {@code unsigned int}: the flag bits and the upper 32 bits of the word are not looked at (the {@code 0x7f}
 * of a libc address passes for 0x70). Each says whether it also passes 2.32+'s alignment check on a chunk
 * taken from a fastbin ({@code misaligned_chunk}, "malloc(): unaligned fastbin chunk detected 2").
 */
@Command(name = "find-fake-fast", mixinStandardHelpOptions = true,
        description = {"Fake fastbin chunks near TARGET at a step (pwndbg's find_fake_fast): the chunk addresses "
                + "at or below TARGET whose user data covers it and whose 8-byte size word, read at that step, passes "
                + "malloc's fastbin size check for SIZE (or for any fastbin size): glibc compares the low 32 bits "
                + "of the word, flag bits cleared, so misaligned words such as a pointer's 0x7f pass too. Each "
                + "candidate says whether it is 16-aligned, which glibc 2.32 and later require of a chunk "
                + "taken from a fastbin."})
final class FindFakeFastCommand implements Callable<Integer> {
    private static final long SIZE_SZ = 8;
    private static final long CHUNK_HDR_SZ = 16;
    private static final long MINSIZE = 0x20;
    private static final long MALLOC_ALIGN_MASK = 15;
    /** DEFAULT_MXFAST as set_max_fast rounds it: what global_max_fast is once malloc has initialised. */
    private static final long DEFAULT_MAX_FAST = 0x80;

    @Spec
    CommandSpec spec;
    @Mixin
    SourceOptions source;
    @Mixin
    ColorOption color;

    @Parameters(index = "1", paramLabel = "TARGET",
            description = "The address the fake chunk's user data must cover (hex).")
    String target;

    @Parameters(index = "2", paramLabel = "SIZE", arity = "0..1",
            description = "The fastbin chunk size to look for (0x20 … global_max_fast, 0x80 by default; hex with "
                    + "0x, or decimal); default: every fastbin size.")
    String size;

    @Override
    public Integer call() {
        long t = Addresses.parse("TARGET", target);
        Long wanted = size == null ? null : chunkSize(size);
        PrintWriter out = spec.commandLine().getOut();
        StateSource s = source.open(spec.commandLine().getErr());
        int step = source.at == null ? s.steps() : source.at;
        CProcess p = s.process(step);
        GlibcProfile profile = p.malloc().profile();
        if (!profile.hasFastbins()) {
            throw UserError.data(profile + " has no fastbins: malloc takes no chunk from one");
        }
        long maxFast = HeapView.of(p.malloc()).params().globalMaxFast();
        String maxFastSaid = Hex.of(maxFast);
        if (maxFast == 0) {
            // glibc's global_max_fast is 0 until malloc's first call runs malloc_init_state
            maxFast = DEFAULT_MAX_FAST;
            maxFastSaid = "not set yet: 0x80 once malloc runs";
        }
        if (wanted != null && wanted > maxFast) {
            throw UserError.usage("SIZE " + Hex.of(wanted) + " is above global_max_fast (" + Hex.of(maxFast)
                    + "): malloc does not look in the fastbins for it");
        }
        long largest = wanted != null ? wanted : maxFast & ~MALLOC_ALIGN_MASK;
        long smallest = wanted != null ? wanted : MINSIZE;
        Style style = color.style();
        out.println(style.banner("fake fastbin chunks") + " whose user data covers " + Hex.of(t) + " at step "
                + step + " of " + s.name() + " (" + profile + ", global_max_fast " + maxFastSaid + ", "
                + (wanted == null ? "any fastbin size" : "size " + Hex.of(wanted)) + ")");
        int found = 0;
        // the chunk's data [chunk+0x10, chunk+size+8) holds the 8 bytes at TARGET: chunk from TARGET-size to TARGET-0x10
        for (long chunk = t - largest; Long.compareUnsigned(chunk, t - CHUNK_HDR_SZ) <= 0; chunk++) {
            long word;
            try {
                word = p.memory().read64(chunk + SIZE_SZ);
            } catch (SimulatedSignal unmapped) {
                continue;
            }
            long fits = fastbinSize(word);
            if (fits < smallest || fits > largest || Long.compareUnsigned(chunk, t - fits) < 0) {
                continue;
            }
            found++;
            out.println();
            print(out, style, chunk, word, fits, t, profile);
        }
        if (found == 0) {
            out.println("none");
        }
        out.flush();
        return Exit.OK;
    }

    /**
     * The fastbin chunk size whose index glibc's {@code fastbin_index (chunksize (word))} gives for this size
     * word: {@code ((unsigned int) size >> 4) - 2} reversed, so the low 32 bits without the low 4 (the flag bits
     * and bit 3, which the shift drops); 0 for a word whose index is no fastbin's.
     */
    static long fastbinSize(long word) {
        long size = word & 0xffff_fff0L;
        return size >= MINSIZE ? size : 0;
    }

    private static void print(PrintWriter out, Style style, long chunk, long word, long fits, long t,
                              GlibcProfile profile) {
        StringBuilder head = new StringBuilder("Fake chunk");
        if ((word & 1) != 0) {
            head.append(" | PREV_INUSE");
        }
        if ((word & 2) != 0) {
            head.append(" | IS_MMAPPED");
        }
        if ((word & 4) != 0) {
            head.append(" | NON_MAIN_ARENA");
        }
        out.println(style.bold(head.toString()));
        out.println("Addr: " + style.address(Hex.of(chunk)));
        out.println("Size: " + Hex.of(word & ~7L) + " (with flag bits: " + Hex.of(word) + ")"
                + (Long.compareUnsigned(word, 0xffff_ffffL) > 0 ? "; fastbin_index reads its low 32 bits" : ""));
        long lowest = fits == MINSIZE ? 0 : fits - 0x17;
        out.println("fastbins[" + Hex.of(fits) + "]: malloc(" + Hex.of(lowest) + "…" + Hex.of(fits - SIZE_SZ)
                + ") would return " + Hex.of(chunk + CHUNK_HDR_SZ) + (t == chunk + CHUNK_HDR_SZ ? ", the target itself"
                : "; " + Hex.of(t) + " is " + Hex.of(t - chunk - CHUNK_HDR_SZ) + " bytes into it"));
        if ((chunk & MALLOC_ALIGN_MASK) == 0) {
            out.println("16-aligned");
        } else if (profile.alignmentChecks()) {
            out.println(style.bad("not 16-aligned: malloc(): unaligned fastbin chunk detected 2"));
        } else {
            out.println("not 16-aligned (" + profile + " does not check)");
        }
    }

    /** SIZE as a chunk size of the fastbins: 0x-hex or decimal, a multiple of 0x10 from 0x20. */
    private static long chunkSize(String typed) {
        long v;
        try {
            v = typed.startsWith("0x") || typed.startsWith("0X") ? Long.parseUnsignedLong(typed.substring(2), 16)
                    : Long.parseLong(typed);
        } catch (NumberFormatException e) {
            throw UserError.usage("SIZE: '" + typed + "' is not a number (hex with 0x, or decimal)");
        }
        if (v < MINSIZE || (v & MALLOC_ALIGN_MASK) != 0) {
            throw UserError.usage("SIZE: " + Hex.of(v) + " is not a fastbin chunk size (0x20, 0x30, … up to "
                    + "global_max_fast: a chunk size, not a request)");
        }
        return v;
    }
}
