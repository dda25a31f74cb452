package io.mallocscope.c;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Where glibc 2.36's libc.so.6 has the functions the shipped headers declare, as offsets from its
 * ELF header (the resource {@code libc-functions.txt}, taken from Debian 12's build): what a program
 * sees when it takes a library function's address ({@code printf("%p", (void *) puts)}).
 */
final class LibcFunctions {
    private static final Map<String, Long> OFFSETS = new HashMap<>();
    private static final Set<String> IFUNC = new HashSet<>();

    static {
        try (InputStream in = LibcFunctions.class.getResourceAsStream("libc-functions.txt")) {
            if (in == null) {
                throw new IllegalStateException("libc-functions.txt is missing from mallocscope's C front end");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.trim().split("\\s+");
                OFFSETS.put(f[0], Long.decode(f[1]));
                if (f.length > 2 && f[2].equals("ifunc")) {
                    IFUNC.add(f[0]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private LibcFunctions() {
    }

    /** The function's offset in libc.so.6, or -1 for a name libc does not define. */
    static long offset(String name) {
        Long o = OFFSETS.get(name);
        return o == null ? -1 : o;
    }

    /** True for a function glibc picks an implementation of by the CPU's features (an IFUNC). */
    static boolean ifunc(String name) {
        return IFUNC.contains(name);
    }

    /** Every function the table has. */
    static Set<String> names() {
        return java.util.Collections.unmodifiableSet(OFFSETS.keySet());
    }
}
