package io.mallocscope.runtime.fs;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.signal.BusError;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The page cache against a model of it: two processes (a parent and its forked child) share one
 * file through a descriptor and a MAP_SHARED mapping each, and each has a MAP_PRIVATE mapping, and
 * they take turns at random pwrite/pread/ftruncate/stores/loads/msync/remaps. After every load and
 * read the simulation must give what the model says, SIGBUS exactly where the model has no page, and
 * at the end the host file must hold the model's bytes.
 */
class PageCachePropertyTest {
    static final int PAGE = 4096;
    static final int PAGES = 4;
    static final int SPAN = PAGES * PAGE;

    enum Op { PWRITE, PREAD, FTRUNCATE, STORE_SHARED, LOAD_SHARED, STORE_PRIVATE, LOAD_PRIVATE, MSYNC, REMAP_SHARED, REMAP_PRIVATE }

    record Action(int owner, Op op, int offset, int length, int value) {
        @Override
        public String toString() {
            return "p" + owner + " " + op + " " + offset + (op == Op.PWRITE || op == Op.PREAD ? "+" + length : "")
                    + (op == Op.FTRUNCATE ? "" : " v" + value);
        }
    }

    @Provide
    Arbitrary<List<Action>> scripts() {
        // offsets cluster around page boundaries and the end of the file, where the rules change
        Arbitrary<Integer> offset = Arbitraries.oneOf(Arbitraries.integers().between(0, SPAN - 1),
                Arbitraries.integers().between(0, PAGES).flatMap(p -> Arbitraries.integers().between(-3, 3)
                        .map(d -> Math.max(0, Math.min(SPAN - 1, p * PAGE + d)))));
        Arbitrary<Action> action = Combinators.combine(Arbitraries.integers().between(0, 1),
                Arbitraries.of(Op.class), offset, Arbitraries.integers().between(1, 6000),
                Arbitraries.integers().between(1, 255)).as(Action::new);
        return action.list().ofMinSize(1).ofMaxSize(40);
    }

    /** The model: the file's cached pages (bytes past the end included) and each process's private copies. */
    static final class Model {
        final byte[] cache = new byte[SPAN];
        long size;
        final byte[][][] privateCopy = new byte[2][PAGES][];

        int validPages() {
            return (int) ((size + PAGE - 1) / PAGE);
        }

        void zero(long from, long to) {
            Arrays.fill(cache, (int) Math.min(from, SPAN), (int) Math.min(to, SPAN), (byte) 0);
        }

        long pageEnd(long at) {
            return (at + PAGE - 1) / PAGE * PAGE;
        }

        void pwrite(int off, int len, int v) {
            if (off + len > size) {
                zero(size, pageEnd(size));
            }
            Arrays.fill(cache, off, Math.min(SPAN, off + len), (byte) v);
            size = Math.max(size, off + len);
        }

        void truncate(long n) {
            if (n < size) {
                zero(pageEnd(n), SPAN);
                zero(n, pageEnd(n));
                int keep = (int) ((n + PAGE - 1) / PAGE);
                for (byte[][] copies : privateCopy) {
                    for (int p = keep; p < PAGES; p++) {
                        copies[p] = null;
                    }
                }
            } else {
                zero(size, pageEnd(size));
            }
            size = n;
        }

        /** The byte a load at {@code off} gives, or -1 for SIGBUS. */
        int load(int owner, boolean shared, int off) {
            int page = off / PAGE;
            if (!shared && privateCopy[owner][page] != null) {
                return privateCopy[owner][page][off % PAGE] & 0xff;
            }
            return page < validPages() ? cache[off] & 0xff : -1;
        }

        /** Stores; false for SIGBUS. */
        boolean store(int owner, boolean shared, int off, int v) {
            int page = off / PAGE;
            if (shared || privateCopy[owner][page] == null) {
                if (page >= validPages()) {
                    return false;
                }
                if (!shared) {
                    privateCopy[owner][page] = Arrays.copyOfRange(cache, page * PAGE, page * PAGE + PAGE);
                }
            }
            if (shared) {
                cache[off] = (byte) v;
            } else {
                privateCopy[owner][page][off % PAGE] = (byte) v;
            }
            return true;
        }
    }

    @Example
    void aShrinkTakesAPageFromAMappingThatHadTouchedIt() throws IOException {
        twoProcessesSeeOnePageCache(List.of(new Action(0, Op.PWRITE, 0, 12000, 7), new Action(0, Op.STORE_SHARED, 9000, 0, 8),
                new Action(1, Op.STORE_PRIVATE, 9001, 0, 9), new Action(0, Op.FTRUNCATE, 100, 0, 0),
                new Action(0, Op.LOAD_SHARED, 9000, 0, 0), new Action(1, Op.LOAD_PRIVATE, 9001, 0, 0),
                new Action(1, Op.PREAD, 0, 200, 0)));
    }

