package io.mallocscope.runtime.malloc;

/** {@code struct mallinfo2}, field for field. */
public record Mallinfo2(long arena, long ordblks, long smblks, long hblks, long hblkhd, long usmblks,
                        long fsmblks, long uordblks, long fordblks, long keepcost) {

    /** The same figures truncated to {@code int}, as the old {@code mallinfo()} returns them. */
    public Mallinfo2 truncatedToInt() {
        return new Mallinfo2((int) arena, (int) ordblks, (int) smblks, (int) hblks, (int) hblkhd, (int) usmblks,
                (int) fsmblks, (int) uordblks, (int) fordblks, (int) keepcost);
    }
}
