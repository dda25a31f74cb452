package io.mallocscope.junit;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.AssertionFailedError;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.AnnotatedElement;
import java.util.Optional;

/**
 * The JUnit 5 extension behind {@link SimulatedProcess}: one fresh process per test method, created
 * when a parameter first asks for it, with the settings of the nearest {@link SimulatedProcess}
 * (method, then class, then enclosing classes). Resolves {@link LibC}, {@link CProcess} and
 * {@link Heap} parameters, and {@link CapturedOutput}: the program's stdout and stderr are captured.
 * Each process's allocations are recorded with their call sites from its creation on (see {@link Heap}),
 * so a leak report names the line that allocated each block, whoever called malloc.
 */
public final class MallocscopeExtension implements ParameterResolver, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(MallocscopeExtension.class);

    /** One test's process and the buffers its output goes to. */
    private record Simulated(CProcess process, ByteArrayOutputStream out, ByteArrayOutputStream err,
                             SimulatedProcess settings) {
    }

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        Class<?> t = pc.getParameter().getType();
        return t == LibC.class || t == CProcess.class || t == Heap.class || t == CapturedOutput.class;
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
        if (ec.getTestMethod().isEmpty()) {
            throw new ParameterResolutionException("a simulated process is made per test method; "
                    + pc.getParameter().getType().getSimpleName() + " cannot be injected into "
                    + pc.getDeclaringExecutable().getName() + " (use a @BeforeEach or test method parameter)");
        }
        Simulated s = simulated(ec);
        Class<?> t = pc.getParameter().getType();
        if (t == LibC.class) {
            return s.process().libc();
        }
        if (t == CProcess.class) {
            return s.process();
        }
        if (t == Heap.class) {
            return Heap.of(s.process());
        }
        return new CapturedOutput(s.out(), s.err());
    }

    @Override
    public void afterEach(ExtensionContext ec) {
        Simulated s = ec.getStore(NS).get(Simulated.class, Simulated.class);
        if (s == null || !s.settings().failOnLeaks() || ec.getExecutionException().isPresent()) {
            return;
        }
        String report = Heap.of(s.process()).leakReport();
        if (!report.isEmpty()) {
            throw new AssertionFailedError("the test leaked memory:" + System.lineSeparator() + report);
        }
    }

    private static Simulated simulated(ExtensionContext ec) {
        return ec.getStore(NS).getOrComputeIfAbsent(Simulated.class, k -> create(ec), Simulated.class);
    }

    private static Simulated create(ExtensionContext ec) {
        SimulatedProcess settings = settings(ec);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ProcessOptions options = ProcessOptions.defaults()
                .withProgramName(settings.programName())
                .withGlibc(settings.glibc())
                .withTunables(settings.tunables())
                .withStdout(out)
                .withStderr(err);
        CProcess process = CProcess.create(options);
        Heap.of(process); // records each allocation's call site from the first one on, for the leak report
        if (settings.unbufferedStdout()) {
            process.libc().setbufNone(LibC.STDOUT);
        }
        return new Simulated(process, out, err, settings);
    }

    private static SimulatedProcess settings(ExtensionContext ec) {
        for (Optional<ExtensionContext> c = Optional.of(ec); c.isPresent(); c = c.get().getParent()) {
            Optional<AnnotatedElement> element = c.get().getElement();
            if (element.isPresent()) {
                SimulatedProcess sp = element.get().getAnnotation(SimulatedProcess.class);
                if (sp != null) {
                    return sp;
                }
            }
        }
        return Defaults.class.getAnnotation(SimulatedProcess.class);
    }

    /** Carries the annotation's defaults, for tests that use {@code @ExtendWith} without it. */
    @SimulatedProcess
    private static final class Defaults {
    }
}
