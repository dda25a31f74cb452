package io.mallocscope.junit;

import io.mallocscope.runtime.LibC;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue #17: a teacher following docs/coursework.md gets a course whose tests run. Builds a course
 * from the docs' own pom and graded-test snippet (with the example's IntList as the code under test)
 * and runs {@code mvn test} on it with this project's Maven wrapper, offline. mallocscope's jars are
 * this build's (the reactor's classes), put in a private local repository under target/ whose misses
 * fall through, read-only, to the user's (Maven's {@code maven.repo.local.tail}) for the plugins and
 * JUnit: nothing is installed where other builds would see it.
 */
class DocsCourseBuildsTest {
    private static final Pattern FENCE = Pattern.compile("```(\\w*)\\n(.*?)```", Pattern.DOTALL);

    static Path projectRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("mvnw")) && Files.exists(p.resolve("docs/coursework.md"))) {
                return p;
            }
        }
        throw new IllegalStateException("not inside the mallocscope checkout: " + Path.of("").toAbsolutePath());
    }

    /** The first fenced block of {@code language} in {@code markdown} that contains {@code marker}. */
    static String block(String markdown, String language, String marker) {
        Matcher m = FENCE.matcher(markdown);
        while (m.find()) {
            if (m.group(1).equals(language) && m.group(2).contains(marker)) {
                return m.group(2);
            }
        }
        throw new AssertionError("docs/coursework.md shows no ```" + language + " block with " + marker);
    }

    @Test
    void aCourseBuiltFromTheDocsRunsItsTests() throws Exception {
        Path root = projectRoot();
        Path userRepo = Path.of(System.getProperty("user.home"), ".m2", "repository");
        Assumptions.assumeTrue(Files.isDirectory(userRepo.resolve("org/apache/maven/plugins/maven-surefire-plugin")),
                "skipped: no local Maven repository with plugins at " + userRepo + " to build the course offline");
        String md = Files.readString(root.resolve("docs/coursework.md"));
        Path work = root.resolve("junit/target/docs-course");
        deleteTree(work);
        Path course = work.resolve("course");
        Path repo = work.resolve("repository");
        Files.createDirectories(course.resolve("src/test/java/coursework/list"));
        Files.createDirectories(course.resolve("src/main/java/coursework/list"));
        Files.writeString(course.resolve("pom.xml"), block(md, "xml", "<project"));
        Files.writeString(course.resolve("src/test/java/coursework/list/IntListTest.java"),
                block(md, "java", "class IntListTest"));
        Files.copy(root.resolve("examples/coursework/src/main/java/coursework/list/IntList.java"),
                course.resolve("src/main/java/coursework/list/IntList.java"));

        String version = parentVersion(Files.readString(root.resolve("pom.xml")));
        install(repo, "mallocscope-parent", version, root.resolve("pom.xml"), null);
        install(repo, "mallocscope-runtime", version, root.resolve("runtime/pom.xml"), classesOf(LibC.class));
        install(repo, "mallocscope-junit", version, root.resolve("junit/pom.xml"), classesOf(SimulatedProcess.class));

        List<String> cmd = new ArrayList<>(List.of(root.resolve("mvnw").toString(), "-o", "-B",
                "-Dmaven.repo.local=" + repo, "-Dmaven.repo.local.tail=" + userRepo, "test"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(course.toFile()).redirectErrorStream(true);
        pb.environment().remove("MAVEN_ARGS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        Assumptions.assumeFalse(out.contains("in offline mode") && out.contains("maven-"),
                "skipped: a Maven plugin the course needs is not in " + userRepo + " and the build is offline");
        assertThat(out).as(out).contains("Tests run: 1, Failures: 0, Errors: 0, Skipped: 0").contains("BUILD SUCCESS");
        assertThat(out).doesNotContain("Tests run: 0");
        assertThat(p.exitValue()).isZero();
    }

    private static String parentVersion(String rootPom) {
        Matcher m = Pattern.compile("<artifactId>mallocscope-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(rootPom);
        assertThat(m.find()).as("the root pom names mallocscope-parent's version").isTrue();
        return m.group(1);
    }

    /** Where {@code type} was loaded from: this build's classes directory (or jar). */
    private static Path classesOf(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** Lays out an artifact as {@code mvn install} would in a local repository. */
    private static void install(Path repo, String artifactId, String version, Path pom, Path classes) throws IOException {
        Path dir = repo.resolve("io/mallocscope").resolve(artifactId).resolve(version);
        Files.createDirectories(dir);
        Files.copy(pom, dir.resolve(artifactId + "-" + version + ".pom"));
        if (classes == null) {
            return;
        }
        Path jar = dir.resolve(artifactId + "-" + version + ".jar");
        if (Files.isRegularFile(classes)) {
            Files.copy(classes, jar);
            return;
        }
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, (OutputStream) out);
                out.closeEntry();
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
