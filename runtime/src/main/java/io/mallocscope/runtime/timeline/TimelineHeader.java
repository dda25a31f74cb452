package io.mallocscope.runtime.timeline;

import io.mallocscope.runtime.ProcessOptions;
import io.mallocscope.runtime.vm.KernelLayout;
import io.mallocscope.runtime.vm.ProgramImage;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a timeline: what process was recorded and how. Stored as ordered key/value
 * strings so later versions can add keys that older readers skip. The well-known keys are
 * {@code glibc}, {@code tunables}, {@code program}, {@code argv} (NUL-separated), {@code heap_start}
 * (the initial program break, hex), {@code start_time} (ISO-8601), {@code data_limit},
 * {@code address_space_limit}, {@code stdout_tty}, {@code attached}, {@code record} (what was
 * recorded, {@code +}-separated), {@code sites}; for a process made with other than the defaults'
 * kernel layout, program image or CPU count (a C program), {@code kernel_layout}, {@code program_image}
 * and {@code cpus} ({@link #processFields}).
 */
public final class TimelineHeader {
    public static final String GLIBC = "glibc";
    public static final String TUNABLES = "tunables";
    public static final String PROGRAM = "program";
    public static final String ARGV = "argv";
    public static final String HEAP_START = "heap_start";
    public static final String START_TIME = "start_time";
    public static final String DATA_LIMIT = "data_limit";
    public static final String ADDRESS_SPACE_LIMIT = "address_space_limit";
    public static final String STDOUT_TTY = "stdout_tty";
    public static final String ATTACHED = "attached";
    public static final String RECORD = "record";
    public static final String SITES = "sites";
    /** {@link KernelLayout#id()}: where the kernel put libc, ld.so and the mmap base. */
    public static final String KERNEL_LAYOUT = "kernel_layout";
    /** {@code R,D}: the program's read-only and writable data pages ({@link ProgramImage}). */
    public static final String PROGRAM_IMAGE = "program_image";
    /** The simulated machine's CPUs (how many arenas malloc makes at most). */
    public static final String CPUS = "cpus";

    private final int version;
    private final Map<String, String> fields;

    public TimelineHeader(int version, Map<String, String> fields) {
        this.version = version;
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** A header of the current format version. */
    public static TimelineHeader of(Map<String, String> fields) {
        return new TimelineHeader(TimelineFormat.VERSION, fields);
    }

    /** The format version the file was written with. */
    public int version() {
        return version;
    }

    /** All fields, in file order. */
    public Map<String, String> fields() {
        return fields;
    }

    /** A field, or {@code ""} when absent. */
    public String get(String key) {
        return fields.getOrDefault(key, "");
    }

    public String glibc() {
        return get(GLIBC);
    }

    public String tunables() {
        return get(TUNABLES);
    }

    public String program() {
        return get(PROGRAM);
    }

    public List<String> argv() {
        String a = get(ARGV);
        return a.isEmpty() ? List.of() : Arrays.asList(a.split("\0", -1));
    }

    /** The initial program break, or 0 when unknown. */
    public long heapStart() {
        return parseLong(get(HEAP_START), 0);
    }

    /** Whether the agent attached to a process already running (state before it is unknown). */
    public boolean attached() {
        return Boolean.parseBoolean(get(ATTACHED));
    }

    /**
     * Whether the {@code record} field lists {@code what} ({@code calls}, {@code transitions},
     * {@code syscalls}, {@code writes}, {@code output}).
     */
    public boolean recorded(String what) {
        return Arrays.asList(get(RECORD).split("\\+")).contains(what);
    }

    /** A numeric field ("0x…" hex or decimal), or {@code dflt}. */
    public long getLong(String key, long dflt) {
        return parseLong(get(key), dflt);
    }

    private static long parseLong(String s, long dflt) {
        try {
            if (s.startsWith("0x")) {
                return Long.parseUnsignedLong(s.substring(2), 16);
            }
            return s.isEmpty() ? dflt : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    /**
     * The fields that say how the process differs from {@link ProcessOptions#defaults()} in its kernel
     * layout, program image and CPU count: none for a default process, so its header is as before.
     */
    public static Map<String, String> processFields(ProcessOptions o) {
        ProcessOptions d = ProcessOptions.defaults();
        Map<String, String> f = new LinkedHashMap<>();
        if (o.kernelLayout() != d.kernelLayout()) {
            f.put(KERNEL_LAYOUT, o.kernelLayout().id());
        }
        // field by field, not the record's equals(): that is bootstrapped through invokedynamic, which cost
        // the recording agent's start about 30 ms of CPU (ObjectMethods and ~80 classes spun for it)
        ProgramImage image = o.programImage();
        ProgramImage standard = d.programImage();
        if (image.rodataPages() != standard.rodataPages() || image.dataPages() != standard.dataPages()) {
            f.put(PROGRAM_IMAGE, o.programImage().rodataPages() + "," + o.programImage().dataPages());
        }
        if (o.cpus() != d.cpus()) {
            f.put(CPUS, Integer.toString(o.cpus()));
        }
        return f;
    }

    /**
     * {@code o} with the kernel layout, program image and CPU count this header records (those it does
     * not record as in {@code o}).
     *
     * @throws IllegalArgumentException naming the field, for a value this runtime cannot make
     */
    public ProcessOptions applyProcessFields(ProcessOptions o) {
        String layout = get(KERNEL_LAYOUT);
        if (!layout.isEmpty()) {
            try {
                o = o.withKernelLayout(KernelLayout.named(layout));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(KERNEL_LAYOUT + ": " + e.getMessage());
            }
        }
        String image = get(PROGRAM_IMAGE);
        if (!image.isEmpty()) {
            String[] rd = image.split(",", -1);
            try {
                if (rd.length != 2) {
                    throw new IllegalArgumentException("not R,D pages");
                }
                o = o.withProgramImage(new ProgramImage(Integer.parseInt(rd[0]), Integer.parseInt(rd[1])));
            } catch (IllegalArgumentException e) { // NumberFormatException too
                throw new IllegalArgumentException(PROGRAM_IMAGE + ": '" + image + "' is not a program image ("
                        + e.getMessage() + ")");
            }
        }
        String cpus = get(CPUS);
        if (!cpus.isEmpty()) {
            try {
                o = o.withCpus(Integer.parseInt(cpus));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(CPUS + ": '" + cpus + "' is not a CPU count");
            }
        }
        return o;
    }

    @Override
    public String toString() {
        return "TimelineHeader" + fields;
    }
}