    @Property(tries = 250, edgeCases = EdgeCasesMode.MIXIN)
    void twoProcessesSeeOnePageCache(@ForAll("scripts") List<Action> script) throws IOException {
        Path dir = Files.createTempDirectory("pagecache");
        try {
            Model model = new Model();
            int[] next = {0};
            List<String> mismatches = new ArrayList<>();
            ProcessOptions o = ProcessOptions.defaults().withMount(new FileSystem.Mount(dir, "/data", false));
            CProcess.Captured r = CProcess.runCaptured(o, (c, argv) -> {
                int fd = c.open("/data/f", LibC.O_RDWR | LibC.O_CREAT, 0644);
                long[][] maps = new long[2][2]; // [process][0 shared, 1 private]
                maps[0][0] = c.mmap(0, SPAN, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
                maps[0][1] = c.mmap(0, SPAN, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE, fd, 0);
                maps[1] = maps[0].clone();
                long buf = c.malloc(8192);
                int pid = c.fork(child -> {
                    play(child, 1, script, next, model, fd, maps[1], child.malloc(8192), mismatches);
                    return 0;
                });
                play(c, 0, script, next, model, fd, maps[0], buf, mismatches);
                c.waitpid(pid, 0, 0);
                return 0;
            });
            assertThat(mismatches).as("script %s", script).isEmpty();
            assertThat(r.status().code()).as(r.stderr()).isZero();
            assertThat(Files.readAllBytes(dir.resolve("f"))).as("the host file after exit; script %s", script)
                    .isEqualTo(Arrays.copyOf(model.cache, (int) model.size));
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Runs the actions that are {@code me}'s, in order, yielding to the other process for the rest. */
    private static void play(LibC c, int me, List<Action> script, int[] next, Model m, int fd, long[] maps, long buf,
                             List<String> mismatches) {
        while (next[0] < script.size()) {
            Action a = script.get(next[0]);
            if (a.owner() != me) {
                c.sched_yield();
                continue;
            }
            String where = "action " + next[0] + " (" + a + ")";
            int off = a.offset();
            switch (a.op()) {
                case PWRITE -> {
                    int len = Math.min(a.length(), SPAN - off);
                    c.memset(buf, a.value(), len);
                    check(mismatches, where, c.pwrite(fd, buf, len, off), len);
                    m.pwrite(off, len, a.value());
                }
                case PREAD -> {
                    int len = Math.min(a.length(), 8192);
                    long n = c.pread(fd, buf, len, off);
                    int want = (int) Math.max(0, Math.min(len, m.size - off));
                    check(mismatches, where + " count", n, want);
                    if (n == want && want > 0) {
                        check(mismatches, where + " bytes", Arrays.toString(c.readBytes(buf, want)),
                                Arrays.toString(Arrays.copyOfRange(m.cache, off, off + want)));
                    }
                }
                case FTRUNCATE -> {
                    check(mismatches, where, c.ftruncate(fd, off), 0);
                    m.truncate(off);
                }
                case STORE_SHARED, STORE_PRIVATE -> {
                    boolean shared = a.op() == Op.STORE_SHARED;
                    boolean bus = false;
                    try {
                        c.putByte(maps[shared ? 0 : 1] + off, a.value());
                    } catch (BusError e) {
                        bus = true;
                    }
                    check(mismatches, where + " SIGBUS", bus, !m.store(me, shared, off, a.value()));
                }
                case LOAD_SHARED, LOAD_PRIVATE -> {
                    boolean shared = a.op() == Op.LOAD_SHARED;
                    int got;
                    try {
                        got = c.getByte(maps[shared ? 0 : 1] + off) & 0xff;
                    } catch (BusError e) {
                        got = -1;
                    }
                    check(mismatches, where, got, m.load(me, shared, off));
                }
                case MSYNC -> check(mismatches, where, c.msync(maps[0], SPAN, LibC.MS_SYNC), 0);
                case REMAP_SHARED -> {
                    c.munmap(maps[0], SPAN);
                    maps[0] = c.mmap(0, SPAN, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
                }
                case REMAP_PRIVATE -> {
                    c.munmap(maps[1], SPAN);
                    maps[1] = c.mmap(0, SPAN, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE, fd, 0);
                    Arrays.fill(m.privateCopy[me], null);
                }
            }
            next[0]++;
        }
    }

    private static void check(List<String> mismatches, String where, Object got, Object want) {
        if (!String.valueOf(got).equals(String.valueOf(want))) {
            mismatches.add(where + ": got " + got + ", the model says " + want);
        }
    }
}
