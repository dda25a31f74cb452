package io.mallocscope.runtime;

import io.mallocscope.runtime.signal.Abort;
import io.mallocscope.runtime.signal.Segfault;
import io.mallocscope.runtime.vm.Layout;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static io.mallocscope.runtime.LibC.STDERR;
import static io.mallocscope.runtime.LibC.STDOUT;
import static org.assertj.core.api.Assertions.assertThat;

/** How a program ends, as a shell would show it: status, stdout and stderr. */
class CProcessTest {
    private static final ProcessOptions OPTIONS = ProcessOptions.defaults();

    private static CProcess.Captured run(CProgram program, String... args) {
        return CProcess.runCaptured(OPTIONS, program, args);
    }

    // ---------------------------------------------------------------- normal exits

    @Test
    void mainsReturnValueIsTheStatusModulo256() {
        assertThat(run((c, argv) -> 3).status().code()).isEqualTo(3);
        assertThat(run((c, argv) -> 256 + 7).status().code()).isEqualTo(7);
        assertThat(run((c, argv) -> -1).status().code()).isEqualTo(255);
        CProcess.Captured ok = run((c, argv) -> 0);
        assertThat(ok.status()).isEqualTo(ExitStatus.exited(0));
        assertThat(ok.status().toString()).isEqualTo("exited with status 0");
        assertThat(ok.stderr()).isEmpty();
    }

    @Test
    void argvStartsWithTheProgramName() {
        CProcess.Captured r = CProcess.runCaptured(OPTIONS.withProgramName("demo"), (c, argv) -> {
            c.setbufNone(STDOUT);
            c.printf("%d %s %s\n", argv.length, argv[0], argv[1]);
            return 0;
        }, "x");
        assertThat(r.stdout()).isEqualTo("2 demo x\n");
    }

    @Test
    void exitFromANestedCallEndsTheProgramAndKeepsItsOutput() {
        CProcess.Captured r = run((c, argv) -> {
            c.setbufNone(STDOUT);
            c.printf("before exit, no newline");
            helperThatExits(c);
            c.printf("never printed");
            return 0;
        });
        assertThat(r.status().code()).isEqualTo(42);
        assertThat(r.stdout()).isEqualTo("before exit, no newline");
        assertThat(r.stderr()).isEmpty();
        assertThat(run((c, argv) -> {
            c.exit(300);
            return 0;
        }).status().code()).isEqualTo(300 & 0xff);
    }

    private static void helperThatExits(LibC c) {
        c.exit(42);
    }

    // ---------------------------------------------------------------- signals

    @Test
    void abortIsStatus134WithAbortedOnStderr() {
        CProcess.Captured r = run((c, argv) -> {
            c.setbufNone(STDOUT);
            c.printf("partial line");
            c.abort();
            return 0;
        });
        assertThat(r.status().code()).isEqualTo(134);
        assertThat(r.status().aborted()).isTrue();
        assertThat(r.status().toString()).isEqualTo("Aborted (status 134)");
        assertThat(r.stdout()).isEqualTo("partial line");
        assertThat(r.stderr()).isEqualTo("Aborted\n");
    }

    /** A named class, so that the assertion names its function "main" as C's __func__ would. */
    static final class AssertingProgram implements CProgram {
        int line;

        @Override
        public int main(LibC c, String[] argv) {
            int x = 2;
            line = new Throwable().getStackTrace()[0].getLineNumber() + 1;
            c.assertTrue(x == 1, "x == 1");
            return 0;
        }
    }

    @Test
    void failedAssertionPrintsGlibcsMessageThenAborts() {
        AssertingProgram program = new AssertingProgram();
        CProcess.Captured r = CProcess.runCaptured(OPTIONS.withProgramName("prog"), program);
        assertThat(r.status().code()).isEqualTo(134);
        assertThat(r.stderr()).isEqualTo(
                "prog: CProcessTest.java:" + program.line + ": main: Assertion `x == 1' failed.\nAborted\n");
        assertThat(((Abort) r.status().signal()).getMessage())
                .isEqualTo("prog: CProcessTest.java:" + program.line + ": main: Assertion `x == 1' failed.");
    }

