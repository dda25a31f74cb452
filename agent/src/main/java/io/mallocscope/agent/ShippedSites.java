package io.mallocscope.agent;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The classes this build ships (the samples) with their call-site markers made by the build, so
 * that a program's first run under the agent loads no ASM class either (start-up: docs/agent.md).
 * Marking at run time gives each site the next free id as it meets it, so the ids a class's markers
 * carry depend on what loaded before it; the build therefore marks each shipped class with a
 * placeholder constant per site ({@link CallSites#premark}) and records where each placeholder's 4
 * bytes are, and when the class loads the agent registers its sites in the order marking would
 * ({@link CallSites#register}) and writes their ids there. The result is the class marking would
 * make in this run (its markers carry the same ids at the same places). Used only for the exact
 * class file the build marked (length and CRC-32); any other class file is marked as before.
 *
 * <p>All shipped classes are one resource of the agent jar, {@value #RESOURCE}, read once, when the
 * first class that names LibC loads: per class, its name, the length and CRC-32 of the class file it
 * was made from, its sites (text, offset of the constant) and the marked class file (-1 for a class
 * that names LibC but needs no marker). Public only for the build's step.
 */
public final class ShippedSites {
    static final String RESOURCE = "META-INF/mallocscope/marked-sites";
    private static final int MAGIC = 0x4d535031; // "MSP1"

    /** Class name → where its entry starts in {@link #data}; null until read (empty: none shipped). */
    private Map<String, Integer> entries;
    private byte[] data;
    private final String resource;

    private ShippedSites(String resource) {
        this.resource = resource;
    }

    /** The agent jar's shipped classes (read when first needed). */
    static ShippedSites inAgentJar() {
        return new ShippedSites(RESOURCE);
    }

    /** Shipped classes in {@code bytes} (a resource's content), for tests. */
    static ShippedSites of(byte[] bytes) {
        ShippedSites s = new ShippedSites(null);
        s.index(bytes);
        return s;
    }

    /**
     * Class {@code className} with its markers, their sites registered now, when {@code bytes} is the
     * class file the build marked; {@link SiteCache#UNMARKED} when that class needs no marker; null
     * when this build did not ship that class file.
     */
    synchronized byte[] get(String className, byte[] bytes) throws IOException {
        if (entries == null) {
            index(read());
        }
        Integer at = entries.get(className);
        if (at == null) {
            return null;
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, at, data.length - at));
        if (in.readInt() != bytes.length || in.readInt() != (int) Instrumenter.crc(bytes)) {
            return null;
        }
        int n = in.readInt();
        String[] sites = new String[n];
        int[] offsets = new int[n];
        for (int i = 0; i < n; i++) {
            sites[i] = in.readUTF();
            offsets[i] = in.readInt();
        }
        int len = in.readInt();
        if (len < 0) {
            return SiteCache.UNMARKED;
        }
        byte[] marked = new byte[len];
        in.readFully(marked);
        for (int i = 0; i < n; i++) {
            int id = CallSites.register(sites[i]);
            marked[offsets[i]] = (byte) (id >>> 24);
            marked[offsets[i] + 1] = (byte) (id >>> 16);
            marked[offsets[i] + 2] = (byte) (id >>> 8);
            marked[offsets[i] + 3] = (byte) id;
        }
        return marked;
    }

    /** The names of the shipped classes. */
    synchronized java.util.Set<String> names() {
        if (entries == null) {
            index(read());
        }
        return new java.util.TreeSet<>(entries.keySet());
    }

    private byte[] read() {
        try (InputStream in = ShippedSites.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? new byte[0] : in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            return new byte[0]; // marked at run time instead
        }
    }

    private void index(byte[] bytes) {
        Map<String, Integer> index = new HashMap<>();
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            if (bytes.length > 0 && in.readInt() == MAGIC) {
                for (int n = in.readInt(); n > 0; n--) {
                    String name = in.readUTF();
                    index.put(name, bytes.length - in.available());
                    in.skipBytes(8);
                    for (int s = in.readInt(); s > 0; s--) {
                        in.readUTF();
                        in.skipBytes(4);
                    }
                    in.skipBytes(Math.max(0, in.readInt()));
                }
            }
        } catch (IOException | RuntimeException e) {
            index.clear(); // a damaged resource: every class is marked at run time
        }
        data = bytes;
        entries = index;
    }

    /** The resource for {@code classes} (class name → class file), each marked as the agent would. */
    static byte[] make(Map<String, byte[]> classes) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeInt(MAGIC);
        Map<String, byte[]> chosen = new TreeMap<>();
        for (Map.Entry<String, byte[]> c : classes.entrySet()) {
            if (!CallSites.excluded(c.getKey()) && CallSites.mentionsLibC(c.getValue())) {
                chosen.put(c.getKey(), c.getValue());
            }
        }
        out.writeInt(chosen.size());
        for (Map.Entry<String, byte[]> c : chosen.entrySet()) {
            byte[] bytes = c.getValue();
            List<String> sites = new ArrayList<>();
            List<Integer> offsets = new ArrayList<>();
            byte[] marked = CallSites.premark(bytes, c.getKey(), sites, offsets);
            out.writeUTF(c.getKey());
            out.writeInt(bytes.length);
            out.writeInt((int) Instrumenter.crc(bytes));
            out.writeInt(sites.size());
            for (int i = 0; i < sites.size(); i++) {
                out.writeUTF(sites.get(i));
                out.writeInt(offsets.get(i));
            }
            out.writeInt(marked == null ? -1 : marked.length);
            if (marked != null) {
                out.write(marked);
            }
        }
        out.flush();
        return b.toByteArray();
    }

    /**
     * The build's step: {@code ShippedSites DIR CLASS} marks every class of the jar or directory on the
     * class path that holds CLASS (internal name; the samples' main class) and writes the resource
     * under DIR.
     */
    public static void main(String[] args) throws IOException, URISyntaxException {
        Path dir = Path.of(args[0]);
        URL where = ShippedSites.class.getClassLoader().getResource(args[1] + ".class");
        if (where == null) {
            throw new IOException(args[1] + " is not on the class path");
        }
        Map<String, byte[]> classes = new HashMap<>();
        if (where.getProtocol().equals("jar")) {
            String file = where.getPath();
            try (JarFile jar = new JarFile(Path.of(new URL(file.substring(0, file.indexOf("!/"))).toURI()).toFile())) {
                for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                    JarEntry entry = e.nextElement();
                    if (entry.getName().endsWith(".class") && !entry.getName().startsWith("META-INF/")) {
                        try (InputStream in = jar.getInputStream(entry)) {
                            classes.put(entry.getName().substring(0, entry.getName().length() - 6), in.readAllBytes());
                        }
                    }
                }
            }
        } else {
            Path file = Path.of(where.toURI());
            Path root = file;
            for (int i = args[1].split("/").length; i > 0; i--) {
                root = root.getParent();
            }
            try (Stream<Path> files = Files.walk(root)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    String rel = root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
                    if (rel.endsWith(".class") && !rel.startsWith("META-INF/")) {
                        classes.put(rel.substring(0, rel.length() - 6), Files.readAllBytes(p));
                    }
                }
            }
        }
        byte[] resource = make(classes);
        Path out = dir.resolve(RESOURCE);
        Files.createDirectories(out.getParent());
        Files.write(out, resource);
        int marked = of(resource).entries.size();
        System.out.println("mallocscope agent: marked the call sites of " + marked + " shipped classes (of "
                + classes.size() + " in " + where.getPath().replaceAll("!/.*|/" + args[1] + "\\.class$", "") + ") into "
                + out);
    }
}
