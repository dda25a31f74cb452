package io.mallocscope.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Call-site markers put into a program's class, and the same class taken from the cache of an earlier run. */
class CallSitesTest {
    private static final String PROGRAM = "io/mallocscope/agent/it/CourseWork";

    private static byte[] classFile(String name) throws IOException {
        try (InputStream in = CallSitesTest.class.getClassLoader().getResourceAsStream(name + ".class")) {
            return in.readAllBytes();
        }
    }

    private static long entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void aClassMarkedOnceComesBackFromTheCacheAsTheSameBytes(@TempDir Path dir) throws IOException {
        byte[] original = classFile(PROGRAM);
        ClassLoader loader = getClass().getClassLoader();
        int known = CallSites.known();
        byte[] marked = new CallSites(SiteCache.in(dir)).transform(loader, PROGRAM, null, null, original);
        assertThat(marked).isNotNull();
        assertThat(new String(marked, StandardCharsets.ISO_8859_1)).contains("io/mallocscope/agent/Recorder").contains("site");
        assertThat(entries(dir)).isEqualTo(1);

        // a later run in which the same sites were known: the entry, no ASM
        byte[] again = SiteCache.in(dir).get(PROGRAM, original, known);
        assertThat(again).isEqualTo(marked);
        // marking it afresh gives the same bytes (its sites are known now, under the same ids)
        assertThat(new CallSites(SiteCache.in(dir.resolve("other"))).transform(loader, PROGRAM, null, null, original))
                .isEqualTo(marked);
        // another state of the registry is another entry
        assertThat(SiteCache.in(dir).get(PROGRAM, original, CallSites.known() + 1000)).isNull();
    }

    @Test
    void anEntryWhoseSitesWouldGetOtherIdsIsNotUsed(@TempDir Path dir) throws IOException {
        byte[] original = classFile(PROGRAM);
        SiteCache cache = SiteCache.in(dir);
        cache.put(PROGRAM, original, 7, Map.of(1_000_000, "Elsewhere.java:12"), new byte[]{1, 2, 3});
        assertThat(cache.get(PROGRAM, original, 7)).isNull();
        cache.put(PROGRAM, original, 8, Map.of(), null); // a class that needed no marker
        assertThat(cache.get(PROGRAM, original, 8)).isSameAs(SiteCache.UNMARKED);
        byte[] changed = original.clone();
        changed[changed.length - 1] ^= 1;
        assertThat(cache.get(PROGRAM, changed, 8)).isNull();
    }

    @Test
    void aCacheThatCannotBeWrittenIsLeftAlone(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("not-a-directory");
        Files.writeString(file, "x");
        byte[] original = classFile(PROGRAM);
        byte[] marked = new CallSites(SiteCache.in(file)).transform(getClass().getClassLoader(), PROGRAM, null, null, original);
        assertThat(marked).isNotNull();
        assertThat(Files.readString(file)).isEqualTo("x");
    }
}