    @Test
    void anAssertionInALambdaIsNamedAfterTheEnclosingMethod() {
        int line = new Throwable().getStackTrace()[0].getLineNumber() + 1;
        CProcess.Captured r = run((c, argv) -> { c.assertTrue(argv.length == 3, "argc == 3"); return 0; });
        assertThat(r.stderr()).isEqualTo("a.out: CProcessTest.java:" + line
                + ": anAssertionInALambdaIsNamedAfterTheEnclosingMethod: Assertion `argc == 3' failed.\nAborted\n");
        assertThat(LibC.functionName("lambda$main$0")).isEqualTo("main");
        assertThat(LibC.functionName("helper")).isEqualTo("helper");
    }

    @Test
    void aTrueAssertionDoesNothing() {
        CProcess.Captured r = run((c, argv) -> {
            c.assertTrue(true, "1");
            return 5;
        });
        assertThat(r.status().code()).isEqualTo(5);
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void nullPointerReadIsSegfault139() {
        CProcess.Captured r = run((c, argv) -> {
            c.fprintf(STDERR, "about to crash\n");
            c.getLong(0);
            return 0;
        });
        assertThat(r.status().code()).isEqualTo(139);
        assertThat(r.status().segfaulted()).isTrue();
        assertThat(r.stderr()).isEqualTo("about to crash\n"
                + "Segmentation fault (invalid read of 8 bytes at 0x0 (address not mapped (null pointer dereference?)))\n");
    }

    @Test
    void everyKindOfBadAccessIsSegfault139NamingAddressAndReason() {
        assertSegv((c, argv) -> c.putInt(0x8, 1),
                "invalid write of 4 bytes at 0x8 (address not mapped (null pointer dereference?))");
        assertSegv((c, argv) -> c.getByte(Layout.INITIAL_BRK),
                "invalid read of 1 byte at 0x555555559000 (address not mapped)");
        assertSegv((c, argv) -> c.putLong(0xffffffff81000000L, 0),
                "invalid write of 8 bytes at 0xffffffff81000000 (kernel address)");
        assertSegv((c, argv) -> c.getLong(0x0000900000000000L),
                "invalid read of 8 bytes at 0x900000000000 (non-canonical address)");
        assertSegv((c, argv) -> c.putByte(c.function("main"), 0xcc),
                "invalid write of 1 byte at 0x555555555139 (page not writable: r-xp /usr/local/bin/a.out)");
        assertSegv((c, argv) -> c.putLong(Layout.LIBC_RODATA + 0x100, 0),
                "invalid write of 8 bytes at 0x7ffff7f4e100 (page not writable: r--p /usr/lib/x86_64-linux-gnu/libc.so.6)");
        assertSegv((c, argv) -> {
            long p = c.mmap(0, 0x1000, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
            c.mprotect(p, 0x1000, LibC.PROT_NONE);
            c.getInt(p + 4);
        }, "invalid read of 4 bytes at 0x7ffff7dcf004 (page not readable: ---p)");
        assertSegv((c, argv) -> {
            long p = c.mmap(0, 0x2000, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
            c.munmap(p, 0x2000);
            c.putLong(p + 0x1ff8, 1);
        }, "invalid write of 8 bytes at 0x7ffff7dcfff8 (address not mapped)");
        assertSegv((c, argv) -> c.memset(Layout.INITIAL_BRK - 0x10, 0, 0x20),
                "invalid write at 0x555555559000 (address not mapped)");
        assertSegv((c, argv) -> c.strlen(0), "invalid read of 1 byte at 0x0 (address not mapped (null pointer dereference?))");
    }

    interface Body {
        void run(LibC c, String[] argv);
    }

    private static void assertSegv(Body body, String detail) {
        CProcess.Captured r = run((c, argv) -> {
            body.run(c, argv);
            return 0;
        });
        assertThat(r.status().code()).as(detail).isEqualTo(139);
        assertThat(r.stderr()).isEqualTo("Segmentation fault (" + detail + ")\n");
        assertThat(((Segfault) r.status().signal()).getMessage()).isEqualTo("SIGSEGV: " + detail);
    }

    // ---------------------------------------------------------------- Java exceptions

    @Test
    void aJavaExceptionIsStatus1WithItsStackTraceAndEarlierOutputKept() {
        CProcess.Captured r = run((c, argv) -> {
            c.printf("printed before the crash");
            throw new IllegalStateException("boom");
        });
        assertThat(r.status().code()).isEqualTo(1);
        assertThat(r.status().crash()).isInstanceOf(IllegalStateException.class);
        assertThat(r.stdout()).isEqualTo("printed before the crash");
        assertThat(r.stderr()).startsWith("Exception in thread \"main\" java.lang.IllegalStateException: boom\n")
                .contains("at io.mallocscope.runtime.CProcessTest");
    }

    @Test
    void unknownStreamIsAClearErrorAndNothingPrintedBeforeIsLost() {
        CProcess.Captured r = run((c, argv) -> {
            c.printf("kept\n");
            c.fprintf(STDERR, "also kept\n");
            c.fprintf(5, "lost %d\n", 1);
            return 0;
        });
        assertThat(r.status().code()).isEqualTo(1);
        assertThat(r.stdout()).isEqualTo("kept\n");
        assertThat(r.stderr()).startsWith("also kept\nException in thread \"main\" java.lang.IllegalArgumentException: "
                + "unknown stream 5 (use LibC.STDOUT or LibC.STDERR)\n");
    }

    @Test
    void fprintfToStdinFailsWithEbadf() {
        CProcess.Captured r = run((c, argv) -> {
            int n = c.fprintf(LibC.STDIN, "x");
            c.fprintf(STDERR, "%d %d %s\n", n, c.errno(), c.strerror(c.errno()));
            return 0;
        });
        assertThat(r.stderr()).isEqualTo("-1 9 Bad file descriptor\n");
    }

    @Test
    void printfMistakesAreClearErrors() {
        CProcess.Captured few = run((c, argv) -> c.printf("%d and %d\n", 1));
        assertThat(few.status().code()).isEqualTo(1);
        assertThat(few.stderr()).startsWith("Exception in thread \"main\" java.lang.IllegalArgumentException: "
                + "printf: too few arguments for format \"%d and %d\\n\"");
        CProcess.Captured conv = run((c, argv) -> c.printf("%f\n", 1.5));
        assertThat(conv.stderr()).contains("printf: unsupported conversion '%f'");
        CProcess.Captured type = run((c, argv) -> c.printf("%d\n", "text"));
        assertThat(type.stderr()).contains("printf: expected an integer or pointer, got String (text)");
    }

    // ---------------------------------------------------------------- stdio bytes

    @Test
    void stdioWritesBytesAsCDoes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CProcess p = CProcess.create(OPTIONS.withStdout(out));
        ExitStatus status = p.run((c, argv) -> {
            c.setbufNone(STDOUT);
            long s = c.local(16);
            c.putByte(s, 0xe9); // Latin-1 'é': one byte, not UTF-8
            c.putByte(s + 1, 0);
            int n1 = c.printf("[%s]", s);
            int n2 = c.putchar(0x1e9);
            int n3 = c.puts(s);
            int n4 = c.puts("\u00e9");
            c.printf("%d %d %d %d", n1, n2, n3, n4);
            return 0;
        });
        assertThat(status.code()).isZero();
        byte[] expected = {'[', (byte) 0xe9, ']', (byte) 0xe9, (byte) 0xe9, '\n', (byte) 0xc3, (byte) 0xa9, '\n',
                '3', ' ', '2', '3', '3', ' ', '2', ' ', '3'};
        assertThat(out.toByteArray()).isEqualTo(expected);
    }

    @Test
    void sprintfReadsCStringsFromMemory() {
        CProcess p = CProcess.create(OPTIONS);
        LibC c = p.libc();
        long s = c.global("greeting", "hi there\0".getBytes(StandardCharsets.US_ASCII));
        assertThat(c.sprintf("<%-10s|%.2s|%p>", s, s, s)).isEqualTo("<hi there  |hi|0x555555558010>");
        assertThat(c.sprintf("%s", 0L)).isEqualTo("(null)");
    }

    @Test
    void aPrecisionStopsPrintfsReadingOfAString() {
        // glibc's vfprintf reads at most N bytes of %.Ns (strnlen): a string without its NUL ending a mapping
        // prints, where reading on to a NUL would fault on the next page
        CProcess p = CProcess.create(OPTIONS);
        LibC c = p.libc();
        long page = c.mmap(0, 8192, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
        assertThat(c.munmap(page + 4096, 4096)).isZero(); // nothing mapped after the first page
        long s = page + 4096 - 3;
        c.putByte(s, 'a');
        c.putByte(s + 1, 'b');
        c.putByte(s + 2, 'c');
        assertThat(c.sprintf("[%.3s|%.2s|%.1s]", s, s, page + 4096 - 1)).isEqualTo("[abc|ab|c]");
    }

    @Test
    void firstMallocLandsWhereGlibcPutsItUnderGdb() {
        // gcc -O0 small.c && gdb ./small: malloc(16) == 0x5555555592a0 (after the 0x290 tcache chunk)
        CProcess p = CProcess.create(OPTIONS);
        assertThat(p.libc().malloc(16)).isEqualTo(0x5555555592a0L);
    }

    // ---------------------------------------------------------------- kernel limits from the options

    @Test
    void dataLimitFromTheOptionsMakesSbrkFail() {
        CProcess p = CProcess.create(OPTIONS.withDataLimit(0x1000 + 0x4000));
        LibC c = p.libc();
        assertThat(c.sbrk(0x4000)).isEqualTo(Layout.INITIAL_BRK);
        assertThat(c.sbrk(0x1000)).isEqualTo(-1);
        assertThat(c.strerror(c.errno())).isEqualTo("Cannot allocate memory");
        assertThat(c.brk(Layout.INITIAL_BRK + 0x5000)).isEqualTo(-1);
        assertThat(c.sbrk(0)).as("the break stays where it was").isEqualTo(Layout.INITIAL_BRK + 0x4000);
        assertThat(c.brk(Layout.INITIAL_BRK + 0x1000)).isZero();
        assertThat(c.sbrk(0)).isEqualTo(Layout.INITIAL_BRK + 0x1000);
    }

    @Test
    void addressSpaceLimitFromTheOptionsMakesMmapFail() {
        CProcess fresh = CProcess.create(OPTIONS);
        long used = fresh.memory().mappedBytes(0, io.mallocscope.runtime.vm.AddressSpace.USER_END);
        LibC c = CProcess.create(OPTIONS.withAddressSpaceLimit(used + 0x10000)).libc();
        int rw = LibC.PROT_READ | LibC.PROT_WRITE;
        int anon = LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS;
        assertThat(c.mmap(0, 0x10000, rw, anon, -1, 0)).isEqualTo(Layout.LIBC_ANON_START - 0x10000);
        assertThat(c.mmap(0, 0x1000, rw, anon, -1, 0)).isEqualTo(LibC.MAP_FAILED);
        assertThat(c.errno()).isEqualTo(12);
        assertThat(c.sbrk(0x1000)).isEqualTo(-1);
        assertThat(c.munmap(Layout.LIBC_ANON_START - 0x10000, 0x1000)).isZero();
        assertThat(c.sbrk(0x1000)).as("room again").isEqualTo(Layout.INITIAL_BRK);
    }
}
