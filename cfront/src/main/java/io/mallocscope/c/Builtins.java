package io.mallocscope.c;

import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.malloc.Mallinfo2;
import io.mallocscope.runtime.memcheck.Memcheck;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The C library functions a program may call, bound to the simulated {@link LibC}: the malloc
 * family, stdio output, string.h, the system calls. Each takes the raw argument values.
 */
final class Builtins {
    private Builtins() {
    }

    @FunctionalInterface
    interface Builtin {
        long call(Machine m, long[] a, CType[] t, Expr.Call site);
    }

    private static final Map<String, Builtin> TABLE = new HashMap<>();

    static Builtin lookup(String name) {
        return TABLE.get(name);
    }

    static boolean known(String name) {
        return TABLE.containsKey(name);
    }

    static boolean isLibcObject(String name) {
        return name.equals("stdout") || name.equals("stderr") || name.equals("stdin");
    }

    private static void def(String name, Builtin b) {
        TABLE.put(name, b);
    }

    static final int IONBF = 2;
    /** {@code sizeof(struct stat)} on x86-64. */
    private static final int STAT_SIZE = 144;

    static {
        // ------------------------------------------------------------ malloc family
        def("malloc", (m, a, t, s) -> {
            if (m.memcheck && (m.argsUndefined & 1) != 0) { // Valgrind's malloc tests the size first
                m.mc.undefinedInLibrary(Memcheck.CONDITIONAL, List.of("malloc"));
            }
            return m.libc.malloc(a[0]);
        });
        def("free", (m, a, t, s) -> {
            m.libc.free(a[0]);
            return 0;
        });
        def("calloc", (m, a, t, s) -> {
            if (m.memcheck && (m.argsUndefined & 3) != 0) { // either count: one jump in Valgrind's calloc
                m.mc.undefinedInLibrary(Memcheck.CONDITIONAL, List.of("calloc"));
            }
            return m.libc.calloc(a[0], a[1]);
        });
        def("realloc", (m, a, t, s) -> {
            if (m.memcheck && (m.argsUndefined & 2) != 0) { // the size, as malloc's
                m.mc.undefinedInLibrary(Memcheck.CONDITIONAL, List.of("realloc"));
            }
            return m.libc.realloc(a[0], a[1]);
        });
        def("reallocarray", (m, a, t, s) -> m.libc.reallocarray(a[0], a[1], a[2]));
        def("memalign", (m, a, t, s) -> m.libc.memalign(a[0], a[1]));
        def("aligned_alloc", (m, a, t, s) -> m.libc.aligned_alloc(a[0], a[1]));
        def("posix_memalign", (m, a, t, s) -> m.libc.posix_memalign(a[0], a[1], a[2]));
        def("valloc", (m, a, t, s) -> m.libc.valloc(a[0]));
        def("pvalloc", (m, a, t, s) -> m.libc.pvalloc(a[0]));
        def("malloc_usable_size", (m, a, t, s) -> m.libc.malloc_usable_size(a[0]));
        def("malloc_trim", (m, a, t, s) -> m.libc.malloc_trim(a[0]));
        def("mallopt", (m, a, t, s) -> m.libc.mallopt((int) a[0], (int) a[1]));
        def("malloc_info", (m, a, t, s) -> m.libc.malloc_info((int) a[0], m.stream(a[1], s)));
        def("malloc_stats", (m, a, t, s) -> {
            m.libc.malloc_stats();
            return 0;
        });
        def("mallinfo2", (m, a, t, s) -> { // returned by value, as a program's function returns a struct
            Mallinfo2 i = m.libc.mallinfo2();
            long[] f = {i.arena(), i.ordblks(), i.smblks(), i.hblks(), i.hblkhd(), i.usmblks(), i.fsmblks(),
                i.uordblks(), i.fordblks(), i.keepcost()};
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 * f.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (long v : f) {
                b.putLong(v);
            }
            return m.structResult(b.array());
        });

        // ------------------------------------------------------------ stdio
        def("printf", (m, a, t, s) -> {
            if (s != null && s.valueUnused && "puts".equals(s.foldedWhenUnused) && a.length == 2
                    && m.string(a[0]).equals("%s\n")) {
                return m.libc.puts(a[1]); // gcc made printf("%s\n", p) puts(p): a NULL p is puts' segfault, not "(null)"
            }
            CFormat.Call c = CFormat.convert(m.string(a[0]), a, t, 1, s);
            undefinedPrinted(m, c, a);
            return m.libc.printf(c.format(), c.args());
        });
        def("fprintf", (m, a, t, s) -> {
            CFormat.Call c = CFormat.convert(m.string(a[1]), a, t, 2, s);
            Stdio.CFile file = m.stdio.file(a[0]);
            if (file != null) {
                return m.stdio.write(file, 0, m.libc.sprintf(c.format(), c.args()).getBytes(StandardCharsets.UTF_8));
            }
            int stream = m.stream(a[0], s);
            return stream == LibC.STDOUT ? m.libc.printf(c.format(), c.args()) : m.libc.fprintf(stream, c.format(), c.args());
        });
        def("sprintf", (m, a, t, s) -> {
            CFormat.Call c = CFormat.convert(m.string(a[1]), a, t, 2, s);
            byte[] b = m.libc.sprintf(c.format(), c.args()).getBytes(StandardCharsets.UTF_8);
            m.libc.writeBytes(a[0], b);
            m.libc.putByte(a[0] + b.length, 0);
            return b.length;
        });
        def("snprintf", (m, a, t, s) -> {
            CFormat.Call c = CFormat.convert(m.string(a[2]), a, t, 3, s);
            byte[] b = m.libc.sprintf(c.format(), c.args()).getBytes(StandardCharsets.UTF_8);
            if (a[1] > 0) {
                int k = (int) Math.min(b.length, a[1] - 1);
                m.libc.writeBytes(a[0], java.util.Arrays.copyOf(b, k));
                m.libc.putByte(a[0] + k, 0);
            }
            return b.length;
        });
        // vprintf and friends: the printf-family function, with the arguments the format takes from the va_list
        String[][] vforms = {{"vprintf", "printf"}, {"vfprintf", "fprintf"}, {"vsprintf", "sprintf"},
            {"vsnprintf", "snprintf"}};
        for (String[] v : vforms) {
            Builtin plain = TABLE.get(v[1]);
            def(v[0], (m, a, t, s) -> {
                int fmt = a.length - 2;
                List<CType> types = new java.util.ArrayList<>();
                long[] vals = Variadic.formatArgs(m, m.string(a[fmt]), a[fmt + 1], fmt + 1, types);
                System.arraycopy(a, 0, vals, 0, fmt + 1);
                return plain.call(m, vals, types.toArray(CType[]::new), s);
            });
        }
        // ------------------------------------------------------------ threads (nptl, on the deterministic scheduler)
        def("pthread_create", (m, a, t, s) -> {
            Function fn = m.functionAt(a[2], s);
            return wrote(m, a[0], 8, m.libc.pthread_create(a[0], a[1], (c, arg) -> m.runThread(fn, arg), a[3]));
        });
        def("pthread_join", (m, a, t, s) -> wrote(m, a[1], 8, m.libc.pthread_join(a[0], a[1])));
        def("pthread_exit", (m, a, t, s) -> {
            m.libc.pthread_exit(a[0]);
            return 0;
        });
        def("pthread_self", (m, a, t, s) -> m.libc.pthread_self());
        def("pthread_detach", (m, a, t, s) -> m.libc.pthread_detach(a[0]));
        def("pthread_attr_init", (m, a, t, s) -> wrote(m, a[0], 56, m.libc.pthread_attr_init(a[0])));
        def("pthread_attr_destroy", (m, a, t, s) -> 0);
        def("pthread_attr_setstacksize", (m, a, t, s) -> m.libc.pthread_attr_setstacksize(a[0], a[1]));
        def("pthread_mutex_init", (m, a, t, s) -> wrote(m, a[0], 40, m.libc.pthread_mutex_init(a[0], a[1])));
        def("pthread_mutex_destroy", (m, a, t, s) -> 0);
        def("pthread_mutex_lock", (m, a, t, s) -> m.libc.pthread_mutex_lock(a[0]));
        def("pthread_mutex_trylock", (m, a, t, s) -> m.libc.pthread_mutex_trylock(a[0]));
        def("pthread_mutex_unlock", (m, a, t, s) -> m.libc.pthread_mutex_unlock(a[0]));
        def("pthread_cond_init", (m, a, t, s) -> wrote(m, a[0], 48, m.libc.pthread_cond_init(a[0], a[1])));
        def("pthread_cond_destroy", (m, a, t, s) -> 0);
        def("pthread_cond_wait", (m, a, t, s) -> m.libc.pthread_cond_wait(a[0], a[1]));
        def("pthread_cond_signal", (m, a, t, s) -> m.libc.pthread_cond_signal(a[0]));
        def("pthread_cond_broadcast", (m, a, t, s) -> m.libc.pthread_cond_broadcast(a[0]));
        def("sem_init", (m, a, t, s) -> wrote(m, a[0], 32, m.libc.sem_init(a[0], (int) a[1], a[2])));
        def("sem_destroy", (m, a, t, s) -> 0);
        def("sem_wait", (m, a, t, s) -> m.libc.sem_wait(a[0]));
        def("sem_post", (m, a, t, s) -> m.libc.sem_post(a[0]));
        def("sched_yield", (m, a, t, s) -> m.libc.sched_yield());
        def("puts", (m, a, t, s) -> m.libc.puts(a[0]));
        def("putchar", (m, a, t, s) -> m.libc.putchar((int) a[0]));
        def("fputs", (m, a, t, s) -> {
            Stdio.CFile file = m.stdio.file(a[1]);
            if (file != null) {
                byte[] b = m.bytes(a[0]);
                return m.stdio.write(file, a[0], b) == b.length ? 1 : -1;
            }
            int stream = m.stream(a[1], s);
            int n = stream == LibC.STDOUT ? m.libc.printf("%s", a[0]) : m.libc.fprintf(stream, "%s", a[0]);
            return n < 0 ? -1 : 1; // glibc's fputs returns 1, not the count
        });
        Builtin fputc = (m, a, t, s) -> {
            Stdio.CFile file = m.stdio.file(a[1]);
            if (file != null) {
                return m.stdio.putc(file, (int) a[0]);
            }
            int stream = m.stream(a[1], s);
            if (stream == LibC.STDOUT) {
                return m.libc.putchar((int) a[0]);
            }
            m.libc.fprintf(stream, "%c", a[0]);
            return a[0] & 0xff;
        };
        def("fputc", fputc);
        def("putc", fputc);
        def("fwrite", (m, a, t, s) -> {
            Stdio.CFile file = m.stdio.file(a[3]);
            if (file != null) {
                long n = a[1] * a[2];
                return n == 0 ? 0 : m.stdio.write(file, a[0], m.libc.readBytes(a[0], (int) n)) / a[1];
            }
            int stream = m.stream(a[3], s);
            long n = a[1] * a[2];
            if (n == 0) {
                return 0;
            }
            if (stream == LibC.STDOUT) {
                m.libc.printf("%.*s", n, a[0]);
            } else {
                m.libc.fprintf(stream, "%.*s", n, a[0]);
            }
            return a[2];
        });
        def("fflush", (m, a, t, s) -> {
            Stdio.CFile file = m.stdio.file(a[0]);
            if (file != null) {
                return m.stdio.fflush(file);
            }
            if (a[0] == 0) {
                m.stdio.flushAll();
            }
            if (a[0] == 0 || m.stream(a[0], s) == LibC.STDOUT) {
                m.stdout.drain();
            }
            return 0;
        });
        def("setbuf", (m, a, t, s) -> {
            Stdio.CFile file = m.stdio.file(a[0]);
            if (file != null) {
                m.stdio.setbuf(file, a[1]);
                return 0;
            }
            if (m.stream(a[0], s) == LibC.STDOUT) {
                m.libc.setbufNone(LibC.STDOUT);
                m.stdout.unbuffered();
            }
            return 0;
        });
        def("setvbuf", (m, a, t, s) -> {
            Stdio.CFile file = m.stdio.file(a[0]);
            if (file != null) {
                return m.stdio.setvbuf(file, a[1], (int) a[2], a[3]);
            }
            if (m.stream(a[0], s) == LibC.STDOUT && (a[2] == IONBF || a[1] != 0)) {
                m.libc.setbufNone(LibC.STDOUT);
                if (a[2] == IONBF) {
                    m.stdout.unbuffered();
                }
            }
            return 0;
        });
        def("perror", (m, a, t, s) -> {
            String msg = m.libc.strerror(m.libc.errno());
            if (a[0] != 0 && m.mem.read8(a[0]) != 0) {
                m.libc.fprintf(LibC.STDERR, "%s: %s\n", a[0], msg);
            } else {
                m.libc.fprintf(LibC.STDERR, "%s\n", msg);
            }
            return 0;
        });

        // ------------------------------------------------------------ input
        def("getchar", (m, a, t, s) -> m.stdio.getc(m.stdio.file(m.stdinFile())));
        Builtin fgetc = (m, a, t, s) -> {
            Stdio.CFile file = m.stdio.file(a[0]);
            if (file != null) {
                return m.stdio.getc(file);
            }
            m.requireStdin(a[0], s);
            return -1;
        };
        def("fgetc", fgetc);
        def("ungetc", (m, a, t, s) -> {
            Stdio.CFile file = m.stdio.file(a[1]);
            if (file == null) {
                m.stream(a[1], s); // a wild FILE * faults
                throw new CompileError(s.at, "unsupported: ungetc on stdout or stderr");
            }
            return m.stdio.ungetc((int) a[0], file);
        });
        def("getc", fgetc);
        def("fgets", (m, a, t, s) -> {
            Stdio.CFile file = m.stdio.file(a[2]);
            if (file != null) {
                return m.stdio.fgets(a[0], (int) a[1], file);
            }
            m.requireStdin(a[2], s);
            return 0;
        });
        def("getdelim", (m, a, t, s) -> {
            Stdio.CFile file = m.stdio.file(a[3]);
            if (file != null) {
                return m.stdio.getdelim(a[0], a[1], (int) a[2], file);
            }
            m.requireStdin(a[3], s);
            return -1;
        });
        def("getline", (m, a, t, s) -> {
            Stdio.CFile file = m.stdio.file(a[2]);
            if (file != null) {
                return m.stdio.getdelim(a[0], a[1], '\n', file);
            }
            m.requireStdin(a[2], s);
            return -1;
        });
        def("scanf", (m, a, t, s) -> Scanf.scan(m.string(a[0]), m.stdio.source(m.stdio.file(m.stdinFile())), a, 1, m.libc));
        def("fscanf", (m, a, t, s) -> {
            Stdio.CFile file = m.stdio.file(a[0]);
            if (file != null) {
                return m.stdio.readable(file) ? Scanf.scan(m.string(a[1]), m.stdio.source(file), a, 2, m.libc) : -1;
            }
            m.requireStdin(a[0], s);
            return -1;
        });
        // ------------------------------------------------------------ stdio on files (Stdio: glibc's FILE and buffer in the heap)
        def("fopen", (m, a, t, s) -> m.stdio.fopen(a[0], a[1], s));
        def("fclose", (m, a, t, s) -> m.stdio.fclose(m.file(a[0], s)));
        def("fread", (m, a, t, s) -> m.stdio.fread(a[0], a[1], a[2], m.file(a[3], s)));
        def("fseek", (m, a, t, s) -> m.stdio.fseek(m.file(a[0], s), a[1], (int) a[2]));
        def("ftell", (m, a, t, s) -> m.stdio.ftell(m.file(a[0], s)));
        def("rewind", (m, a, t, s) -> {
            Stdio.CFile f = m.file(a[0], s);
            m.stdio.fseek(f, 0, 0);
            m.stdio.clearerr(f);
            return 0;
        });
        def("feof", (m, a, t, s) -> m.stdio.eof(m.file(a[0], s)) ? 1 : 0);
        def("ferror", (m, a, t, s) -> m.stdio.error(m.file(a[0], s)) ? 1 : 0);
        def("clearerr", (m, a, t, s) -> {
            m.stdio.clearerr(m.file(a[0], s));
            return 0;
        });
        def("fileno", (m, a, t, s) -> {
            Stdio.CFile f = m.stdio.file(a[0]);
            return f != null ? f.fd : m.stream(a[0], s);
        });
        def("remove", (m, a, t, s) -> m.libc.unlink(a[0]));
        def("strerror", (m, a, t, s) -> m.stdio.strerror((int) a[0]));
        def("sscanf", (m, a, t, s) -> Scanf.scan(m.string(a[1]), m.stringSource(a[0]), a, 2, m.libc));

        // ------------------------------------------------------------ process
        def("exit", (m, a, t, s) -> {
            m.exit((int) a[0], m.memcheck && (m.argsUndefined & 1) != 0);
            return 0;
        });
        def("_exit", (m, a, t, s) -> {
            m.stdout.discard();
            m.libc.exit((int) a[0]);
            return 0;
        });
        def("_Exit", lookup("_exit"));
        def("abort", (m, a, t, s) -> {
            m.libc.abort();
            return 0;
        });
        def("__assert_fail", (m, a, t, s) -> {
            String msg = m.progname + ": " + m.string(a[1]) + ":" + (int) a[2] + ": " + m.string(a[3])
                    + ": Assertion `" + m.string(a[0]) + "' failed.";
            m.libc.fprintf(LibC.STDERR, "%s\n", msg);
            m.libc.abort();
            return 0;
        });
        def("getpid", (m, a, t, s) -> m.libc.getpid());
        def("getppid", (m, a, t, s) -> m.libc.getppid());
        def("fork", (m, a, t, s) -> {
            throw m.forkPoint(s); // the interpreter unwinds; the process forks at main's caller (ForkPoint)
        });
        def("waitpid", (m, a, t, s) -> wrote(m, a[1], 4, m.libc.waitpid((int) a[0], a[1], (int) a[2])));
        def("wait", (m, a, t, s) -> wrote(m, a[0], 4, m.libc.waitAny(a[0])));
        def("pipe", (m, a, t, s) -> wrote(m, a[0], 8, m.libc.pipe(a[0])));
        // <time.h>: the host's clock, as natively; no heap, and glibc's time() stores through tloc itself
        def("time", (m, a, t, s) -> {
            long now = System.currentTimeMillis() / 1000;
            if (a[0] != 0) {
                m.libc.putLong(a[0], now);
            }
            return now;
        });
        def("clock", (m, a, t, s) -> (System.nanoTime() - m.startNanos) / 1000);
        def("difftime", (m, a, t, s) -> Double.doubleToRawLongBits((double) a[0] - (double) a[1]));
        def("sleep", (m, a, t, s) -> 0);
        def("usleep", (m, a, t, s) -> 0);
        def("getenv", (m, a, t, s) -> 0);
        // exit handlers are not modelled: refused where registered rather than silently never run
        def("atexit", (m, a, t, s) -> {
            throw new CompileError(s.at, "unsupported: atexit (the C front end does not run exit handlers)");
        });
        def("__errno_location", (m, a, t, s) -> {
            m.mem.write32(m.errnoAddress, m.libc.errno());
            return m.errnoAddress;
        });

        // ------------------------------------------------------------ stdlib numbers
        def("atoi", (m, a, t, s) -> (int) m.strtol(a[0], 0, 10, true));
        def("atol", (m, a, t, s) -> m.strtol(a[0], 0, 10, true));
        def("atoll", lookup("atol"));
        def("strtol", (m, a, t, s) -> m.strtol(a[0], a[1], (int) a[2], true));
        def("strtoll", lookup("strtol"));
        def("strtoul", (m, a, t, s) -> m.strtol(a[0], a[1], (int) a[2], false));
        def("strtoull", lookup("strtoul"));
        def("abs", (m, a, t, s) -> Math.abs((int) a[0]));
        def("labs", (m, a, t, s) -> Math.abs(a[0]));
        def("llabs", lookup("labs"));
        def("qsort", (m, a, t, s) -> {
            Qsort.qsort(m, a[0], a[1], a[2], a[3], s);
            return 0;
        });
        def("rand", (m, a, t, s) -> m.rand.next());
        def("srand", (m, a, t, s) -> {
            m.rand.seed((int) a[0]);
            return 0;
        });
        def("random", lookup("rand"));
        def("srandom", lookup("srand"));

        // ------------------------------------------------------------ ctype.h (the C locale; CharClasses)
        def("__ctype_b_loc", (m, a, t, s) -> CharClasses.classLocation(m));
        def("__ctype_toupper_loc", (m, a, t, s) -> CharClasses.toupperLocation(m));
        def("__ctype_tolower_loc", (m, a, t, s) -> CharClasses.tolowerLocation(m));
        String[] classes = {"isupper", "islower", "isalpha", "isdigit", "isxdigit", "isspace", "isprint", "isgraph",
            "isblank", "iscntrl", "ispunct", "isalnum"};
        int[] masks = {CharClasses.UPPER, CharClasses.LOWER, CharClasses.ALPHA, CharClasses.DIGIT, CharClasses.XDIGIT,
            CharClasses.SPACE, CharClasses.PRINT, CharClasses.GRAPH, CharClasses.BLANK, CharClasses.CNTRL,
            CharClasses.PUNCT, CharClasses.ALNUM};
        for (int i = 0; i < classes.length; i++) {
            int mask = masks[i];
            def(classes[i], (m, a, t, s) -> CharClasses.is(m, (int) a[0], mask));
        }
        // gcc computes a direct (isdigit)(c) in place, to 0 or 1; through a pointer it is glibc's function (2048)
        def("isdigit", (m, a, t, s) -> s != null && s.direct != null && s.direct.body == null
                ? (Integer.compareUnsigned((int) a[0] - '0', 9) <= 0 ? 1 : 0)
                : CharClasses.is(m, (int) a[0], CharClasses.DIGIT));
        def("toupper", (m, a, t, s) -> CharClasses.to(m, (int) a[0], true));
        def("tolower", (m, a, t, s) -> CharClasses.to(m, (int) a[0], false));
        def("isascii", (m, a, t, s) -> (a[0] & ~0x7fL) == 0 ? 1 : 0);
        def("toascii", (m, a, t, s) -> a[0] & 0x7f);

        // ------------------------------------------------------------ string.h
        def("memcpy", (m, a, t, s) -> m.libc.memcpy(a[0], a[1], a[2]));
        def("memmove", (m, a, t, s) -> m.libc.memmove(a[0], a[1], a[2]));
        def("memset", (m, a, t, s) -> m.libc.memset(a[0], (int) a[1], a[2]));
        def("memcmp", (m, a, t, s) -> m.libc.memcmp(a[0], a[1], a[2]));
        def("strlen", (m, a, t, s) -> m.libc.strlen(a[0]));
        def("strcpy", (m, a, t, s) -> m.libc.strcpy(a[0], a[1]));
        def("strncpy", (m, a, t, s) -> m.libc.strncpy(a[0], a[1], a[2]));
        def("strcmp", (m, a, t, s) -> m.libc.strcmp(a[0], a[1]));
        def("strncmp", (m, a, t, s) -> m.libc.strncmp(a[0], a[1], a[2]));
        def("strdup", (m, a, t, s) -> m.libc.strdup(a[0]));
        def("strnlen", (m, a, t, s) -> strnlen(m, a[0], a[1]));
        // glibc's strndup: malloc(strnlen(s, n) + 1), the NUL, then a memcpy of the rest (recorded as that malloc)
        def("strndup", (m, a, t, s) -> {
            long len = strnlen(m, a[0], a[1]);
            long p = m.libc.malloc(len + 1);
            if (p != 0) {
                m.libc.putByte(p + len, 0);
                m.libc.memcpy(p, a[0], len);
            }
            return p;
        });
        def("strspn", (m, a, t, s) -> span(m, a[0], a[1], true));
        def("strcspn", (m, a, t, s) -> span(m, a[0], a[1], false));
        def("strpbrk", (m, a, t, s) -> {
            long p = a[0] + span(m, a[0], a[1], false);
            return m.mem.read8(p) == 0 ? 0 : p;
        });
        def("strcat", (m, a, t, s) -> {
            m.libc.strcpy(a[0] + m.libc.strlen(a[0]), a[1]);
            return a[0];
        });
        def("strncat", (m, a, t, s) -> {
            long d = a[0] + m.libc.strlen(a[0]);
            long i = 0;
            for (; Long.compareUnsigned(i, a[2]) < 0; i++) {
                int b = m.mem.read8(a[1] + i);
                if (b == 0) {
                    break;
                }
                m.libc.putByte(d + i, b);
            }
            m.libc.putByte(d + i, 0);
            return a[0];
        });
        def("strchr", (m, a, t, s) -> {
            int c = (int) a[1] & 0xff;
            for (long p = a[0]; ; p++) {
                int b = m.mem.read8(p);
                if (b == c) {
                    return p;
                }
                if (b == 0) {
                    return 0;
                }
            }
        });
        def("strrchr", (m, a, t, s) -> {
            int c = (int) a[1] & 0xff;
            long found = 0;
            for (long p = a[0]; ; p++) {
                int b = m.mem.read8(p);
                if (b == c) {
                    found = p;
                }
                if (b == 0) {
                    return found;
                }
            }
        });
        def("memchr", (m, a, t, s) -> {
            int c = (int) a[1] & 0xff;
            for (long i = 0; Long.compareUnsigned(i, a[2]) < 0; i++) {
                if (m.mem.read8(a[0] + i) == c) {
                    return a[0] + i;
                }
            }
            return 0;
        });
        // strtok keeps its place in libc (a static pointer); strtok_r in the caller's pointer
        def("strtok", (m, a, t, s) -> {
            long[] save = {m.strtokNext};
            long r = strtok(m, a[0], a[1], save);
            m.strtokNext = save[0];
            return r;
        });
        def("strtok_r", (m, a, t, s) -> {
            long[] save = {m.libc.getLong(a[2])};
            long r = strtok(m, a[0], a[1], save);
            m.libc.putLong(a[2], save[0]);
            return r;
        });
        def("strstr", (m, a, t, s) -> {
            byte[] hay = m.bytes(a[0]);
            byte[] needle = m.bytes(a[1]);
            outer:
            for (int i = 0; i + needle.length <= hay.length; i++) {
                for (int k = 0; k < needle.length; k++) {
                    if (hay[i + k] != needle[k]) {
                        continue outer;
                    }
                }
                return a[0] + i;
            }
            return 0;
        });

        // ------------------------------------------------------------ unistd, sys/mman
        def("sbrk", (m, a, t, s) -> m.libc.sbrk(a[0]));
        def("brk", (m, a, t, s) -> m.libc.brk(a[0]));
        def("getpagesize", (m, a, t, s) -> m.libc.getpagesize());
        def("sysconf", (m, a, t, s) -> switch ((int) a[0]) {
            case 30 -> m.libc.getpagesize(); // _SC_PAGESIZE
            case 84 -> 2; // _SC_NPROCESSORS_ONLN
            default -> -1;
        });
        def("write", (m, a, t, s) -> {
            int len = (int) a[2];
            byte[] b = m.libc.readBytes(a[1], len);
            if (a[0] == 1) {
                m.stdout.writeDirect(b);
            } else if (a[0] == 2) {
                m.libc.fprintf(LibC.STDERR, "%.*s", len, a[1]);
            } else {
                return m.libc.write((int) a[0], a[1], a[2]); // a file of the simulated file system
            }
            return len;
        });
        def("read", (m, a, t, s) -> a[0] == 0 ? m.readStdin(a[1], (int) Math.min(a[2], Integer.MAX_VALUE))
                : m.libc.read((int) a[0], a[1], a[2]));
        // ------------------------------------------------------------ files (the simulated file system)
        def("open", (m, a, t, s) -> m.libc.open(a[0], (int) a[1], a.length > 2 ? (int) a[2] : 0));
        def("creat", (m, a, t, s) -> m.libc.open(a[0], 01101, (int) a[1])); // O_CREAT|O_WRONLY|O_TRUNC
        def("close", (m, a, t, s) -> m.libc.close((int) a[0]));
        def("lseek", (m, a, t, s) -> m.libc.lseek((int) a[0], a[1], (int) a[2]));
        def("pread", (m, a, t, s) -> {
            long n = m.libc.pread((int) a[0], a[1], a[2], a[3]);
            return wrote(m, a[1], Math.max(n, 0), n);
        });
        def("pwrite", (m, a, t, s) -> m.libc.pwrite((int) a[0], a[1], a[2], a[3]));
        def("ftruncate", (m, a, t, s) -> m.libc.ftruncate((int) a[0], a[1]));
        def("fsync", (m, a, t, s) -> m.libc.fsync((int) a[0]));
        def("unlink", (m, a, t, s) -> m.libc.unlink(a[0]));
        def("fstat", (m, a, t, s) -> wrote(m, a[1], STAT_SIZE, m.libc.fstat((int) a[0], a[1])));
        def("stat", (m, a, t, s) -> wrote(m, a[1], STAT_SIZE, m.libc.stat(a[0], a[1])));
        def("msync", (m, a, t, s) -> m.libc.msync(a[0], a[1], (int) a[2]));
        def("mmap", (m, a, t, s) -> m.libc.mmap(a[0], a[1], (int) a[2], (int) a[3], (int) a[4], a[5]));
        def("munmap", (m, a, t, s) -> m.libc.munmap(a[0], a[1]));
        def("mprotect", (m, a, t, s) -> m.libc.mprotect(a[0], a[1], (int) a[2]));
        def("mremap", (m, a, t, s) -> m.libc.mremap(a[0], a[1], a[2], (int) a[3], t.length > 4 ? a[4] : 0));
    }

