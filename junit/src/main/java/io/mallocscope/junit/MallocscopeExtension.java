package io.mallocscope.junit;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.memcheck.Memcheck;
import io.mallocscope.runtime.signal.SimulatedSignal;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.AssertionFailedError;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The JUnit 5 extension behind {@link SimulatedProcess}: one fresh process per test method, created
 * when a parameter first asks for it, with the settings of the {@link SimulatedProcess} annotations
 * around it merged (each attribute from the nearest annotation that sets it to something other than
 * its default: the method's, then the class's, then the enclosing classes'). Resolves {@link LibC}, {@link CProcess} and
 * {@link Heap} parameters, and {@link CapturedOutput}: the program's stdout and stderr are captured.
 * Each process's allocations are recorded with their call sites from its creation on (see {@link Heap}),
 * so a leak report names the line that allocated each block, whoever called malloc.
 *
 * <p>A test that ends with a simulated signal (glibc's abort, a segfault) fails with the signal's
 * message, the program's frames where it happened and, for a free glibc refused, where the block was
 * freed before and where it was allocated.
 */
public final class MallocscopeExtension implements ParameterResolver, AfterEachCallback,
        TestExecutionExceptionHandler {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(MallocscopeExtension.class);

    /** One test's process and the buffers its output goes to. */
    private record Simulated(CProcess process, ByteArrayOutputStream out, ByteArrayOutputStream err,
                             Settings settings) {
    }

    /** The merged settings of the {@link SimulatedProcess} annotations that apply to one test. */
    record Settings(String glibc, String tunables, boolean unbufferedStdout, boolean failOnLeaks,
                    String programName, boolean memcheck) {
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
        if (s == null || ec.getExecutionException().isPresent()) {
            return;
        }
        Memcheck mc = s.process().memcheck();
        if (mc != null && !mc.errors().isEmpty()) {
            throw new AssertionFailedError(memcheckReport(mc));
        }
        if (!s.settings().failOnLeaks()) {
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

    /** The system property the recording agent names a process's timeline by (agent option each=DIR). */
    static final String RECORDING_NAME = "mallocscope.recording.name";
    private static final java.util.Map<String, Integer> NAMES_USED = new java.util.concurrent.ConcurrentHashMap<>();

    /** {@code IntListTest.pushAddsAtTheFront}; a name met again (a repeated or parameterized test) gets -2, -3 … */
    static String recordingName(ExtensionContext ec) {
        String name = ec.getRequiredTestClass().getSimpleName() + "." + ec.getRequiredTestMethod().getName();
        int n = NAMES_USED.merge(name, 1, Integer::sum);
        return n == 1 ? name : name + "-" + n;
    }

    /**
     * Creates the process with {@link #RECORDING_NAME} set to {@code name} meanwhile, so that a recording
     * agent started with {@code each=DIR} writes its timeline to {@code DIR/name.timeline}.
     */
    private static synchronized CProcess createNamed(ProcessOptions options, String name) {
        String previous = System.getProperty(RECORDING_NAME);
        System.setProperty(RECORDING_NAME, name);
        try {
            return CProcess.create(options);
        } finally {
            if (previous == null) {
                System.clearProperty(RECORDING_NAME);
            } else {
                System.setProperty(RECORDING_NAME, previous);
            }
        }
    }

    @Override
    public void handleTestExecutionException(ExtensionContext ec, Throwable t) throws Throwable {
        if (!(t instanceof SimulatedSignal signal)) {
            throw t;
        }
        Simulated s = ec.getStore(NS).get(Simulated.class, Simulated.class);
        ClassLoader loader = ec.getRequiredTestClass().getClassLoader();
        AssertionFailedError crash = CrashReport.of(signal, s == null ? null : Heap.of(s.process()), loader);
        Memcheck mc = s == null ? null : s.process().memcheck();
        if (mc != null && !mc.errors().isEmpty()) {
            // what memcheck saw first is why glibc stopped the program: say it before the crash
            AssertionFailedError both = new AssertionFailedError(memcheckReport(mc) + System.lineSeparator() + System.lineSeparator()
                    + "and then:" + System.lineSeparator() + crash.getMessage());
            both.setStackTrace(crash.getStackTrace());
            throw both;
        }
        throw crash;
    }

    /** Memcheck's errors, each with its sites, as the failure message. */
    private static String memcheckReport(Memcheck mc) {
        String nl = System.lineSeparator();
        return "memcheck found " + mc.errorCount() + (mc.errorCount() == 1 ? " error" : " errors") + ":" + nl
                + String.join(nl, mc.errors());
    }

    private static Simulated create(ExtensionContext ec) {
        Settings settings = settings(ec);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ProcessOptions options = ProcessOptions.defaults()
                .withProgramName(settings.programName())
                .withGlibc(settings.glibc())
                .withTunables(settings.tunables())
                .withMemcheck(settings.memcheck())
                .withStdout(out)
                .withStderr(err);
        CProcess process = createNamed(options, recordingName(ec));
        Heap.of(process); // records each allocation's call site from the first one on, for the leak report
        if (settings.unbufferedStdout()) {
            process.libc().setbufNone(LibC.STDOUT);
        }
        return new Simulated(process, out, err, settings);
    }

    static Settings settings(ExtensionContext ec) {
        List<SimulatedProcess> found = new ArrayList<>(); // nearest first
        for (Optional<ExtensionContext> c = Optional.of(ec); c.isPresent(); c = c.get().getParent()) {
            Optional<AnnotatedElement> element = c.get().getElement();
            if (element.isPresent()) {
                SimulatedProcess sp = element.get().getAnnotation(SimulatedProcess.class);
                if (sp != null && (found.isEmpty() || found.get(found.size() - 1) != sp)) {
                    found.add(sp);
                }
            }
        }
        return merge(found);
    }

    /**
     * Each attribute from the first annotation of {@code nearestFirst} that sets it to something other
     * than its default; the default if none does. (An annotation cannot tell an attribute set to its
     * default from one left out, so a method cannot put back a default its class changed.)
     */
    static Settings merge(List<SimulatedProcess> nearestFirst) {
        SimulatedProcess d = Defaults.class.getAnnotation(SimulatedProcess.class);
        return new Settings(
                pick(nearestFirst, d, "glibc"),
                pick(nearestFirst, d, "tunables"),
                pick(nearestFirst, d, "unbufferedStdout"),
                pick(nearestFirst, d, "failOnLeaks"),
                pick(nearestFirst, d, "programName"),
                pick(nearestFirst, d, "memcheck"));
    }

    @SuppressWarnings("unchecked")
    private static <T> T pick(List<SimulatedProcess> nearestFirst, SimulatedProcess defaults, String attribute) {
        try {
            Method m = SimulatedProcess.class.getMethod(attribute);
            Object dflt = m.invoke(defaults);
            for (SimulatedProcess sp : nearestFirst) {
                Object v = m.invoke(sp);
                if (!v.equals(dflt)) {
                    return (T) v;
                }
            }
            return (T) dflt;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("@SimulatedProcess has no attribute " + attribute, e);
        }
    }

    /** Carries the annotation's defaults, for tests that use {@code @ExtendWith} without it. */
    @SimulatedProcess
    private static final class Defaults {
    }
}
