package io.mallocscope.runtime;

import io.mallocscope.runtime.vm.Errno;
import io.mallocscope.runtime.vm.Layout;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** fork, waitpid, getpid, pipes: processes that run one at a time and switch only where one blocks. */
class ForkTest {

    private static CProcess.Captured run(CProgram p) {
        return CProcess.runCaptured(ProcessOptions.defaults().withProgramName("forks"), p);
    }

    @Test
    void mallocAfterForkChangesOnlyTheChildsHeap() {
        CProcess.Captured r = run((c, argv) -> {
            c.setbufNone(LibC.STDOUT);
            long p = c.malloc(0x20);
            c.strcpy(p, "parent's");
            int pid = c.fork(child -> {
                long q = child.malloc(0x20);
                child.strcpy(p, "child's");
                child.printf("child:  malloc = %p, p holds %s\n", q, child.string(p));
                return 0;
            });
            c.waitpid(pid, 0, 0);
            long q = c.malloc(0x20);
            c.printf("parent: malloc = %p, p holds %s\n", q, c.string(p));
            return 0;
        });
        String q = "0x" + Long.toHexString(Layout.INITIAL_BRK + 0x2a0 + 0x30);
        assertThat(r.stdout()).isEqualTo("child:  malloc = " + q + ", p holds child's\n"
                + "parent: malloc = " + q + ", p holds parent's\n");
        assertThat(r.status().code()).isZero();
    }

    @Test
    void pidsAreThoseOfAFreshPidNamespace() {
        CProcess.Captured r = run((c, argv) -> {
            c.setbufNone(LibC.STDOUT);
            c.printf("program %d, parent %d\n", c.getpid(), c.getppid());
            int a = c.fork(child -> {
                child.printf("first child %d, parent %d\n", child.getpid(), child.getppid());
                return 0;
            });
            c.waitpid(a, 0, 0);
            int b = c.fork(child -> {
                child.sched_yield(); // the parent runs on and ends
                child.printf("orphan %d, parent %d\n", child.getpid(), child.getppid());
                return 0;
            });
            c.printf("forked %d and %d\n", a, b);
            return 0;
        });
        assertThat(r.stdout()).isEqualTo("""
                program 2, parent 1
                first child 3, parent 2
                forked 3 and 4
                orphan 4, parent 1
                """);
    }

    @Test
    void waitStatusesSayHowEachChildEnded() {
        CProcess.Captured r = run((c, argv) -> {
            c.setbufNone(LibC.STDOUT);
            long st = c.malloc(4);
            c.fork(child -> 7);
            c.fork(child -> {
                child.exit(300);
                return 0;
            });
            c.fork(child -> {
                child.getLong(0);
                return 0;
            });
            c.fork(child -> {
                child.abort();
                return 0;
            });
            for (int i = 0; i < 4; i++) {
                int pid = c.waitAny(st);
                int s = c.getInt(st);
                if (LibC.WIFEXITED(s)) {
                    c.printf("%d exited %d\n", pid, LibC.WEXITSTATUS(s));
                } else if (LibC.WIFSIGNALED(s)) {
                    c.printf("%d killed by signal %d\n", pid, LibC.WTERMSIG(s));
                }
            }
            c.printf("wait = %d (%s)\n", c.waitAny(st), c.strerror(c.errno()));
            return 0;
        });
        assertThat(r.stdout()).isEqualTo("""
                3 exited 7
                4 exited 44
                5 killed by signal 11
                6 killed by signal 6
                wait = -1 (No child processes)
                """);
        assertThat(r.stderr()).as("a shell reports only the program's own signal").isEmpty();
    }

    @Test
    void wnohangReturnsZeroUntilTheChildHasRun() {
        CProcess.Captured r = run((c, argv) -> {
            c.setbufNone(LibC.STDOUT);
            long st = c.malloc(4);
            int pid = c.fork(child -> 3);
            c.printf("WNOHANG: %d\n", c.waitpid(pid, st, LibC.WNOHANG));
            c.sched_yield();
            c.printf("after a yield: %d, status %d\n", c.waitpid(pid, st, LibC.WNOHANG) == pid ? 1 : 0,
                    LibC.WEXITSTATUS(c.getInt(st)));
            c.printf("bad option: %d %s\n", c.waitpid(-1, st, 8), Errno.name(c.errno()));
            return 0;
        });
        assertThat(r.stdout()).isEqualTo("WNOHANG: 0\nafter a yield: 1, status 3\nbad option: -1 EINVAL\n");
    }

