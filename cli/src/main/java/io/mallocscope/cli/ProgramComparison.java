package io.mallocscope.cli;

import io.mallocscope.runtime.text.Hex;
import io.mallocscope.runtime.AllocationListener;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.ExitStatus;
import io.mallocscope.runtime.ProcessOptions;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs one program under several glibc profiles, in-process, and lines up what its allocation calls
 * returned in each, call by call, with how each run ended: the way {@code compare} shows which
 * version's check stops a how2heap technique.
 */
final class ProgramComparison {
    /** One version's run: its allocation calls as text, and how it ended. */
    record Run(String version, List<String> calls, String ending) {
    }

    /** How a program is run: the process it needs (a C program's has its image), then the run. */
    interface Runner {
        CProcess process(ProcessOptions options);

        ExitStatus run(CProcess process, String[] args);

        /**
         * Whether {@code process}, after {@link #run}, never started: the program was refused while it was laid
         * out (a C program without main), its diagnostic on the process's stderr.
         */
        default boolean refused(CProcess process) {
            return false;
        }

        /** A Java program: a plain process, a fresh instance per run. */
        static Runner of(Supplier<CProgram> program) {
            return new Runner() {
                @Override
                public CProcess process(ProcessOptions options) {
                    return CProcess.create(options);
                }

                @Override
                public ExitStatus run(CProcess process, String[] args) {
                    return process.run(program.get(), args);
                }
            };
        }
    }

    private ProgramComparison() {
    }

    static List<Run> compare(String name, Supplier<CProgram> program, List<String> args, List<String> versions,
                             String tunables) {
        return compare(name, Runner.of(program), args, versions, tunables);
    }

    static List<Run> compare(String name, Runner program, List<String> args, List<String> versions, String tunables) {
        List<Run> runs = new ArrayList<>();
        for (String v : versions) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            // an unknown version or bad tunables throw IllegalArgumentException: the caller's usage error
            CProcess process = program.process(ProcessOptions.defaults().withProgramName(name).withGlibc(v)
                    .withTunables(tunables).withStdout(out).withStderr(err));
            long heap = process.kernel().startBrk();
            List<String> calls = new ArrayList<>();
            process.libc().addAllocationListener(new AllocationListener() {
                @Override
                public void allocated(String function, long pointer, long requested) {
                    calls.add(function + "(0x" + Long.toHexString(requested) + ") = " + place(pointer, heap));
                }

                @Override
                public void released(String function, long pointer) {
                    if (function.equals("free")) {
                        calls.add("free(" + place(pointer, heap) + ")");
                    }
                }
            });
            ExitStatus status = program.run(process, args.toArray(String[]::new));
            if (program.refused(process)) {
                throw new Refused(err.toString(StandardCharsets.UTF_8));
            }
            runs.add(new Run(v, calls, ending(status, err.toString(StandardCharsets.UTF_8))));
        }
        return runs;
    }

    /** The program was refused before it started, the same under every version: its diagnostic is the answer. */
    static final class Refused extends RuntimeException {
        final String diagnostic;

        Refused(String diagnostic) {
            super(diagnostic, null, false, false);
            this.diagnostic = diagnostic;
        }
    }

    /** A pointer as the offsets format names it: from the initial break, or its page offset when mmapped. */
    private static String place(long pointer, long heap) {
        long off = pointer - heap;
        if (off >= 0 && off < (1L << 32)) {
            return "H+0x" + Long.toHexString(off);
        }
        if (off < 0 && -off < (1L << 32)) {
            return "H-0x" + Long.toHexString(-off);
        }
        return Hex.of(pointer);
    }

    private static String ending(ExitStatus status, String stderr) {
        if (status.aborted()) {
            String msg = status.signal().getMessage();
            return "abort: " + (msg == null || msg.isEmpty() ? lastLine(stderr) : msg);
        }
        if (status.segfaulted()) {
            return "segfault";
        }
        if (status.crash() != null) {
            return "crash: " + status.crash().getClass().getSimpleName();
        }
        return "exit " + status.code();
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1];
    }

    /** The side-by-side table: one column per version, rows marked {@code !} where they differ. */
    static String render(String name, List<Run> runs) {
        int rows = 0;
        for (Run r : runs) {
            rows = Math.max(rows, r.calls().size());
        }
        List<String> header = new ArrayList<>();
        header.add("");
        header.add("#");
        for (Run r : runs) {
            header.add("glibc " + r.version());
        }
        List<List<String>> table = new ArrayList<>();
        table.add(header);
        int firstDivergent = -1;
        for (int i = 0; i < rows; i++) {
            List<String> cells = new ArrayList<>();
            for (Run r : runs) {
                cells.add(i < r.calls().size() ? r.calls().get(i) : "—");
            }
            boolean divergent = cells.stream().distinct().count() > 1;
            if (divergent && firstDivergent < 0) {
                firstDivergent = i;
            }
            List<String> row = new ArrayList<>();
            row.add(divergent ? "!" : "");
            row.add(Integer.toString(i + 1));
            row.addAll(cells);
            table.add(row);
        }
        List<String> end = new ArrayList<>();
        List<String> endings = new ArrayList<>();
        for (Run r : runs) {
            endings.add(r.ending());
        }
        end.add(endings.stream().distinct().count() > 1 ? "!" : "");
        end.add("end");
        end.addAll(endings);
        table.add(end);

        int[] width = new int[header.size()];
        for (List<String> row : table) {
            for (int c = 0; c < row.size(); c++) {
                width[c] = Math.max(width[c], Math.min(row.get(c).length(), 60));
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(name).append(": allocation calls and how each run ended, per glibc version\n\n");
        for (List<String> row : table) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.size(); c++) {
                String cell = row.get(c);
                if (cell.length() > 60) {
                    cell = cell.substring(0, 59) + "…"; // the whole text follows the table
                }
                line.append(cell).append(" ".repeat(Math.max(1, width[c] - cell.length() + 2)));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        sb.append('\n');
        if (firstDivergent >= 0) {
            sb.append("The versions first part ways at call #").append(firstDivergent + 1).append(".\n");
        } else if (endings.stream().distinct().count() > 1) {
            sb.append("Every call returned the same in each version; they differ in how the run ended.\n");
        } else {
            sb.append("Every version ran the same way.\n");
        }
        for (Run r : runs) {
            if (r.ending().startsWith("abort")) {
                sb.append("glibc ").append(r.version()).append(" stops it: ").append(r.ending().substring(7)).append('\n');
            }
        }
        return sb.toString();
    }
}
