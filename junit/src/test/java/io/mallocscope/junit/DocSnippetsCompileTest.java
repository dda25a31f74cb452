package io.mallocscope.junit;

import io.mallocscope.runtime.LibC;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue #17: every ```java snippet of README.md and docs/*.md compiles as shown, against this build's
 * runtime and JUnit support (and, for the coursework docs, the example assignment's sources). A snippet
 * that declares a type is a compilation unit, its imports shown; a snippet of statements (an API tour)
 * is compiled as a method body, with the variables it names as the method's parameters, listed in
 * {@link #STATEMENT_CONTEXT} per file.
 */
class DocSnippetsCompileTest {
    private static final Pattern FENCE = Pattern.compile("```(\\w*)\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern TYPE = Pattern.compile("(?m)^(public |final |abstract )*(class|record|interface|enum) (\\w+)|^@\\w+");
    private static final Pattern TYPE_NAME = Pattern.compile("(?m)^(?:public |final |abstract )*(?:class|record|interface|enum) (\\w+)");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package ([\\w.]+);");

    /** For statement snippets: imports and the parameters of the method they are compiled in, by file. */
    private static final Map<String, String[]> STATEMENT_CONTEXT = Map.of(
            "timeline-format.md", new String[] {
                "import io.mallocscope.runtime.CProcess; import io.mallocscope.runtime.timeline.*;",
                "java.nio.file.Path path, int n, int i, int eventIndex"},
            "c.md", new String[] {
                "import io.mallocscope.c.CFront; import io.mallocscope.runtime.*; import io.mallocscope.runtime.vm.KernelLayout;"
                        + " import java.nio.file.Path;",
                ""});

    @TestFactory
    Stream<DynamicTest> everyJavaSnippetCompiles() throws Exception {
        Path root = DocsCourseBuildsTest.projectRoot();
        List<Path> docs = new ArrayList<>();
        docs.add(root.resolve("README.md"));
        try (Stream<Path> s = Files.list(root.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Path doc : docs) {
            String md = Files.readString(doc);
            Matcher m = FENCE.matcher(md);
            while (m.find()) {
                if (!m.group(1).equals("java")) {
                    continue;
                }
                int line = md.substring(0, m.start()).split("\n", -1).length;
                String snippet = m.group(2);
                String name = root.relativize(doc) + ":" + line;
                tests.add(DynamicTest.dynamicTest(name, () -> compiles(root, doc, line, snippet)));
            }
        }
        assertThat(tests).as("README.md and docs/ show Java snippets").isNotEmpty();
        return tests.stream();
    }

    private static void compiles(Path root, Path doc, int line, String snippet) throws Exception {
        String source;
        String className;
        Matcher type = TYPE_NAME.matcher(snippet);
        if (TYPE.matcher(snippet).find() && type.find()) {
            source = snippet;
            className = type.group(1);
        } else {
            String[] ctx = STATEMENT_CONTEXT.get(doc.getFileName().toString());
            assertThat(ctx).as(doc.getFileName() + ":" + line + " shows statements but the test knows no context"
                    + " (imports, variables) for that file: add one to STATEMENT_CONTEXT").isNotNull();
            className = "Snippet";
            source = ctx[0] + "\nclass Snippet {\n  void snippet(" + ctx[1] + ") throws Exception {\n" + snippet
                    + "\n  }\n}\n";
        }
        Path dir = Files.createTempDirectory("snippet");
        try {
            Matcher pkg = PACKAGE.matcher(source);
            Path srcDir = pkg.find() ? dir.resolve("src").resolve(pkg.group(1).replace('.', '/')) : dir.resolve("src");
            Files.createDirectories(srcDir);
            Path file = srcDir.resolve(className + ".java");
            Files.writeString(file, source);
            Path out = Files.createDirectories(dir.resolve("out"));
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, null)) {
                List<String> options = List.of("-classpath", classpath(), "-sourcepath",
                        root.resolve("examples/coursework/src/main/java").toString(), "-d", out.toString(),
                        "-proc:none", "-implicit:class");
                boolean ok = javac.getTask(null, fm, diagnostics, options, null, fm.getJavaFileObjects(file.toFile()))
                        .call();
                StringBuilder why = new StringBuilder();
                diagnostics.getDiagnostics().forEach(d -> why.append(d).append('\n'));
                assertThat(ok).as("the snippet at " + root.relativize(doc) + ":" + line + " does not compile:\n" + why)
                        .isTrue();
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The runtime, this module, the C front end, JUnit's API and opentest4j: what a course's test code sees. */
    private static String classpath() throws URISyntaxException {
        List<String> parts = new ArrayList<>();
        for (Class<?> c : List.of(LibC.class, Heap.class, io.mallocscope.c.CFront.class, org.junit.jupiter.api.Test.class,
                org.opentest4j.AssertionFailedError.class, org.apiguardian.api.API.class)) {
            parts.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        return String.join(File.pathSeparator, parts);
    }
}