    @Test
    void aSharedAnonymousMappingIsSharedAndAPrivateOneIsNot() {
        CProcess.Captured r = run((c, argv) -> {
            c.setbufNone(LibC.STDOUT);
            long shared = c.mmap(0, 4096, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED | LibC.MAP_ANONYMOUS, -1, 0);
            long priv = c.mmap(0, 4096, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
            int pid = c.fork(child -> {
                child.putLong(shared, 42);
                child.putLong(priv, 42);
                return 0;
            });
            c.waitpid(pid, 0, 0);
            c.printf("shared %d, private %d\n", c.getLong(shared), c.getLong(priv));
            return 0;
        });
        assertThat(r.stdout()).isEqualTo("shared 42, private 0\n");
    }

    @Test
    void aChildSharesTheFileOffsetOfEveryDescriptor() {
        CProcess.Captured r = run((c, argv) -> {
            c.setbufNone(LibC.STDOUT);
            int fd = c.open("/tmp/abc", LibC.O_RDWR | LibC.O_CREAT, 0644);
            c.write(fd, c.strdup("abcdef"), 6);
            c.lseek(fd, 0, LibC.SEEK_SET);
            long buf = c.calloc(1, 8);
            int pid = c.fork(child -> {
                child.read(fd, buf, 3);
                child.printf("child read %s\n", child.string(buf));
                return 0;
            });
            c.waitpid(pid, 0, 0);
            c.read(fd, buf, 3);
            c.printf("parent read %s, offset %d\n", c.string(buf), c.lseek(fd, 0, LibC.SEEK_CUR));
            return 0;
        });
        assertThat(r.stdout()).isEqualTo("child read abc\nparent read def, offset 6\n");
    }

    @Test
    void aReadOfAnEmptyPipeBlocksUntilTheWriterWritesOrCloses() {
        CProcess.Captured r = run((c, argv) -> {
            c.setbufNone(LibC.STDOUT);
            long fds = c.malloc(8);
            c.pipe(fds);
            int rd = c.getInt(fds);
            int wr = c.getInt(fds + 4);
            c.printf("pipe: %d %d\n", rd, wr);
            int pid = c.fork(child -> {
                child.close(wr);
                long buf = child.calloc(1, 64);
                long n;
                while ((n = child.read(rd, buf, 63)) > 0) {
                    child.printf("child got %d: %s\n", n, child.string(buf));
                    child.memset(buf, 0, 64);
                }
                child.printf("child: end of pipe (%d)\n", n);
                return 0;
            });
            c.close(rd);
            c.printf("parent writes\n");
            c.write(wr, c.strdup("hello"), 5);
            c.write(wr, c.strdup(" again"), 6);
            c.sched_yield();
            c.write(wr, c.strdup("last"), 4);
            c.close(wr);
            c.waitpid(pid, 0, 0);
            c.printf("parent done\n");
            return 0;
        });
        assertThat(r.stdout()).isEqualTo("""
                pipe: 3 4
                parent writes
                child got 11: hello again
                child got 4: last
                child: end of pipe (0)
                parent done
                """);
    }

    @Test
    void writingToAPipeNobodyReadsIsSigpipe() {
        CProcess.Captured r = run((c, argv) -> {
            long fds = c.malloc(8);
            c.pipe(fds);
            c.close(c.getInt(fds));
            c.write(c.getInt(fds + 4), c.strdup("x"), 1);
            return 0;
        });
        assertThat(r.status().code()).isEqualTo(141);
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void aProcessWaitingForItselfIsADeadlockNotAHang() {
        CProcess.Captured r = run((c, argv) -> {
            long fds = c.malloc(8);
            c.pipe(fds);
            c.read(c.getInt(fds), c.malloc(8), 8);
            return 0;
        });
        assertThat(r.status().code()).isEqualTo(1);
        assertThat(r.stderr()).startsWith("mallocscope: deadlock: every thread is blocked");
    }

    @Test
    void theSameProgramInterleavesTheSameWayEveryRun() {
        CProgram p = (c, argv) -> {
            c.setbufNone(LibC.STDOUT);
            for (int i = 0; i < 3; i++) {
                int n = i;
                c.fork(child -> {
                    for (int k = 0; k < 3; k++) {
                        child.printf("child %d step %d, malloc %p\n", n, k, child.malloc(0x10 << n));
                        child.sched_yield();
                    }
                    return n;
                });
            }
            long st = c.malloc(4);
            while (c.waitAny(st) > 0) {
                c.printf("reaped, status %d\n", LibC.WEXITSTATUS(c.getInt(st)));
            }
            return 0;
        };
        String first = run(p).stdout();
        assertThat(first).contains("child 2 step 2").contains("reaped, status 2");
        assertThat(run(p).stdout()).isEqualTo(first);
    }
}
