package io.mallocscope.cli.source;

import io.mallocscope.cli.model.MapRegion;
import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.malloc.HeapView;
import io.mallocscope.runtime.text.Hex;
import io.mallocscope.runtime.vm.AddressSpace;
import io.mallocscope.runtime.vm.Region;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Turns the runtime's view of a simulated process into the cli's model. */
public final class ProcessModels {
    private ProcessModels() {
    }

    /** The mappings, lowest first, as {@code /proc/PID/maps} would list them. */
    public static List<MapRegion> maps(AddressSpace as) {
        List<MapRegion> out = new ArrayList<>();
        for (Region r : as.regions()) {
            out.add(region(as, r, null));
        }
        return out;
    }

    /**
     * The mappings a process made with another kernel layout or program image than the defaults has
     * elsewhere (a C program: libc 0x2000 higher on a kernel with [vvar_vclock], .data and the heap
     * pages higher with more than a page of literals), named where they are.
     */
    private static void layoutNames(CProcess p, Map<Long, String> what) {
        io.mallocscope.runtime.vm.KernelLayout k = p.kernel().layout();
        io.mallocscope.runtime.vm.ProgramImage image = p.options().programImage();
        if (k == io.mallocscope.runtime.vm.KernelLayout.CLASSIC && image.equals(io.mallocscope.runtime.vm.ProgramImage.SMALL)) {
            return; // the maps renderer's own names are these
        }
        what.put(io.mallocscope.runtime.vm.Layout.RELRO_START + image.shift(), "program: .got (relro)");
        what.put(image.dataStart(), "program: .data and .bss");
        what.put(k.libcData(), "libc: .data (main_arena, mp_)");
        what.put(k.libcAnon(), "TLS, libc .bss tail");
    }

    private static MapRegion region(AddressSpace as, Region r, String what) {
        return MapRegion.of(as, r, what);
    }

    /**
     * The mappings of {@code p}, each thread's stack and guard page and each non-main arena's heaps
     * (the part in use, read-write up to {@code mprotect_size}, and the reserved {@code PROT_NONE} rest
     * of its 64 MiB) said as such.
     */
    public static List<MapRegion> maps(CProcess p) {
        AddressSpace as = p.memory();
        Map<Long, String> what = new HashMap<>();
        long[] tps = p.libc().threadPointers();
        for (int k = 1; k < tps.length; k++) {
            if (tps[k] == 0 || as.regionAt(tps[k]) == null) {
                continue;
            }
            Region stack = as.regionAt(tps[k]);
            // the kernel merges it with an anonymous neighbour of the same protection (libc's TLS block)
            boolean tls = stack.contains(io.mallocscope.runtime.vm.Layout.LIBC_ANON_START);
            what.put(stack.start(), "stack of thread " + k + " (t" + k + ")" + (tls ? " + TLS" : ""));
            Region below = stack.start() > 0 ? as.regionAt(stack.start() - 1) : null;
            if (below != null && below.end() == stack.start() && below.permissions().startsWith("---")) {
                what.put(below.start(), "guard page of t" + k + "'s stack");
            }
        }
        layoutNames(p, what);
        HeapView v = p.malloc().view();
        for (HeapView.Arena a : v.arenas()) {
            int h = 1;
            for (HeapView.HeapInfo heap : a.heaps()) {
                String name = "arena " + a.number() + (a.heaps().size() > 1 ? " heap " + h : " heap");
                what.put(heap.address(), name + " (size " + Hex.of(heap.size()) + ")");
                what.putIfAbsent(heap.address() + heap.mprotectSize(), name + ": reserved (PROT_NONE)");
                h++;
            }
        }
        List<MapRegion> out = new ArrayList<>();
        for (Region r : as.regions()) {
            String w = what.get(r.start());
            if (w != null && w.endsWith("(PROT_NONE)") && !r.permissions().startsWith("---")) {
                w = null;
            }
            out.add(region(as, r, w));
        }
        return out;
    }
}
