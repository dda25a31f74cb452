package io.mallocscope.cli.source;

import io.mallocscope.cli.model.MapRegion;
import io.mallocscope.runtime.vm.AddressSpace;
import io.mallocscope.runtime.vm.Region;

import java.util.ArrayList;
import java.util.List;

/** Turns the runtime's view of a simulated process into the cli's model. */
public final class ProcessModels {
    private ProcessModels() {
    }

    /** The mappings, lowest first, as {@code /proc/PID/maps} would list them. */
    public static List<MapRegion> maps(AddressSpace as) {
        List<MapRegion> out = new ArrayList<>();
        for (Region r : as.regions()) {
            out.add(new MapRegion(r.start(), r.end(), r.permissions(), r.name()));
        }
        return out;
    }
}
