package io.mallocscope.runtime.vm;

/**
 * One mapping of the address space, as a line of {@code /proc/PID/maps} shows it: a half-open
 * range {@code [start, end)}, its permissions and its name ({@code [heap]}, {@code [stack]}, a path,
 * or empty for an anonymous mapping).
 */
public record Region(long start, long end, int prot, String name) {

    public long size() {
        return end - start;
    }

    public boolean contains(long address) {
        return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
    }

    public boolean readable() {
        return (prot & AddressSpace.PROT_READ) != 0;
    }

    public boolean writable() {
        return (prot & AddressSpace.PROT_WRITE) != 0;
    }

    /** The permission column of {@code /proc/PID/maps}: {@code rw-p}, {@code r-xp} … */
    public String permissions() {
        return ((prot & AddressSpace.PROT_READ) != 0 ? "r" : "-")
                + ((prot & AddressSpace.PROT_WRITE) != 0 ? "w" : "-")
                + ((prot & AddressSpace.PROT_EXEC) != 0 ? "x" : "-")
                + "p";
    }

    Region withRange(long newStart, long newEnd) {
        return new Region(newStart, newEnd, prot, name);
    }

    Region withProt(long newStart, long newEnd, int newProt) {
        return new Region(newStart, newEnd, newProt, name);
    }
}