    /** glibc's strtok: skip delimiters, cut the token with a NUL, remember where the rest starts. */
    /**
     * Under memcheck: printf's integer conversions of undefined arguments, reported as Valgrind reports
     * glibc 2.36's vfprintf converting them (each checked against Valgrind 3.19): a signed one tests its
     * sign (vfprintf-process-arg.c:58); {@code _itoa_word} indexes its digit table with the value and
     * loops on it once per digit, an undefined address and a jump each time (_itoa.c:177, 178 in base
     * 16); then the padding's test (vfprintf-process-arg.c:174). The number of digits is the value's,
     * so the error count matches Valgrind's when the value does (a fresh block's 0, say). Other
     * conversions of undefined values ({@code %c}, {@code %s}, {@code %o}, {@code %p}, the floating ones) are
     * not reported.
     */
    static void undefinedPrinted(Machine m, CFormat.Call c, long[] a) {
        long undefined = m.argsUndefined;
        if (!m.memcheck || undefined == 0) {
            return;
        }
        for (int code : c.integers()) {
            boolean isLong = code < 0;
            int v = isLong ? -code - 1 : code;
            int arg = v / 256;
            char conv = (char) (v % 256);
            if (arg >= 64 || (undefined >>> arg & 1) == 0) {
                continue;
            }
            boolean signed = conv == 'd' || conv == 'i';
            long x = isLong ? a[arg] : signed ? (int) a[arg] : a[arg] & 0xffffffffL;
            int base = conv == 'x' || conv == 'X' ? 16 : 10;
            int digits = Long.toUnsignedString(signed && x < 0 ? -x : x, base).length();
            // an unbuffered stdout (setbuf(stdout, NULL)) is written through a buffer on vfprintf's stack
            List<String> printf = m.stdout.isUnbuffered()
                    ? List.of("buffered_vfprintf (vfprintf-internal.c:1748)", "printf (printf.c:33)")
                    : List.of("printf (printf.c:33)");
            if (signed) {
                m.mc.undefinedInLibrary(Memcheck.CONDITIONAL, frames("__vfprintf_internal (vfprintf-process-arg.c:58)", printf));
            }
            List<String> itoa = frames("_itoa_word (_itoa.c:" + (base == 16 ? 178 : 177) + ")",
                    frames("__vfprintf_internal (vfprintf-process-arg.c:164)", printf));
            for (int d = 0; d < digits; d++) {
                m.mc.undefinedInLibrary(Memcheck.USE_OF_SIZE_8, itoa);
                m.mc.undefinedInLibrary(Memcheck.CONDITIONAL, itoa);
            }
            m.mc.undefinedInLibrary(Memcheck.CONDITIONAL, frames("__vfprintf_internal (vfprintf-process-arg.c:174)", printf));
        }
    }

