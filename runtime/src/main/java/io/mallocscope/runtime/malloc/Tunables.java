package io.mallocscope.runtime.malloc;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The malloc tunables a process starts with, parsed from {@code GLIBC_TUNABLES} syntax:
 * {@code glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0}. Items may also be given in the
 * environment spelling, {@code MALLOC_TOP_PAD_=4096}, separated by ':' or whitespace; as in glibc a
 * {@code glibc.malloc.*} value wins over its environment alias. Values are decimal, or hex with 0x, or
 * octal with a leading 0, as glibc's tunables parser reads them. Tunables outside {@code glibc.malloc}
 * (e.g. {@code glibc.rtld.nns}) are accepted and ignored, as they do not concern malloc; unknown
 * {@code glibc.malloc.*} names and malformed items are rejected with an IllegalArgumentException.
 *
 * <p>Values out of a tunable's declared range are ignored, as glibc ignores them (perturb 0..255).
 */
final class Tunables {
    /** The glibc.malloc tunables of 2.36 and their environment aliases (null: none). */
    static final String[][] KNOWN = {
            {"check", "MALLOC_CHECK_"},
            {"top_pad", "MALLOC_TOP_PAD_"},
            {"perturb", "MALLOC_PERTURB_"},
            {"mmap_threshold", "MALLOC_MMAP_THRESHOLD_"},
            {"trim_threshold", "MALLOC_TRIM_THRESHOLD_"},
            {"mmap_max", "MALLOC_MMAP_MAX_"},
            {"arena_max", "MALLOC_ARENA_MAX"},
            {"arena_test", "MALLOC_ARENA_TEST"},
            {"tcache_max", null},
            {"tcache_count", null},
            {"tcache_unsorted_limit", null},
            {"mxfast", null},
            {"hugetlb", null},
    };

    /** name (short, e.g. "top_pad") → value, in the order glibc applies them. */
    final Map<String, Long> values = new LinkedHashMap<>();
    /** The values given in MALLOC_*_ environment spelling, in the same order. */
    final Map<String, Long> envValues = new LinkedHashMap<>();

    private Tunables() {
    }

    /**
     * Parses {@code text} and keeps what {@code profile}'s glibc reads: 2.23 has no GLIBC_TUNABLES
     * (only the MALLOC_*_ environment variables), 2.27 has no {@code mxfast} tunable; names glibc does
     * not know are ignored by glibc, so they are dropped here after validation.
     */
    static Tunables parse(String text, GlibcProfile profile) {
        Tunables t = parse(text);
        if (!profile.hasTunables) {
            t.values.clear();
            t.values.putAll(t.envValues);
        } else if (!profile.hasMxfastTunable) {
            t.values.remove("mxfast");
        }
        return t;
    }

    /**
     * How many bytes ld.so's copy of the {@code GLIBC_TUNABLES=value} entry takes
     * ({@code strlen("GLIBC_TUNABLES=") + strlen(value) + 1}), or 0 when the text sets no such entry
     * (blank, or only MALLOC_*_ environment spellings). Items in environment spelling are separate
     * variables and are not part of the value.
     */
    static long tunablesEnvLength(String text) {
        if (text == null || text.isBlank()) {
            return 0;
        }
        String s = text.strip();
        boolean explicit = s.startsWith("GLIBC_TUNABLES=");
        if (explicit) {
            s = s.substring("GLIBC_TUNABLES=".length());
        }
        StringBuilder value = new StringBuilder();
        boolean all = true;
        for (String item : s.split("[:\\s]+")) {
            if (item.isEmpty()) {
                continue;
            }
            if (item.startsWith("glibc.")) {
                value.append(value.length() == 0 ? "" : ":").append(item);
            } else {
                all = false;
            }
        }
        if (all) {
            return 16 + s.length();
        }
        return value.length() == 0 && !explicit ? 0 : 16 + value.length();
    }

    static Tunables parse(String text) {
        Tunables t = new Tunables();
        if (text == null || text.isBlank()) {
            return t;
        }
        String s = text.trim();
        if (s.startsWith("GLIBC_TUNABLES=")) {
            s = s.substring("GLIBC_TUNABLES=".length());
        }
        Map<String, Long> fromTunables = new LinkedHashMap<>();
        Map<String, Long> fromEnv = new LinkedHashMap<>();
        for (String item : s.split("[:\\s]+")) {
            if (item.isEmpty()) {
                continue;
            }
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("malformed tunable '" + item + "': expected NAME=VALUE");
            }
            String name = item.substring(0, eq);
            String value = item.substring(eq + 1);
            if (name.startsWith("glibc.malloc.")) {
                String shortName = name.substring("glibc.malloc.".length());
                if (indexOf(shortName) < 0) {
                    throw new IllegalArgumentException("unknown malloc tunable '" + name + "' (known: "
                            + knownNames() + ")");
                }
                fromTunables.put(shortName, number(item, value));
            } else if (name.startsWith("glibc.")) {
                // another namespace (rtld, pthread, cpu, mem …): not malloc's business
            } else {
                String shortName = aliasFor(name);
                if (shortName == null) {
                    throw new IllegalArgumentException("unknown tunable '" + name
                            + "': expected glibc.malloc.NAME=VALUE or a MALLOC_*_ environment variable");
                }
                fromEnv.put(shortName, number(item, value));
            }
        }
        for (String[] k : KNOWN) {
            if (fromEnv.containsKey(k[0])) {
                t.envValues.put(k[0], fromEnv.get(k[0]));
            }
            Long v = fromTunables.containsKey(k[0]) ? fromTunables.get(k[0]) : fromEnv.get(k[0]);
            if (v != null) {
                t.values.put(k[0], v);
            }
        }
        return t;
    }

    private static int indexOf(String shortName) {
        for (int i = 0; i < KNOWN.length; i++) {
            if (KNOWN[i][0].equals(shortName)) {
                return i;
            }
        }
        return -1;
    }

    private static String aliasFor(String env) {
        for (String[] k : KNOWN) {
            if (env.equals(k[1])) {
                return k[0];
            }
        }
        return null;
    }

    private static String knownNames() {
        StringBuilder sb = new StringBuilder();
        for (String[] k : KNOWN) {
            sb.append(sb.length() == 0 ? "" : ", ").append(k[0]);
        }
        return sb.toString();
    }

    /** glibc's _dl_strtoul: optional sign, 0x hex, leading-0 octal, decimal; the whole value must parse. */
    private static long number(String item, String v) {
        String s = v.toLowerCase(Locale.ROOT);
        boolean neg = false;
        if (s.startsWith("-") || s.startsWith("+")) {
            neg = s.charAt(0) == '-';
            s = s.substring(1);
        }
        int radix = 10;
        if (s.startsWith("0x")) {
            radix = 16;
            s = s.substring(2);
        } else if (s.length() > 1 && s.startsWith("0")) {
            radix = 8;
            s = s.substring(1);
        }
        try {
            if (s.isEmpty()) {
                throw new NumberFormatException();
            }
            long r = Long.parseUnsignedLong(s, radix);
            return neg ? -r : r;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("malformed tunable '" + item + "': the value is not a number");
        }
    }
}
