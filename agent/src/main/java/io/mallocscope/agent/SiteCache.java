package io.mallocscope.agent;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.zip.Adler32;
import java.util.zip.CRC32;

/**
 * The program's classes with their call-site markers ({@link CallSites}), kept between runs in
 * {@code $XDG_CACHE_HOME/mallocscope/agent-sites/BUILD/} (else {@code ~/.cache/…}), so a program run
 * again under the agent gets its classes back without ASM (start-up cost: docs/agent.md). An entry is
 * found by the class file (name, length, CRC-32 and Adler-32) and the number of sites known when it
 * was made, and BUILD is the checksum of the agent's own marker code, so another agent never reads
 * it. An entry holds the sites its markers name, as (id, {@code File.java:LINE}); it is used only if
 * each of its sites gets the same id in this run (the markers carry the ids), else the class is
 * marked afresh and the entry replaced. Any I/O trouble turns the cache off for the run, silently:
 * it only saves time.
 */
final class SiteCache {
    private static final int MAGIC = 0x4d535331; // "MSS1"
    private volatile Path dir;
    /** Whether {@link #dir} is still to be found (the user's cache, looked up when a class first needs it). */
    private boolean unresolved;

    private SiteCache(Path dir, boolean unresolved) {
        this.dir = dir;
        this.unresolved = unresolved;
    }

    /**
     * The cache of this agent build under the user's cache directory (off when there is none), found
     * when a class first needs it: a run whose classes are all shipped ({@link ShippedSites}) never
     * looks.
     */
    static SiteCache open() {
        return new SiteCache(null, true);
    }

    private synchronized Path dir() {
        if (unresolved) {
            unresolved = false;
            try {
                String xdg = System.getenv("XDG_CACHE_HOME");
                Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg)
                        : Path.of(System.getProperty("user.home"), ".cache");
                dir = base.resolve("mallocscope").resolve("agent-sites").resolve(build());
            } catch (RuntimeException | IOException e) {
                dir = null;
            }
        }
        return dir;
    }

    static SiteCache in(Path dir) {
        return new SiteCache(dir, false);
    }

    /** The checksum of the classes that make markers: entries of another agent are never read. */
    private static String build() throws IOException {
        CRC32 crc = new CRC32();
        for (String c : new String[]{"CallSites", "CallSites$SiteInserter", "CallSites$SiteInserter$1", "SiteCache"}) {
            try (InputStream in = SiteCache.class.getResourceAsStream(c + ".class")) {
                if (in == null) {
                    throw new IOException("no " + c);
                }
                crc.update(in.readAllBytes());
            }
        }
        return Long.toHexString(crc.getValue());
    }

    private Path entry(String className, byte[] bytes, int known) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        Adler32 adler = new Adler32();
        adler.update(bytes);
        return dir.resolve(className.replace('/', '.') + "-" + bytes.length + "-" + Long.toHexString(crc.getValue())
                + "-" + Long.toHexString(adler.getValue()) + "-" + known);
    }

    /**
     * The marked class made earlier from {@code bytes} with {@code known} sites known, once its sites
     * are registered under the same ids; {@code UNMARKED} when it needed no marker; null when there is
     * no usable entry.
     */
    byte[] get(String className, byte[] bytes, int known) {
        Path d = dir();
        if (d == null) {
            return null;
        }
        try {
            byte[] e = Files.readAllBytes(entry(className, bytes, known));
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(e));
            if (in.readInt() != MAGIC) {
                return null;
            }
            for (int n = in.readInt(); n > 0; n--) {
                int id = in.readInt();
                if (CallSites.register(in.readUTF()) != id) {
                    return null;
                }
            }
            int len = in.readInt();
            if (len < 0) {
                return UNMARKED;
            }
            byte[] marked = new byte[len];
            in.readFully(marked);
            return marked;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            dir = null;
            return null;
        }
    }

    /** What {@link #get} returns for a class that needed no marker. */
    static final byte[] UNMARKED = new byte[0];

    /** Keeps {@code marked} (null: no marker needed), made from {@code bytes} with {@code known} sites known. */
    void put(String className, byte[] bytes, int known, Map<Integer, String> sites, byte[] marked) {
        Path d = dir();
        if (d == null) {
            return;
        }
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(b);
            out.writeInt(MAGIC);
            out.writeInt(sites.size());
            for (Map.Entry<Integer, String> s : sites.entrySet()) {
                out.writeInt(s.getKey());
                out.writeUTF(s.getValue());
            }
            out.writeInt(marked == null ? -1 : marked.length);
            if (marked != null) {
                out.write(marked);
            }
            Files.createDirectories(d);
            Path target = entry(className, bytes, known);
            Path tmp = Files.createTempFile(d, "entry", ".tmp");
            Files.write(tmp, b.toByteArray());
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            dir = null;
        }
    }
}
