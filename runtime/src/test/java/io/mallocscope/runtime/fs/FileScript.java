package io.mallocscope.runtime.fs;

import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.vm.Errno;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static java.util.Map.entry;

/**
 * A script of file system calls, one per line, run two ways: by {@code src/test/c/fs/fileops.c}
 * against the real kernel, and by {@link #program} against the simulated one. Both print the same
 * line per call ({@code N op = RET [ERRNO] [data]}), so the outputs can be compared as text.
 */
final class FileScript {
    private static final Map<String, Integer> NAMES = Map.ofEntries(
            entry("O_RDONLY", LibC.O_RDONLY), entry("O_WRONLY", LibC.O_WRONLY), entry("O_RDWR", LibC.O_RDWR),
            entry("O_CREAT", LibC.O_CREAT), entry("O_EXCL", LibC.O_EXCL), entry("O_TRUNC", LibC.O_TRUNC),
            entry("O_APPEND", LibC.O_APPEND), entry("O_DIRECTORY", LibC.O_DIRECTORY),
            entry("O_NOFOLLOW", LibC.O_NOFOLLOW), entry("SEEK_SET", 0), entry("SEEK_CUR", 1), entry("SEEK_END", 2),
            entry("SEEK_DATA", 3), entry("SEEK_HOLE", 4), entry("PROT_NONE", 0), entry("PROT_READ", LibC.PROT_READ),
            entry("PROT_WRITE", LibC.PROT_WRITE), entry("MAP_SHARED", LibC.MAP_SHARED),
            entry("MAP_PRIVATE", LibC.MAP_PRIVATE), entry("MAP_ANONYMOUS", LibC.MAP_ANONYMOUS),
            entry("MAP_FIXED", LibC.MAP_FIXED), entry("MS_SYNC", LibC.MS_SYNC), entry("MS_ASYNC", LibC.MS_ASYNC),
            entry("MS_INVALIDATE", LibC.MS_INVALIDATE));

    private FileScript() {
    }

    static long flags(String tok) {
        long v = 0;
        for (String p : tok.split("\\|")) {
            Integer n = NAMES.get(p);
            v |= n != null ? n : Long.decode(p);
        }
        return v;
    }