    private static List<String> frames(String innermost, List<String> outer) {
        List<String> f = new java.util.ArrayList<>(outer.size() + 1);
        f.add(innermost);
        f.addAll(outer);
        return f;
    }

    /**
     * Under memcheck: the library function wrote {@code n} bytes of results at {@code out} (not NULL)
     * through the simulated kernel or nptl, which memcheck does not see: they are defined, as Valgrind
     * knows a system call's outputs. Returns {@code result}.
     */
    private static long wrote(Machine m, long out, long n, long result) {
        if (out != 0) {
            m.wroteDefined(out, n);
        }
        return result;
    }

    private static long strtok(Machine m, long str, long delims, long[] save) {
        long p = str != 0 ? str : save[0];
        if (p == 0) {
            return 0;
        }
        byte[] d = m.bytes(delims);
        while (m.libc.getByte(p) != 0 && contains(d, m.libc.getByte(p))) {
            p++;
        }
        if (m.libc.getByte(p) == 0) {
            save[0] = p;
            return 0;
        }
        long token = p;
        while (m.libc.getByte(p) != 0 && !contains(d, m.libc.getByte(p))) {
            p++;
        }
        if (m.libc.getByte(p) != 0) {
            m.libc.putByte(p, 0);
            save[0] = p + 1;
        } else {
            save[0] = p;
        }
        return token;
    }

