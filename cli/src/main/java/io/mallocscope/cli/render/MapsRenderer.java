package io.mallocscope.cli.render;

import io.mallocscope.runtime.text.Hex;
import io.mallocscope.cli.model.Chunk;
import io.mallocscope.cli.model.HeapSnapshot;
import io.mallocscope.cli.model.MapRegion;
import io.mallocscope.runtime.vm.Layout;

import java.io.PrintWriter;
import java.util.List;

/**
 * The memory layout as {@code /proc/PID/maps} lists it, with each mapping's size and what it holds
 * (program text, .data/.bss, the heap up to the break, mmapped chunks, libc, the stack), then the
 * kernel's half of the address space, which a process cannot touch.
 */
public final class MapsRenderer implements SnapshotRenderer {
    /** Where the kernel's half of the address space starts; [vsyscall] lies inside it. */
    static final long KERNEL_SPACE = 0xffff800000000000L;

    @Override
    public void render(HeapSnapshot s, PrintWriter out, Style style) {
        out.println(style.banner(String.format("%-25s %-4s %6s  %-30s %s", "range", "perm", "size", "what", "name")));
        boolean kernelShown = false;
        for (MapRegion r : s.maps()) {
            if (!kernelShown && Long.compareUnsigned(r.start(), KERNEL_SPACE) >= 0) {
                kernelSpace(out);
                kernelShown = true;
            }
            out.println(String.format("%012x-%012x %s %6s  %-30s %s", r.start(), r.end(), r.perms(), Hex.kib(r.size()),
                    what(r, s), r.name()).stripTrailing());
        }
        if (!kernelShown) {
            kernelSpace(out);
        }
    }

    private static void kernelSpace(PrintWriter out) {
        out.println(String.format("%s-%s %s %6s  %-30s", "ffff800000000000", "ffffffffffffffff", "----", "128T",
                "kernel space (not mapped for the process)").stripTrailing());
    }

    static String what(MapRegion r, HeapSnapshot s) {
        if (r.what() != null) {
            return r.what();
        }
        long a = r.start();
        if (r.isUserFile()) {
            return r.fileState();
        }
        if (r.name().equals("[heap]")) {
            return "heap (brk " + Hex.of(s.brk()) + ")";
        }
        if (r.name().startsWith(Layout.PROGRAM_PATH_PREFIX)) {
            if (a == Layout.TEXT_BASE) {
                return "program: ELF header";
            }
            if (a == Layout.TEXT_START) {
                return "program: .text";
            }
            if (a == Layout.RODATA_START) {
                return "program: .rodata";
            }
            if (a == Layout.RELRO_START) {
                return "program: .got (relro)";
            }
            if (a == Layout.DATA_START) {
                return ".data; .bss at " + Hex.of(Layout.BSS_START);
            }
            return "program";
        }
        if (r.name().equals(Layout.LIBC_PATH)) {
            return a == Layout.LIBC_DATA ? "libc: .data (main_arena, mp_)" : "libc" + perms(r);
        }
        if (r.name().equals(Layout.LD_PATH)) {
            return "ld.so" + perms(r);
        }
        switch (r.name()) {
            case "[stack]":
                return "stack (main's frame)";
            case "[vvar]":
                return "kernel data for vdso";
            case "[vvar_vclock]":
                return "kernel clock pages for vdso";
            case "[vdso]":
                return "vdso";
            case "[vsyscall]":
                return "vsyscall (kernel page)";
            default:
                break;
        }
        List<Chunk> inside = s.mmapped().stream().filter(c -> c.address() >= r.start() && c.address() < r.end())
                .toList();
        if (!inside.isEmpty()) {
            // the kernel merges neighbouring anonymous mappings: say what else shares the region
            long covered = inside.stream().mapToLong(Chunk::size).sum();
            String chunks = inside.size() == 1 ? "mmapped chunk " + Hex.of(inside.get(0).address())
                    : inside.size() + " mmapped chunks";
            if (covered >= r.size()) {
                return chunks;
            }
            String what = chunks + " (" + Hex.of(covered) + ")";
            if (r.start() <= Layout.LIBC_ANON_START && Layout.LIBC_ANON_START < r.end()) {
                return what + " + TLS";
            }
            return what + " + " + Hex.of(r.size() - covered) + " anonymous";
        }
        if (a == Layout.LIBC_ANON_START) {
            return "TLS, libc .bss tail";
        }
        return "anonymous";
    }

    /** Each mapping as the line {@code /proc/PID/maps} prints for it, nothing else. */
    public static void renderProc(HeapSnapshot s, PrintWriter out) {
        for (MapRegion r : s.maps()) {
            out.println(r.procLine());
        }
    }

    private static String perms(MapRegion r) {
        return switch (r.perms()) {
            case "r-xp" -> ": code";
            case "rw-p" -> ": data";
            default -> ": read-only";
        };
    }
}