    /** The script as a program whose paths lie under {@code root} in the simulated file system. */
    static CProgram program(String script, String root) {
        return (c, argv) -> {
            c.setbufNone(LibC.STDOUT); // as fileops.c: every line out before a signal ends the run
            long buf = c.malloc(65536);
            long[] slots = new long[8];
            int n = 0;
            for (String line : script.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] t = line.trim().split("\\s+");
                n++;
                long r;
                long shown = -1;
                switch (t[0]) {
                    case "open" -> r = c.open(path(t[1], root), (int) flags(t[2]), t.length > 3 ? Integer.parseInt(t[3], 8) : 0);
                    case "close" -> r = c.close(Integer.parseInt(t[1]));
                    case "read" -> {
                        r = c.read(Integer.parseInt(t[1]), buf, Long.decode(t[2]));
                        shown = r;
                    }
                    case "readnull" -> r = c.read(Integer.parseInt(t[1]), 0, Long.decode(t[2]));
                    case "pread" -> {
                        r = c.pread(Integer.parseInt(t[1]), buf, Long.decode(t[2]), Long.decode(t[3]));
                        shown = r;
                    }
                    case "write", "pwrite" -> {
                        byte[] d = data(t[2]);
                        c.writeBytes(buf, d);
                        r = t[0].equals("write") ? c.write(Integer.parseInt(t[1]), buf, d.length)
                                : c.pwrite(Integer.parseInt(t[1]), buf, d.length, Long.decode(t[3]));
                    }
                    case "lseek" -> r = c.lseek(Integer.parseInt(t[1]), Long.decode(t[2]), (int) flags(t[3]));
                    case "fstat", "stat" -> {
                        long st = c.malloc(Stat.SIZE);
                        r = t[0].equals("fstat") ? c.fstat(Integer.parseInt(t[1]), st) : c.stat(path(t[1], root), st);
                        if (r == 0) {
                            c.printf("%d %s = %d size=%d mode=%o nlink=%d\n", n, t[0], r, c.getLong(st + Stat.ST_SIZE),
                                    c.getInt(st + Stat.ST_MODE), c.getLong(st + Stat.ST_NLINK));
                            c.free(st);
                            continue;
                        }
                        c.free(st);
                    }
                    case "ftruncate" -> r = c.ftruncate(Integer.parseInt(t[1]), Long.decode(t[2]));
                    case "fsync" -> r = c.fsync(Integer.parseInt(t[1]));
                    case "unlink" -> r = c.unlink(path(t[1], root));
                    case "mmap" -> {
                        long m = c.mmap(0, Long.decode(t[2]), (int) flags(t[3]), (int) flags(t[4]), Integer.parseInt(t[5]),
                                Long.decode(t[6]));
                        slots[Integer.parseInt(t[1])] = m == LibC.MAP_FAILED ? 0 : m;
                        r = m == LibC.MAP_FAILED ? -1 : 0;
                    }
                    case "munmap" -> r = c.munmap(slots[Integer.parseInt(t[1])], Long.decode(t[2]));
                    case "msync" -> r = c.msync(slots[Integer.parseInt(t[1])], Long.decode(t[2]), (int) flags(t[3]));
                    case "mprotect" -> r = c.mprotect(slots[Integer.parseInt(t[1])], Long.decode(t[2]), (int) flags(t[3]));
                    case "poke" -> {
                        c.printf("%d %s\n", n, t[0]);
                        c.writeBytes(slots[Integer.parseInt(t[1])] + Long.decode(t[2]), data(t[3]));
                        continue;
                    }
                    case "peek" -> {
                        StringBuilder sb = new StringBuilder(n + " peek [");
                        long at = slots[Integer.parseInt(t[1])] + Long.decode(t[2]);
                        long len = Long.decode(t[3]);
                        c.printf("%s", sb.toString());
                        for (long i = 0; i < len; i++) {
                            c.printf("%s", escape(new byte[] {c.getByte(at + i)}));
                        }
                        c.printf("]\n");
                        continue;
                    }
                    default -> throw new IllegalArgumentException("unknown op " + t[0]);
                }
                String out = n + " " + t[0] + " = " + r;
                if (r == -1) {
                    out += " " + Errno.name(c.errno());
                }
                if (shown > 0) {
                    out += " [" + escape(c.readBytes(buf, (int) shown)) + "]";
                }
                c.printf("%s\n", out);
            }
            return 0;
        };
    }

    private static String path(String tok, String root) {
        return tok.equals("@") ? "" : root + "/" + tok;
    }

    private static byte[] data(String tok) {
        return tok.equals("-") ? new byte[0] : tok.getBytes(StandardCharsets.UTF_8);
    }

    static String escape(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            int v = x & 0xff;
            if (v >= 0x21 && v < 0x7f && v != '\\') {
                sb.append((char) v);
            } else {
                sb.append(String.format("\\x%02x", v));
            }
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- the real kernel's side

    /** What the compiled C twin printed, and its status (128 + signal when a signal ended it). */
    record Native(String stdout, int status) {
    }

    private static Path binary;
    private static String unavailable;

    /** The compiled fileops binary, or empty (see {@link #unavailableReason()}) when gcc is missing. */
    static synchronized Optional<Path> compiled() {
        if (binary == null && unavailable == null) {
            binary = compile();
        }
        return Optional.ofNullable(binary);
    }

    static String unavailableReason() {
        return "cannot run the real kernel's side: " + unavailable;
    }

    private static Path compile() {
        Path src = Path.of("src/test/c/fs/fileops.c");
        if (!Files.exists(src)) {
            src = Path.of("runtime/src/test/c/fs/fileops.c");
        }
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            unavailable = "not Linux";
            return null;
        }
        try {
            Path dir = Files.createDirectories(Path.of("target/native"));
            Path tmp = Files.createTempFile(dir, "fileops", ".tmp");
            Process p = new ProcessBuilder("gcc", "-O0", "-Wall", "-o", tmp.toString(), src.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                unavailable = "gcc failed: " + out;
                return null;
            }
            Path bin = dir.resolve("fileops");
            Files.move(tmp, bin, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return bin;
        } catch (IOException e) {
            unavailable = "gcc not found (" + e.getMessage() + ")";
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unavailable = "interrupted";
            return null;
        }
    }

    /** Runs the script on the real kernel with its paths under the host directory {@code root}. */
    static Native runNative(Path bin, String script, Path root) {
        try {
            Process p = new ProcessBuilder(List.of(bin.toString(), root.toString())).redirectErrorStream(false).start();
            p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.getErrorStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("fileops timed out");
            }
            return new Native(out, p.exitValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static List<String> lines(String s) {
        return new ArrayList<>(List.of(s.split("\n")));
    }
}