    /** The bytes of {@code s} before its NUL, at most {@code max} (an unsigned count). */
    private static long strnlen(Machine m, long s, long max) {
        long n = 0;
        while (Long.compareUnsigned(n, max) < 0 && m.mem.read8(s + n) != 0) {
            n++;
        }
        return n;
    }

    /** strspn ({@code in}: the length of the start made of bytes of {@code set}) or strcspn (of bytes not in it). */
    private static long span(Machine m, long s, long set, boolean in) {
        byte[] d = m.bytes(set);
        long n = 0;
        for (int b; (b = m.mem.read8(s + n)) != 0 && contains(d, (byte) b) == in; n++) {
        }
        return n;
    }

    private static boolean contains(byte[] set, byte b) {
        for (byte x : set) {
            if (x == b) {
                return true;
            }
        }
        return false;
    }

    /**
     * A call gcc -O0 expands in place, with no call instruction (measured with gcc -S): {@code abs},
     * {@code labs}, {@code llabs}, {@code isdigit}, {@code isascii}, {@code toascii} (the functions, as
     * {@code (isdigit)(c)}: the header's macros read the class table); {@code strlen} and {@code strcpy}
     * of a literal; {@code strspn} and {@code strpbrk} of an empty set, and those and {@code strcspn} of
     * two literals (constants); {@code memmove} of
     * 1, 2, 4, 8 or 16 bytes; {@code memcpy} of those sizes from anything but a string literal, or of
     * up to 8192 bytes to or from an object of exactly that size whose type needs no alignment (a
     * {@code char} array, a struct of chars: gcc turns it into a struct copy); any other memcpy is a
     * call ({@code memcpy(p, q, 24)}, into an {@code int[6]}, from a literal into a pointer).
     */
    static boolean expandedInline(String name, Expr[] a) {
        switch (name) {
            case "abs", "labs", "llabs", "isdigit", "isascii", "toascii" -> {
                return a.length == 1;
            }
            case "strlen" -> {
                return a.length == 1 && literal(a[0]);
            }
            case "strcpy" -> {
                return a.length == 2 && literal(a[1]);
            }
            case "strspn", "strpbrk" -> { // strspn(s, "") is 0, strpbrk(s, "") NULL; two literals, a constant
                return a.length == 2 && ("".equals(literalText(a[1])) || literal(a[0]) && literal(a[1]));
            }
            case "strcspn" -> {
                return a.length == 2 && literal(a[0]) && literal(a[1]);
            }
            case "memmove", "memcpy" -> {
                if (a.length != 3 || a[2].constant() == null) {
                    return false;
                }
                long n = a[2].constant();
                boolean word = n == 1 || n == 2 || n == 4 || n == 8 || n == 16;
                if (name.equals("memmove")) {
                    return word;
                }
                return word && !literal(a[1]) || n <= 8192 && (exactObject(a[0], n) || exactObject(a[1], n));
            }
            default -> {
                return false;
            }
        }
    }

