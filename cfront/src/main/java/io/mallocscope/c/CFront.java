package io.mallocscope.c;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.ExitStatus;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.vm.ProgramImage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The C front end: {@link #compile} preprocesses and checks a C file; the result runs in a simulated
 * process with every load and store going through its address space.
 *
 * <pre>{@code
 * CFront.Compiled prog = CFront.compile(Path.of("first_fit.c"));
 * ExitStatus status = prog.run(ProcessOptions.defaults());
 * }</pre>
 *
 * A mistake in the program is a {@link CompileError} with gcc's format ({@code prog.c:3:5: error: …}).
 */
public final class CFront {
    private CFront() {
    }

    /** Compiles {@code file}; diagnostics name it as given. */
    public static Compiled compile(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Path dir = file.toAbsolutePath().getParent();
        return compile(new SourceFile(file.toString(), text, dir));
    }

    /** Compiles C source text; {@code name} is its file name in diagnostics and {@code __FILE__}. */
    public static Compiled compile(String name, String source) {
        return compile(new SourceFile(name, source, null));
    }

    static Compiled compile(SourceFile file) {
        Preprocessor pp = new Preprocessor();
        List<Tok> toks = pp.run(file);
        Program prog = new Program(file);
        Parser parser = new Parser(toks, prog);
        parser.parse();
        return new Compiled(prog, parser);
    }

    /** A checked program, ready to run (one run at a time). */
    public static final class Compiled {
        private final Program prog;
        private final Parser parser;
        private java.io.InputStream stdin = System.in;
        /** Each process made by {@link #process} until it runs: glibc's stdout buffer it writes through. */
        private final java.util.Map<CProcess, StdoutBuffer> buffers = new java.util.WeakHashMap<>();

        Compiled(Program prog, Parser parser) {
            this.prog = prog;
            this.parser = parser;
        }

        /** Where the program's stdin reads from (the JVM's System.in unless set). Returns this. */
        public Compiled stdin(java.io.InputStream in) {
            this.stdin = java.util.Objects.requireNonNull(in);
            return this;
        }

        /** The checked program (for the front end's own tests). */
        Program program() {
            return prog;
        }

        /** The parser's view of the program (its blocks), for the front end's own tests. */
        Parser parser() {
            return parser;
        }

        /** The pages of read-only and writable data the program's image takes (what ld would make of it). */
        public ProgramImage image() {
            return Machine.image(prog);
        }

        /** The file's name without directory and without ".c": what gcc -o would make of it. */
        public String programName() {
            String n = prog.source.name();
            int slash = n.lastIndexOf('/');
            n = slash < 0 ? n : n.substring(slash + 1);
            return n.endsWith(".c") ? n.substring(0, n.length() - 2) : n;
        }

        /**
         * Lays the program out in {@code p} (a {@link CompileError} if it cannot be) and returns it
         * as a {@link CProgram} for {@link CProcess#run}: {@code argv[0]} is taken from
         * {@code argv0} (a native run's stack depends on it) and stdout goes through {@code stdout},
         * glibc's buffering.
         */
        CProgram load(CProcess p, String argv0, StdoutBuffer stdout) {
            Machine m = new Machine(p, prog, parser, stdout, argv0);
            m.stdin = stdin;
            m.layout();
            m.load();
            return (c, argv) -> {
                String[] args = argv.clone();
                args[0] = argv0;
                int[] result = new int[1];
                Throwable[] thrown = new Throwable[1];
                // C recursion becomes Java recursion: run on a thread with a large stack
                Thread t = new Thread(null, () -> {
                    try {
                        result[0] = m.runMain(args);
                    } catch (Throwable e) {
                        thrown[0] = e;
                    }
                }, "c-main", 1L << 30);
                t.start();
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
                if (thrown[0] instanceof CompileError e) { // found running (a construct it cannot run): gcc's line, status 1
                    stdout.drain();
                    c.process().options().stderr().print(e.diagnostic());
                    c.exit(1);
                }
                if (thrown[0] instanceof RuntimeException e) {
                    if (!e.getClass().getSimpleName().equals("ProgramExit")) {
                        stdout.discard(); // a signal: what glibc still buffered is lost
                    }
                    throw e;
                }
                if (thrown[0] instanceof Error e) {
                    throw e;
                }
                m.atExit();
                m.mainReturned();
                return result[0];
            };
        }

        /**
         * Runs the program in a fresh process made from {@code options} ({@code argv[0]} is
         * {@code "./" + programName()}, as a shell runs it from its directory), with stdout buffered
         * as glibc does. Compile errors found while laying the program out are printed on stderr
         * as gcc prints them, with status 1.
         */
        public ExitStatus run(ProcessOptions options, String... args) {
            return run(options, "./" + programName(), args);
        }

        public ExitStatus run(ProcessOptions options, String argv0, String... args) {
            return run(process(options), argv0, args);
        }

        /**
         * A fresh process made from {@code options} for this program: its image's pages, stdout
         * buffered as glibc does, named after the file unless {@code options} name it. Add listeners,
         * then {@link #run(CProcess, String...)} it.
         */
        public CProcess process(ProcessOptions options) {
            StdoutBuffer buffer = new StdoutBuffer(options.stdout(), options.stdoutIsTerminal());
            ProcessOptions o = options.withStdout(buffer).withProgramImage(image());
            if (o.programName().equals(ProcessOptions.defaults().programName())) {
                o = o.withProgramName(programName());
            }
            CProcess p = CProcess.create(o);
            buffers.put(p, buffer);
            return p;
        }

        /** Runs the program in {@code p}, made by {@link #process}, with {@code argv[0]} {@code "./" + programName()}. */
        public ExitStatus run(CProcess p, String... args) {
            return run(p, "./" + programName(), args);
        }

        private ExitStatus run(CProcess p, String argv0, String... args) {
            CProgram program;
            try {
                program = load(p, argv0);
            } catch (CompileError e) {
                return refused(p, e);
            }
            return run(p, program, args);
        }

        /**
         * {@link #run(ProcessOptions, String...)}, except that a refusal found while laying the program out
         * in its process (a frame the front end does not model, say) is thrown, not printed: the program has
         * not started, so whoever runs it can say that nothing ran (as {@link CLauncher} does).
         */
        ExitStatus runUnlessRefused(ProcessOptions options, String... args) {
            CProcess p = process(options);
            return run(p, load(p, "./" + programName()), args);
        }

        private CProgram load(CProcess p, String argv0) {
            StdoutBuffer buffer = buffers.remove(p);
            if (buffer == null) {
                throw new IllegalArgumentException("the process was not made by process(options), or has run");
            }
            return load(p, argv0, buffer);
        }

        private ExitStatus run(CProcess p, CProgram program, String... args) {
            try {
                return p.run(program, args);
            } catch (CompileError e) {
                return refused(p, e);
            }
        }

        private static ExitStatus refused(CProcess p, CompileError e) {
            PrintStream err = p.options().stderr();
            err.print(e.diagnostic());
            err.flush();
            return ExitStatus.exited(1);
        }

        /** {@link #run} with stdout and stderr captured (decoded as UTF-8). */
        public CProcess.Captured runCaptured(ProcessOptions options, String... args) {
            return runCaptured(options, StandardCharsets.UTF_8, args);
        }

        /** {@link #run} with stdout and stderr captured, decoded with {@code charset} (ISO-8859-1 keeps every byte). */
        CProcess.Captured runCaptured(ProcessOptions options, java.nio.charset.Charset charset, String... args) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            CProcess p = process(options.withStdout(out).withStderr(err));
            ExitStatus status = run(p, args);
            return new CProcess.Captured(status, out.toString(charset), err.toString(charset), p);
        }
    }
}
