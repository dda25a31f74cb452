package io.mallocscope.samples;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.ExitStatus;
import io.mallocscope.runtime.ProcessOptions;

import java.util.List;
import java.util.Optional;

/**
 * The sample programs, in teaching order, then the tools (programs that are not lessons, such as
 * {@link Replay}), and the main class of {@code mallocscope-samples.jar}:
 * {@code java -jar mallocscope-samples.jar NAME [ARGS…]} runs one, {@code … list} lists them.
 */
public final class Samples {
    private Samples() {
    }

    /** Every sample, in the order a course would take them. */
    public static final List<Class<? extends CProgram>> ALL = List.of(
            // the process and its memory
            MemoryLayout.class,
            BrkAndSbrk.class,
            MmapAndMunmap.class,
            // chunks
            ChunkAnatomy.class,
            RequestRounding.class,
            FreeChunkLinks.class,
            // bins, in the order malloc looks at them
            TcacheFillAndDrain.class,
            FastbinLifo.class,
            UnsortedBin.class,
            SmallBins.class,
            LargeBins.class,
            MallocConsolidate.class,
            Coalescing.class,
            TopGrowAndTrim.class,
            MmapThreshold.class,
            // the rest of the malloc family
            ReallocInPlaceOrMoved.class,
            CallocZeroes.class,
            Memalign.class,
            // what glibc catches
            DoubleFreeTcache.class,
            DoubleFreeFasttop.class,
            InvalidPointer.class,
            InvalidSize.class,
            CorruptedTopSize.class,
            UseAfterFreeTcache.class,
            // how2heap, ported
            FirstFit.class,
            FastbinDup.class,
            FastbinDupIntoStack.class,
            FastbinDupConsolidate.class,
            TcachePoisoning.class,
            DecryptSafeLinking.class,
            TcacheHouseOfSpirit.class,
            HouseOfSpirit.class,
            HouseOfBotcake.class,
            FastbinReverseIntoTcache.class,
            TcacheStashingUnlinkAttack.class,
            HouseOfLore.class,
            UnsafeUnlink.class,
            OverlappingChunks.class,
            MmapOverlappingChunks.class,
            SysmallocIntFree.class,
            HouseOfTangerine.class,
            LargeBinAttack.class,
            PoisonNullByte.class,
            HouseOfEinherjar.class,
            TcacheMetadataPoisoning.class,
            HouseOfWater.class,
            SafeLinkDoubleProtect.class,
            TcacheRelativeWrite.class,
            // the memory-mapping segment: files, shared libraries, processes
            FileMappedShared.class,
            PrivateMappingCopyOnWrite.class,
            SigbusPastEof.class,
            SharedLibraries.class,
            ForkSharedMemory.class,
            MallocAfterFork.class,
            // threads and arenas
            ThreadArenas.class,
            CrossThreadFree.class,
            ArenaReuse.class,
            ArenaMaxOne.class,
            HouseOfMindFastbin.class,
            // real programs
            WordFrequency.class,
            DynamicArray.class
    );

    /** Programs that are not lessons: run and listed like the samples, after them. */
    public static final List<Class<? extends CProgram>> TOOLS = List.of(
            // any malloclab trace, one call per line (for recording)
            Replay.class
    );

    /** A sample's (or tool's) name, description and class; {@code tool} for one of {@link #TOOLS}. */
    public record Info(int number, String name, String description, int expectedStatus,
                       Class<? extends CProgram> type, boolean tool) {
        public CProgram newInstance() {
            try {
                return type.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot instantiate sample " + type.getName(), e);
            }
        }
    }

    public static List<Info> list() {
        java.util.ArrayList<Info> out = new java.util.ArrayList<>();
        int n = 1;
        for (Class<? extends CProgram> c : ALL) {
            Sample s = c.getAnnotation(Sample.class);
            out.add(new Info(n++, s.name(), s.description(), s.expectedStatus(), c, false));
        }
        for (Class<? extends CProgram> c : TOOLS) {
            Sample s = c.getAnnotation(Sample.class);
            out.add(new Info(n++, s.name(), s.description(), s.expectedStatus(), c, true));
        }
        return List.copyOf(out);
    }

    public static Optional<Info> find(String name) {
        return list().stream().filter(i -> i.name().equals(name)).findFirst();
    }

    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("list") || args[0].equals("--help")) {
            System.out.println("usage: java -jar mallocscope-samples.jar NAME [ARGS...]");
            System.out.println();
            int width = list().stream().mapToInt(i -> i.name().length()).max().orElse(10);
            for (Info i : list()) {
                System.out.printf("%2d  %-" + width + "s  %s%n", i.number(), i.name(), i.description());
            }
            System.exit(args.length == 0 ? 2 : 0);
        }
        Optional<Info> info = find(args[0]);
        if (info.isEmpty()) {
            System.err.println("mallocscope-samples: unknown sample '" + args[0]
                    + "' (java -jar mallocscope-samples.jar list shows them all)");
            System.exit(2);
        }
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        CProcess process;
        try {
            process = CProcess.create(ProcessOptions.fromEnvironment().withProgramName(info.get().name()));
        } catch (IllegalArgumentException e) {
            // a bad glibc profile or GLIBC_TUNABLES: one line, like any usage error
            System.err.println("mallocscope-samples: " + e.getMessage());
            System.exit(2);
            return;
        }
        ExitStatus status = process.run(info.get().newInstance(), rest);
        System.out.flush();
        System.err.flush();
        System.exit(status.code());
    }
}