    private static Expr uncast(Expr e) {
        while (e instanceof Expr.Cast c) {
            e = c.e;
        }
        return e;
    }

    private static boolean literal(Expr e) {
        return uncast(e) instanceof Expr.Decay d && d.e instanceof Expr.Str;
    }

    /** {@code &x} or an array {@code x}, where x is a variable or a member of {@code n} bytes aligned to 1. */
    private static boolean exactObject(Expr e, long n) {
        Expr p = uncast(e);
        Expr obj = p instanceof Expr.Decay d ? d.e : p instanceof Expr.AddrOf ad ? ad.e : null;
        if (!(obj instanceof Expr.Local || obj instanceof Expr.Global || obj instanceof Expr.Member)) {
            return false;
        }
        return obj.type.size == n && obj.type.align == 1;
    }

    /**
     * Functions gcc -O0 emits for a call to {@code name}: most calls stay what they are, but gcc's folding
     * turns a printf, fprintf or fputs whose value is not used into puts, putchar, fputs, fputc, fwrite or
     * nothing (see {@link #folded}). Whether the value is used is known once the enclosing expression is
     * whole, so such a call is settled by {@link #settle} at the end of the parse.
     */
    static void check(String name, Expr[] a, List<Tok> argToks, Tok at, Program prog, Expr.Call call) {
        int fmtIndex = switch (name) {
            case "printf" -> 0;
            case "fprintf", "sprintf" -> 1;
            case "snprintf" -> 2;
            default -> -1;
        };
        if (fmtIndex >= 0 && fmtIndex < a.length) {
            String fmt = literalText(a[fmtIndex]); // the literal converted to the parameter's const char *
            if (fmt != null) {
                checkFormat(fmt, argToks.get(fmtIndex));
            }
        }
        if (expandedInline(name, a)) {
            return;
        }
        String replaced = replacedBy(name, a);
        if (replaced != null) {
            prog.imports.add(replaced);
            return;
        }
        if (name.startsWith("__mallocscope_")) {
            prog.imports.add(name.substring("__mallocscope_".length()));
            return;
        }
        String unused = folded(name, a);
        if (unused != null && unused.equals(name)) {
            prog.imports.add(name);
        } else {
            call.foldedWhenUnused = unused == null ? "" : unused;
            prog.foldable.add(call);
        }
    }

    /**
     * The function gcc -O0 calls instead of {@code name} (measured with gcc -S): {@code strcspn(s, "")} is
     * {@code strlen(s)}, {@code strpbrk(s, "c")} {@code strchr(s, 'c')}; null when the call stays.
     */
    private static String replacedBy(String name, Expr[] a) {
        if (a.length != 2) {
            return null;
        }
        String set = literalText(a[1]);
        if (name.equals("strcspn") && "".equals(set)) {
            return "strlen";
        }
        if (name.equals("strpbrk") && set != null && set.length() == 1) {
            return "strchr";
        }
        return null;
    }

    /** The library calls of {@link Program#foldable}, now that it is known whether their values are used. */
    static void settle(Program prog) {
        for (Expr.Call c : prog.foldable) {
            String emitted = c.valueUnused ? c.foldedWhenUnused : c.direct.name;
            if (!emitted.isEmpty()) {
                prog.imports.add(emitted);
            }
        }
        prog.foldable.clear();
        for (Map.Entry<String, int[]> u : prog.nameUses.entrySet()) {
            Function f = prog.functions.get(u.getKey());
            if (u.getValue()[0] > u.getValue()[1] && f != null && f.body == null && !u.getKey().startsWith("__mallocscope_")) {
                prog.addressTaken.add(u.getKey()); // its name read other than as a call's function: its address taken
            }
        }
    }

    /**
     * The value of {@code e} is not used (an expression statement, a for loop's first or third
     * expression, the left of a comma, the operand of a cast to void): a call there, or under casts and
     * commas whose values are not used either, may be folded. The arms of a conditional are used (its
     * value is computed whatever becomes of it), as gcc has it.
     */
    static void valueUnused(Expr e) {
        if (e instanceof Expr.Call c) {
            c.valueUnused = true;
        } else if (e instanceof Expr.Cast c) {
            valueUnused(c.e);
        } else if (e instanceof Expr.Comma k) {
            valueUnused(k.a);
            valueUnused(k.b);
        }
    }

    /**
     * What gcc -O0 emits for a call of {@code name} with arguments {@code a} whose value is not used
     * (gimple_fold_builtin_printf, _fprintf and _fputs; measured with gcc -S): "" for nothing, else the
     * function's name. A printf with no {@code %} and no other argument, or {@code "%s"} and a literal,
     * prints that string: nothing if it is empty, putchar of a one-character string, puts of one that ends
     * in a newline, else printf; {@code "%s\n"} and a pointer is puts, {@code "%c"} and an int is putchar.
     * An fprintf with no {@code %} and no other argument, or {@code "%s"} and a pointer, is fputs of that
     * string, which an fputs of a literal then becomes: nothing when empty, fputc of one character, fwrite
     * of more; {@code "%c"} and an int is fputc. Any other count of arguments keeps the call.
     */
    static String folded(String name, Expr[] a) {
        switch (name) {
            case "printf" -> {
                String fmt = a.length >= 1 ? literalText(a[0]) : null;
                if (fmt == null) {
                    return name;
                }
                String str = null;
                if (fmt.equals("%s") && a.length == 2) {
                    str = literalText(a[1]);
                } else if (fmt.indexOf('%') < 0 && a.length == 1) {
                    str = fmt;
                } else if (fmt.equals("%s\n") && a.length == 2 && a[1].type.isPointer()) {
                    return "puts";
                } else if (fmt.equals("%c") && a.length == 2 && isInt(a[1])) {
                    return "putchar";
                }
                if (str == null) {
                    return name;
                }
                return str.isEmpty() ? "" : str.length() == 1 ? "putchar" : str.endsWith("\n") ? "puts" : name;
            }
            case "fprintf" -> {
                String fmt = a.length >= 2 ? literalText(a[1]) : null;
                if (fmt == null) {
                    return name;
                }
                if (fmt.indexOf('%') < 0 && a.length == 2) {
                    return fputs(fmt);
                } else if (fmt.equals("%s") && a.length == 3 && a[2].type.isPointer()) {
                    return fputs(literalText(a[2]));
                } else if (fmt.equals("%c") && a.length == 3 && isInt(a[2])) {
                    return "fputc";
                }
                return name;
            }
            case "fputs" -> {
                return a.length == 2 ? fputs(literalText(a[0])) : name;
            }
            default -> {
                return name;
            }
        }
    }

    /** What an fputs of {@code str} (null: not a literal) whose value is not used is emitted as. */
    private static String fputs(String str) {
        return str == null ? "fputs" : str.isEmpty() ? "" : str.length() == 1 ? "fputc" : "fwrite";
    }

    /** The argument is an {@code int} after the default promotions (a char or short promoted, not unsigned or long). */
    private static boolean isInt(Expr e) {
        return e.type.k == CType.K.INT;
    }

    /** The text of a string literal argument (seen through its conversion to a pointer), or null. */
    private static String literalText(Expr e) {
        Expr f = uncast(e);
        return f instanceof Expr.Decay d && d.e instanceof Expr.Str s
                ? new String(s.bytes, StandardCharsets.ISO_8859_1) : null;
    }

    private static final Set<Character> CONVERSIONS = Set.of('d', 'i', 'u', 'x', 'X', 'o', 'c', 's', 'p', 'f', 'F', 'e',
            'E', 'g', 'G', 'a', 'A', '%');

    private static void checkFormat(String fmt, Tok at) {
        for (int i = 0; i < fmt.length(); i++) {
            if (fmt.charAt(i) != '%') {
                continue;
            }
            i++;
            while (i < fmt.length() && "-+ #0123456789.*hlzjtLq".indexOf(fmt.charAt(i)) >= 0) {
                i++;
            }
            if (i >= fmt.length()) {
                return;
            }
            char c = fmt.charAt(i);
            if (!CONVERSIONS.contains(c)) {
                throw new CompileError(at, "unsupported: printf conversion '%" + c + "'");
            }
        }
    }

    /** {@code __builtin_frame_address(0)} and {@code __builtin_return_address(0)}. */
    static final class FrameAddress extends Expr {
        final boolean frame;

        FrameAddress(boolean frame, Tok at) {
            this.frame = frame;
            this.at = at;
            this.type = CType.ptr(CType.VOID);
        }

        @Override
        long eval(Frame f) {
            return frame ? f.rbp : f.mem.read64(f.rbp + 8);
        }
    }

    /** glibc's random(): the additive feedback generator TYPE_3 (x[i] = x[i-3] + x[i-31]). */
    static final class GlibcRandom {
        private final int[] r = new int[34];
        private int f;
        private int b;

        GlibcRandom() {
            seed(1);
        }

        /** A forked child's generator: the parent's state. */
        void copyFrom(GlibcRandom other) {
            System.arraycopy(other.r, 0, r, 0, r.length);
            f = other.f;
            b = other.b;
        }

        void seed(int seed) {
            if (seed == 0) {
                seed = 1;
            }
            r[0] = seed;
            for (int i = 1; i < 31; i++) {
                long word = 16807L * r[i - 1] % 2147483647L;
                if (word < 0) {
                    word += 2147483647L;
                }
                r[i] = (int) word;
            }
            f = 3;
            b = 0;
            for (int i = 0; i < 310; i++) {
                next();
            }
        }

        long next() {
            // r is a ring of 31 words; f is 3 ahead of b, as glibc's fptr/rptr
            int[] s = r;
            s[f] += s[b];
            int result = (s[f] >>> 1) & 0x7fffffff;
            f = (f + 1) % 31;
            b = (b + 1) % 31;
            return result;
        }
    }
}
