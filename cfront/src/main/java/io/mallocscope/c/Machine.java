package io.mallocscope.c;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.LibC;
import io.mallocscope.runtime.signal.Segfault;
import io.mallocscope.runtime.vm.AddressSpace;
import io.mallocscope.runtime.vm.KernelLayout;
import io.mallocscope.runtime.vm.Layout;
import io.mallocscope.runtime.vm.ProgramImage;
import io.mallocscope.runtime.vm.Region;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a checked C program in a simulated process: places its globals, string literals and
 * functions where gcc -O0 and ld put them in a small PIE, builds main's stack as the kernel and
 * glibc's start code leave it, and calls functions with real frames in simulated memory (return
 * address, saved frame pointer, locals at gcc -O0's offsets).
 */
final class Machine {
    /** Where main returns to: inside glibc 2.36's __libc_start_call_main, as an offset into libc. */
    static final long MAIN_RETURN_OFFSET = 0x2724a;
    /** main's frame pointer below the stack pointer the kernel hands to _start (glibc 2.36's start code). */
    static final long START_FRAMES = 0x110;
    /** The program image's offsets (from its base) as ld lays out a small PIE. */
    static final long PLT = 0x1020;
    static final long GOT_PLT = 0x3fe8;
    /** From _start to the first function of the program (crt1's and crtbegin's code). */
    static final long FIRST_FUNCTION_AFTER_START = 0xe9;

    final CProcess process;
    final LibC libc;
    final AddressSpace mem;
    final Program prog;
    final Parser parser;
    final StdoutBuffer stdout;
    final String progname;
    final KernelLayout kl;
    final Builtins.GlibcRandom rand = new Builtins.GlibcRandom();
    /** The program's streams on files (fopen …). */
    final Stdio stdio;
    long rsp;
    long errnoAddress;
    /** The line of the library call running ({@link #resay}), and whether its first allocator call has taken it. */
    private String builtinSite;
    private boolean builtinSiteSaid;
    /** When the program started, for clock(). */
    final long startNanos = System.nanoTime();
    /** strtok's saved place (glibc keeps it in a static variable of libc). */
    long strtokNext;
    /** The ctype tables are written into libc's read-only data ({@link CharClasses}). */
    boolean ctypeTables;
    private final Map<Long, Function> byAddress = new HashMap<>();
    private final Map<String, Long> libcObjects = new HashMap<>();
    private long stdoutFile;
    private long stderrFile;
    private long stdinFile;
    private int depth;
    /** The program's standard input, read through glibc's buffering model (see {@link #stdinByte}). */
    java.io.InputStream stdin = System.in;
    /** The innermost frame running (null before main and after it returned). */
    private Frame current;
    /** The process runs under memcheck: loads are checked and reports show this program's frames. */
    final boolean memcheck;
    /** The process's memcheck, or null. */
    final io.mallocscope.runtime.memcheck.Memcheck mc;
    /**
     * Under memcheck: which arguments of the call being made have undefined bits (bit i: argument i),
     * for the callee's parameters or the library function; and whether the last call's value has.
     */
    long argsUndefined;
    boolean returnUndefined;
    /** The interpreter on each Java thread, whose frames memcheck's reports show. */
    private static final ThreadLocal<Machine> RUNNING = new ThreadLocal<>();

    Machine(CProcess process, Program prog, Parser parser, StdoutBuffer stdout, String argv0) {
        this.process = process;
        this.libc = process.libc();
        this.mem = process.memory();
        this.prog = prog;
        this.parser = parser;
        this.stdout = stdout;
        this.kl = process.kernel().layout();
        int slash = argv0.lastIndexOf('/');
        this.progname = slash < 0 ? argv0 : argv0.substring(slash + 1);
        this.stdio = new Stdio(this);
        io.mallocscope.runtime.memcheck.Memcheck mc = process.memcheck();
        this.memcheck = mc != null;
        this.mc = mc;
        if (mc != null) {
            mc.interpretedBy(Machine::runningFrames);
        }
    }

    /**
     * The frames of the program running on this thread, innermost first, as Valgrind prints a C
     * program's: {@code function (prog.c:LINE)}, at most 12 (Valgrind's {@code --num-callers}).
     */
    private static java.util.List<String> runningFrames() {
        Machine m = RUNNING.get();
        java.util.List<String> frames = new java.util.ArrayList<>();
        for (Frame f = m == null ? null : m.current; f != null && frames.size() < 12; f = f.caller) {
            frames.add(f.fn.name + " (" + (f.site == null ? "?" : Expr.lineOf(f.site)) + ")");
        }
        return frames;
    }

    // ================================================================ layout

    static long alignUp(long v, long a) {
        return (v + a - 1) & -a;
    }

    /** gcc's alignment of a global: aggregates of 8, 16 and 32 bytes or more get that much (x86-64 ix86_data_alignment). */
    static int globalAlign(Var v) {
        CType t = v.type;
        int a = t.align;
        if (v.userAlign > 0) { // gcc's align_variable: an aligned attribute replaces the ABI's and its own bumps
            return Math.max(a, v.userAlign);
        }
        if (t.k == CType.K.ARRAY || t.isRecord()) {
            if (t.size >= 32) {
                a = Math.max(a, 32);
            } else if (t.size >= 16) {
                a = Math.max(a, 16);
            } else if (t.size >= 8) {
                a = Math.max(a, 8);
            }
        }
        return Math.max(a, v.userAlign);
    }

    /** gcc -O0's alignment of a local: arrays and aggregates of 16 bytes or more are 16-aligned (the x86-64 ABI). */
    static int localAlign(Var v) {
        CType t = v.type;
        int a = t.align;
        boolean vaList = t.k == CType.K.ARRAY && "__va_list_tag".equals(t.base.tag); // gcc's builtin type keeps 8
        if ((t.k == CType.K.ARRAY || t.isRecord()) && t.size >= 16 && !vaList) {
            a = Math.max(a, 16);
        }
        return Math.max(a, v.userAlign);
    }

    private static boolean zeroInit(Var v) {
        if (v.init == null) {
            return true;
        }
        for (Init.Item it : v.init.items) {
            if (it.bytes() != null) {
                for (byte b : it.bytes()) {
                    if (b != 0) {
                        return false;
                    }
                }
                continue;
            }
            Long c = it.value().constant();
            if (c == null || c != 0) {
                return false;
            }
            if (it.type().isFloating() && c != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The pages the program image needs, as ld lays it out: the read-only segment holds .rodata
     * (_IO_stdin_used, then the literals) and the unwind tables (.eh_frame_hdr, .eh_frame: a fixed
     * part from crt1/crtbegin and one entry per function); the writable one ends where .bss ends.
     */
    static ProgramImage image(Program prog) {
        long roEnd = placeStrings(prog) - Layout.TEXT_BASE;
        int nfun = 0;
        for (Function f : prog.functions.values()) {
            if (f.body != null) {
                nfun++;
            }
        }
        long hdr = alignUp(roEnd, 4) + 0x24 + 8L * nfun;
        long eh = alignUp(hdr, 8) + 0x94 + 0x18L * nfun;
        int rodataPages = (int) Math.max(1, (alignUp(eh, AddressSpace.PAGE_SIZE) - 0x2000) / AddressSpace.PAGE_SIZE);
        long shift = (rodataPages - 1) * AddressSpace.PAGE_SIZE;
        long bssEnd = placeData(prog, shift, new HashMap<>());
        long dataStart = Layout.DATA_START + shift;
        int dataPages = (int) Math.max(1, (alignUp(bssEnd, AddressSpace.PAGE_SIZE) - dataStart) / AddressSpace.PAGE_SIZE);
        return new ProgramImage(rodataPages, dataPages);
    }

    /** .rodata: gcc's literals, each once, in order of use; those of 32 bytes or more 8-aligned. Returns the end. */
    static long placeStrings(Program prog) {
        boolean anyAligned = false;
        for (Expr.Str s : prog.strings) {
            anyAligned |= s.bytes.length + 1 >= 32;
        }
        long ro = alignUp(Layout.TEXT_BASE + 0x2004, anyAligned ? 8 : 1);
        Map<String, Long> placed = new HashMap<>();
        for (Expr.Str s : prog.strings) {
            String key = new String(s.bytes, StandardCharsets.ISO_8859_1);
            Long at = placed.get(key);
            if (at != null) {
                s.address = at;
                continue;
            }
            if (s.bytes.length + 1 >= 32) {
                ro = alignUp(ro, 8);
            }
            s.address = ro;
            placed.put(key, ro);
            ro += s.bytes.length + 1;
        }
        return ro;
    }

    /**
     * .data after .got.plt (3 reserved words and one per imported function whose address is not
     * taken), .bss after it: copy relocations of stdout/stdin/stderr, crtstuff's flag, then the
     * program's zero-initialised variables. Variables in source order. Returns the end of .bss.
     */
    static long placeData(Program prog, long shift, Map<String, Long> libcObjects) {
        long base = Layout.TEXT_BASE + shift;
        int n = prog.gotPltSlots();
        List<Var> all = new ArrayList<>(prog.globals);
        all.addAll(prog.staticLocals);
        all.sort(Comparator.comparingInt((Var v) -> v.at.line).thenComparingInt(v -> v.at.col));
        List<Var> data = new ArrayList<>();
        List<Var> bss = new ArrayList<>();
        for (Var v : all) {
            if (v.isExtern) {
                continue;
            }
            (zeroInit(v) ? bss : data).add(v);
        }
        int dataAlign = 8;
        for (Var v : data) {
            dataAlign = Math.max(dataAlign, globalAlign(v));
        }
        long cur = alignUp(base + GOT_PLT + 8L * (3 + n), dataAlign) + 16; // data_start, __dso_handle
        if (!data.isEmpty()) {
            cur = alignUp(cur, dataAlign);
        }
        for (Var v : data) {
            cur = alignUp(cur, globalAlign(v));
            v.address = cur;
            cur += v.type.size;
        }
        int bssAlign = 1;
        for (Var v : bss) {
            bssAlign = Math.max(bssAlign, globalAlign(v));
        }
        int sectionAlign = bssAlign;
        String[] relocs = {"stdout", "stdin", "stderr"};
        // as ld aligns a copy: by the power of two dividing the symbol's address in libc 2.36 (stdout 0x1d4848,
        // stdin 0x1d4850, stderr 0x1d4840), at most .data's 32; .bss itself takes the largest alignment in it
        int[] relocAlign = {8, 16, 32};
        for (int i = 0; i < 3; i++) {
            if (prog.copyRelocs.contains(relocs[i])) {
                sectionAlign = Math.max(sectionAlign, relocAlign[i]);
            }
        }
        cur = alignUp(cur, sectionAlign);
        for (int i = 0; i < 3; i++) {
            if (prog.copyRelocs.contains(relocs[i])) {
                cur = alignUp(cur, relocAlign[i]);
                libcObjects.put(relocs[i], cur);
                cur += 8;
            }
        }
        cur += 1; // crtstuff's "completed" flag
        cur = alignUp(cur, bssAlign);
        for (Var v : bss) {
            cur = alignUp(cur, globalAlign(v));
            v.address = cur;
            cur += v.type.size;
        }
        return cur;
    }

    void layout() {
        Function main = prog.functions.get("main");
        if (main == null || main.body == null) {
            throw new CompileError(prog.source, 1, 1, "undefined reference to 'main'");
        }
        if (main.params.size() > 3) {
            throw new CompileError(main.at, "'main' takes only zero, two or three arguments");
        }
        long base = Layout.TEXT_BASE;
        int n = prog.gotPltSlots();
        // .text: the PLT (header + one entry per import whose address is not taken), .plt.got (8 bytes an
        // entry), then crt's code and ours
        long start = PLT + 16L * (n + 1) + alignUp(8L * prog.pltGotEntries(), 16);
        long text = base + start + FIRST_FUNCTION_AFTER_START;
        for (Function f : prog.functions.values()) {
            if (f.body != null) {
                f.address = text;
                byAddress.put(text, f);
                text = alignUp(text + 0x80, 1); // later functions: their real size is not known
            }
        }
        // library functions where libc.so.6 has them; memcpy and memmove share one (the address is memmove's)
        long lib = kl.libcText() + 0x1000;
        for (Function f : prog.functions.values()) {
            if (f.body == null) {
                long off = LibcFunctions.offset(f.name);
                if (off >= 0) {
                    f.address = kl.libcBase() + off;
                    Function had = byAddress.get(f.address);
                    if (had == null || f.name.equals("memmove")) {
                        byAddress.put(f.address, f);
                    }
                }
            }
        }
        for (Function f : prog.functions.values()) {
            if (f.body == null && LibcFunctions.offset(f.name) < 0) {
                // a declaration libc does not define (the link would fail natively): an address of its own
                while (byAddress.containsKey(lib)) {
                    lib += 0x40;
                }
                f.address = lib;
                byAddress.put(lib, f);
            }
        }
        ProgramImage image = process.options().programImage();
        long roEnd = placeStrings(prog);
        if (roEnd > Layout.RELRO_START + image.shift()) {
            throw new CompileError(prog.source, 1, 1, "the program's string literals do not fit its image's "
                    + image.rodataPages() + " read-only page(s): run it with the image CFront computes");
        }
        long bssEnd = placeData(prog, image.shift(), libcObjects);
        if (bssEnd > image.bssEnd()) {
            throw new CompileError(prog.source, 1, 1, "the program's globals (" + (bssEnd - image.dataStart())
                    + " bytes) do not fit its image's " + image.dataPages() + " data page(s)");
        }
        // extern references to libc's stdio objects
        stdoutFile = kl.libcBase() + KernelLayout.IO_2_1_STDOUT;
        stderrFile = kl.libcBase() + KernelLayout.IO_2_1_STDERR;
        stdinFile = kl.libcBase() + KernelLayout.IO_2_1_STDIN;
        errnoAddress = kl.threadPointer() - 0x80; // errno in the initial thread's TLS block, below the thread pointer
        for (Var v : prog.externs) {
            if (!v.isExtern) {
                continue; // defined later in the file
            }
            if (libcObjects.containsKey(v.name)) {
                v.address = libcObjects.get(v.name);
            } else {
                throw new CompileError(v.at, "undefined reference to '" + v.name + "'");
            }
        }
        layFrames(prog, parser);
    }

    /** Lays out every defined function's frame ({@link #frameLayout}), in the order gcc compiles them. */
    static void layFrames(Program prog, Parser parser) {
        List<Function> defined = new ArrayList<>();
        for (Function f : prog.functions.values()) {
            if (f.body != null) {
                defined.add(f);
            }
        }
        defined.sort(Comparator.comparingInt(f -> f.defOrder));
        for (Function f : defined) {
            frameLayout(f, parser.functionBlocks.get(f));
        }
    }

    /**
     * gcc -O0's frame: scalars whose address is never taken first, in the order they are first
     * assigned; then the other locals block by block in declaration order; then, below a 16-byte
     * boundary, the parameters' home slots (int-sized at least), filling alignment holes.
     */
    private static void frameLayout(Function f, Parser.Block block) {
        long off = f.type.variadic ? -Variadic.SAVE_AREA : 0; // the register save area comes first
        // gcc keeps an expression's value that is live across a call in a callee-saved register
        // (CalleeSaved), and the stack pointer of a block with a variable-length array in rbx (with more
        // than one, or one in a loop, r12-r15 too): the registers are pushed after rbp, and the locals
        // start below them at a 16-byte boundary
        CalleeSaved.Temps temps = CalleeSaved.of(f);
        int regs = temps.registers();
        if (temps.spillSlots().length > 0 && temps.longDouble()) {
            // gcc computes long double in x87 registers, spills them in 16-byte slots and gives the x87
            // conversions slots of their own next to them: not modelled
            throw new CompileError(f.at, "unsupported: a floating-point value held across a call next to long double"
                    + " arithmetic in '" + f.name + "'");
        }
        boolean x87 = temps.longDouble();
        for (Var v : f.locals) {
            x87 |= v.used && v.type.k == CType.K.LDOUBLE;
        }
        for (Var p : f.params) {
            x87 |= p.type.k == CType.K.LDOUBLE;
        }
        if (x87 && temps.callsProgram()) {
            // gcc gives long double conversions and spills x87 slots of their own, which move where the
            // callees' frames start: not modelled, so not run where a callee of the program would show it
            throw new CompileError(f.at, "unsupported: long double arithmetic in '" + f.name
                    + "', which calls the program's own functions (gcc's x87 stack slots are not modelled)");
        }
        int boundary = stackBoundary(f, temps);
        if (regs > 5) {
            // gcc spills what does not fit in the five registers: a frame whose addresses would be a guess
            throw new CompileError(f.at, "unsupported: more than five values held across one call in '" + f.name + "'");
        }
        if (f.vlaCount > 1 || f.vlaCount == 1 && regs > 0) {
            // gcc's pushes for several arrays' stack pointers, or for one next to held values, follow its
            // register allocator (char b[n]; int m[n]; pushes 3, with one in a loop 4): not predicted
            throw new CompileError(f.at, "unsupported: " + (f.vlaCount > 1 ? "more than one variable-length array"
                    : "a variable-length array and values held across a call") + " in '" + f.name + "'");
        }
        if (f.vlaCount > 0) {
            regs += f.vlaInLoop ? 5 : 1;
        }
        // the pushes, then gcc's frame: its offsets (and the 16-byte boundary above the parameters) are
        // counted from below the pushes, which take a multiple of the frame's alignment
        long pushes = regs > 0 ? alignUp(8L * Math.min(5, regs), boundary) : 0;
        off -= pushes;
        List<Var> ssa = new ArrayList<>();
        for (Var v : f.locals) {
            if (v.used && !v.addressTaken && v.type.isScalar()) {
                ssa.add(v);
            }
        }
        // gcc -O0 gives each SSA partition a slot in partition order: variables with PHI nodes first
        // (by declaration), then the others in the order their first definition (or use) appears
        ssa.sort(Comparator.comparingInt((Var v) -> v.phi ? 0 : 1)
                .thenComparingInt(v -> v.phi ? v.declOrder : firstEvent(v))
                .thenComparingInt(v -> v.declOrder));
        for (Var v : ssa) {
            off = -alignUp(-off + v.type.size, localAlign(v));
            v.offset = off;
        }
        // the temporaries a member of a returned struct is read from, the last made first, then the blocks
        for (int i = f.callTemps.size() - 1; i >= 0; i--) {
            Var v = f.callTemps.get(i);
            off = -alignUp(-off + v.type.size, localAlign(v));
            v.offset = off;
        }
        off = blockLayout(block, off);
        off = -alignUp(-off - pushes, 16) - pushes;
        List<long[]> holes = new ArrayList<>();
        List<Var> slots = new ArrayList<>();
        long above = 16; // structs of more than 16 bytes stay where the caller copied them
        for (Var p : f.params) {
            if (p.type.isRecord() && p.type.size > 16) {
                p.offset = above;
                above += alignUp(p.type.size, 8);
            } else {
                slots.add(p);
            }
        }
        f.hiddenReturn = 0;
        if (f.type.base.isRecord() && f.type.base.size > 16) { // the hidden pointer (rdi) takes the first slot
            Var hidden = new Var("<return>", CType.ptr(CType.VOID), f.at, false);
            slots.add(0, hidden);
        }
        long[] bottom = {off};
        for (Var p : slots) {
            // a struct from registers: one register's worth at its own alignment, two as a 16-aligned pair
            long size = p.type.isRecord() ? (p.type.size > 8 ? 16 : p.type.size) : Math.max(4, p.type.size);
            long align = p.type.isRecord() ? (p.type.size > 8 ? 16 : p.type.align) : size;
            long at = slot(holes, bottom, size, align);
            p.offset = at;
            if (p.name.equals("<return>")) {
                f.hiddenReturn = at;
            }
        }
        // then, made by the register allocator after everything else, the slots of the floating-point
        // values live across a call (no xmm register survives one), filling holes as the parameters do
        for (int size : temps.spillSlots()) {
            slot(holes, bottom, size, size);
        }
        f.frameSize = alignUp(-bottom[0], boundary);
        f.stackBoundary = boundary;
    }

    /**
     * A stack slot of {@code size} bytes aligned to {@code align} (gcc's assign_stack_local): in the
     * highest alignment hole left by an earlier slot that holds it, else below {@code bottom[0]}
     * (which moves down, leaving a hole above the slot when aligning it skips bytes).
     */
    private static long slot(List<long[]> holes, long[] bottom, long size, long align) {
        for (long[] h : holes) {
            long at = (h[1] - size) & -align;
            if (at >= h[0]) {
                long lo = h[0];
                long hi = h[1];
                holes.remove(h);
                if (at + size < hi) {
                    holes.add(new long[] {at + size, hi});
                }
                if (at > lo) {
                    holes.add(new long[] {lo, at});
                }
                return at;
            }
        }
        long raw = bottom[0] - size;
        long at = raw & -align;
        if (at < raw) {
            holes.add(new long[] {at + size, raw + size});
        }
        bottom[0] = at;
        return at;
    }

    /**
     * The alignment gcc -O0 gives {@code f}'s frame (its preferred stack boundary): what its locals,
     * parameters' slots and spill slots need, and for each call what the callee needs: 16 for a
     * library function, a call through a pointer or a function compiled later (gcc compiles in the
     * order of definition, and a function's need is known once it is compiled), else that function's
     * own boundary. A variadic function (its register save area) or one with a variable-length array
     * needs 16. Functions are laid out in definition order, so the callees' are known.
     */
    private static int stackBoundary(Function f, CalleeSaved.Temps temps) {
        int b = 8;
        if (f.type.variadic || f.vlaCount > 0) {
            b = 16;
        }
        for (Var v : f.locals) {
            if (v.inFrame()) {
                b = Math.max(b, Math.min(16, localAlign(v)));
            }
        }
        for (Var p : f.params) {
            b = Math.max(b, Math.min(16, p.type.isRecord() && p.type.size > 8 && p.type.size <= 16 ? 16 : p.type.align));
        }
        for (int size : temps.spillSlots()) {
            b = Math.max(b, size);
        }
        for (Function callee : temps.callees()) {
            if (callee == null || callee.defOrder >= f.defOrder || callee.stackBoundary == 0) {
                b = 16;
            } else {
                b = Math.max(b, callee.stackBoundary);
            }
        }
        return b;
    }

    private static int firstEvent(Var v) {
        int first = Integer.MAX_VALUE;
        for (int e : v.writes) {
            first = Math.min(first, e);
        }
        for (int e : v.reads) {
            first = Math.min(first, e);
        }
        return first;
    }

    private static long blockLayout(Parser.Block b, long off) {
        for (Var v : b.vars) {
            if (!v.inFrame() || !v.addressTaken && v.type.isScalar()) {
                continue;
            }
            off = -alignUp(-off + v.type.size, localAlign(v));
            v.offset = off;
        }
        for (Parser.Block c : b.children) {
            off = blockLayout(c, off);
        }
        return off;
    }

    /** Writes the program's initial image: string literals in .rodata, initialised globals. */
    void load() {
        Region ro = mem.regionAt(Layout.RODATA_START);
        long roEnd = Layout.RELRO_START + process.options().programImage().shift();
        mem.protect(Layout.RODATA_START, roEnd, AddressSpace.PROT_READ | AddressSpace.PROT_WRITE);
        for (Expr.Str s : prog.strings) {
            mem.writeBytes(s.address, s.bytes, 0, s.bytes.length);
            mem.write8(s.address + s.bytes.length, 0);
        }
        mem.protect(Layout.RODATA_START, roEnd, ro.prot());
        for (Map.Entry<String, Long> e : libcObjects.entrySet()) {
            mem.write64(e.getValue(), switch (e.getKey()) {
                case "stdout" -> stdoutFile;
                case "stderr" -> stderrFile;
                default -> stdinFile;
            });
        }
        stdio.file(stdinFile); // stdin's FILE holds glibc's first values (flags 0xfbad2088, _offset -1)
        Frame none = new Frame(this, 0, null);
        List<Var> all = new ArrayList<>(prog.globals);
        all.addAll(prog.staticLocals);
        for (Var v : all) {
            if (v.init != null && !v.isExtern) {
                v.init.apply(none, v.address, v.type.size, false);
            }
        }
    }

    // ================================================================ running

    /**
     * Builds the initial stack as Linux does for {@code execve} (argument strings at the top, then
     * the platform string, 16 random bytes, argv, envp and auxv) and calls main with a frame where
     * glibc's start code would leave it.
     */
    int runMain(String[] argv) {
        Function main = prog.functions.get("main");
        if (main == null || main.body == null) {
            throw new CompileError(prog.source, 1, 1, "undefined reference to 'main'");
        }
        long p = Layout.STACK_END - 8;
        byte[][] strs = new byte[argv.length][];
        long[] argvPtrs = new long[argv.length];
        byte[] execfn = (argv[0] + "\0").getBytes(StandardCharsets.UTF_8);
        p -= execfn.length;
        mem.writeBytes(p, execfn, 0, execfn.length);
        for (int i = argv.length - 1; i >= 0; i--) {
            strs[i] = (argv[i] + "\0").getBytes(StandardCharsets.UTF_8);
            p -= strs[i].length;
            mem.writeBytes(p, strs[i], 0, strs[i].length);
            argvPtrs[i] = p;
        }
        p &= ~15L;
        p -= 7 + 16; // "x86_64" and AT_RANDOM's bytes
        long items = argv.length + 1 + 1 + 1; // argc, argv[], NULL, envp NULL
        long sp = ((p - 8 * items) & ~15L) - 16L * kl.auxvEntries();
        mem.write64(sp, argv.length);
        for (int i = 0; i < argv.length; i++) {
            mem.write64(sp + 8 + 8L * i, argvPtrs[i]);
        }
        mem.write64(sp + 8 + 8L * argv.length, 0);
        mem.write64(sp + 16 + 8L * argv.length, 0);
        long rbpMain = sp - START_FRAMES;
        long ra = kl.libcBase() + MAIN_RETURN_OFFSET;
        rsp = rbpMain + 8;
        mem.write64(rsp, ra);
        long[] args = {argv.length, sp + 8, sp + 16 + 8L * argv.length};
        int np = main.params.size();
        long[] vals = new long[np];
        System.arraycopy(args, 0, vals, 0, Math.min(np, 3));
        return runMain(main, vals, ra, null);
    }

    /**
     * Runs main (or re-enters it where a fork left it, when {@code k} is not null); each fork() on
     * the way unwinds to here, where the process forks and this process re-enters with the child's
     * pid ({@link ForkPoint}).
     */
    private int runMain(Function main, long[] vals, long ra, ForkPoint k) {
        while (true) {
            try {
                return (int) (k == null ? enter(main, vals, ra, 1) : resumeEnter(main, k));
            } catch (ForkPoint p) {
                k = fork(p);
            }
        }
    }

    /** The fork() under way: the child process, which re-enters from the same place; this process's re-entry. */
    private ForkPoint fork(ForkPoint at) {
        ForkPoint child = at.reenter(0);
        Function main = prog.functions.get("main");
        StdoutBuffer.State buffered = stdout.state().copy(); // what the buffer holds now, the child's too
        Inherited state = new Inherited(this); // taken now: the parent goes on before the child first runs
        int pid = libc.fork(c -> runChild(c, main, child, buffered, state));
        return at.reenter(pid);
    }

    /** The child's side: a copy of this interpreter over the child's process, going on from the fork. */
    private int runChild(LibC c, Function main, ForkPoint k, StdoutBuffer.State buffered, Inherited state) {
        Machine m = new Machine(c.process(), prog, parser, stdout, progname);
        state.applyTo(m);
        m.buffered = buffered;
        stdout.bind(buffered);
        return m.asChild(c, () -> m.runMain(main, null, 0, k));
    }

    /** Runs a forked child's interpreter: exit's work when it returns, gcc's line for a construct it cannot run. */
    private int asChild(LibC c, java.util.function.IntSupplier body) {
        try {
            int status = body.getAsInt();
            atExit();
            mainReturned();
            return status;
        } catch (CompileError e) { // a construct the child cannot run: gcc's line, status 1
            stdout.drain();
            c.process().options().stderr().print(e.diagnostic());
            c.exit(1);
            return 1;
        } catch (RuntimeException | Error e) {
            if (!e.getClass().getSimpleName().equals("ProgramExit")) {
                stdout.discard(); // a signal: what the child's buffer held is lost
            }
            throw e;
        }
    }

    /** A forked child's stdout buffer, which its threads write to too (null: the program's). */
    private StdoutBuffer.State buffered;

    /**
     * The interpreter's own state at a fork() call, copied when the call is made (the parent runs on
     * before the child first runs): where its stack is, libc's statics it models (rand's state,
     * strtok's position, the fopen'd streams, strerror's last text), stdin's state.
     */
    private static final class Inherited {
        private final Map<Long, Function> byAddress;
        private final Map<String, Long> libcObjects;
        private final long stdoutFile, stderrFile, stdinFile, errnoAddress, strtokNext;
        private final Builtins.GlibcRandom rand = new Builtins.GlibcRandom();
        private final Stdio stdio;
        private final java.io.InputStream stdin;

        Inherited(Machine parent) {
            byAddress = new HashMap<>(parent.byAddress);
            libcObjects = new HashMap<>(parent.libcObjects);
            stdoutFile = parent.stdoutFile;
            stderrFile = parent.stderrFile;
            stdinFile = parent.stdinFile;
            errnoAddress = parent.errnoAddress;
            strtokNext = parent.strtokNext;
            rand.copyFrom(parent.rand);
            stdio = new Stdio(parent);
            stdio.copyFrom(parent.stdio);
            stdin = parent.stdin;
        }

        void applyTo(Machine m) {
            m.byAddress.putAll(byAddress);
            m.libcObjects.putAll(libcObjects);
            m.stdoutFile = stdoutFile;
            m.stderrFile = stderrFile;
            m.stdinFile = stdinFile;
            m.errnoAddress = errnoAddress;
            m.strtokNext = strtokNext;
            m.rand.copyFrom(rand);
            m.stdio.copyFrom(stdio);
            m.stdin = stdin;
        }
    }

    /** fork(): unwinds the interpreter to main's caller (or the thread's start), saving where each part of it was. */
    ForkPoint forkPoint(Expr.Call site) {
        return new ForkPoint(rsp, depth, stackFloor);
    }

    /**
     * Re-enters a call where a fork() left it: the fork() call itself (its result), or a function of
     * the program whose frame is re-entered; then what {@link #call} does after the callee returns.
     */
    long resumeCall(Frame caller, Function target, ForkPoint k, Expr.Call site) {
        if (target.builtin != null) {
            if (!k.atCall()) {
                throw ForkPoint.unsupported(site.at);
            }
            rsp = k.rsp;
            depth = k.depth;
            stackFloor = k.stackFloor;
            return k.value;
        }
        ForkPoint.Saved s = k.pop(CALLING);
        long saved = s.a();
        long r;
        try {
            r = resumeEnter(target, k);
        } catch (ForkPoint p) {
            throw p.save(CALLING, s.phase(), saved);
        }
        return returned(target, s.phase(), saved, r);
    }

    /** The record {@link #call} leaves on a fork's way out: how the call was made (its phase) and the stack pointer to restore. */
    private static final Object CALLING = new Object();
    private static final int PLAIN = 0, WITH_RECORDS = 1, VARIADIC = 2;

    /** After the callee returned: the stack pointer back, a struct result left below it. */
    private long returned(Function target, int how, long saved, long r) {
        if (how == PLAIN) {
            return r;
        }
        rsp = saved;
        if (how == VARIADIC) {
            return r;
        }
        byte[] bytes = returned;
        returned = null;
        if (!target.type.base.isRecord() || bytes == null) {
            return lastReturn;
        }
        long scratch = (rsp - 128 - bytes.length) & -16L; // below the red zone: what the caller copies next
        growStack(scratch);
        mem.writeBytes(scratch, bytes, 0, bytes.length);
        wroteDefined(scratch, bytes.length);
        return scratch;
    }

    /**
     * A struct a library function returns by value: its bytes left below the stack pointer, where the
     * caller's next expression copies them from (as {@link #returned} leaves a program function's).
     */
    long structResult(byte[] bytes) {
        long scratch = (rsp - 128 - bytes.length) & -16L;
        growStack(scratch);
        mem.writeBytes(scratch, bytes, 0, bytes.length);
        wroteDefined(scratch, bytes.length);
        return scratch;
    }

    /** Ends the process as exit() does: the streams' buffers are flushed first. */
    void exit(int status) {
        exit(status, false);
    }

    /**
     * Ends the process as exit() does; {@code undefinedStatus} (under memcheck): the status has undefined
     * bits, which Valgrind reports where _Exit makes the exit_group system call, after the streams went out.
     */
    void exit(int status, boolean undefinedStatus) {
        atExit();
        if (undefinedStatus) {
            mc.undefinedInLibrary(EXIT_STATUS_UNDEFINED, EXIT_FRAMES);
        }
        libc.exit(status);
    }

    /** Valgrind's words for a system call given undefined bytes, and glibc's frames from exit to the call. */
    private static final String EXIT_STATUS_UNDEFINED = "Syscall param exit_group(status) contains uninitialised byte(s)";
    private static final java.util.List<String> EXIT_FRAMES = java.util.List.of("_Exit (_exit.c:30)",
            "__run_exit_handlers (exit.c:139)", "exit (exit.c:146)");

    /**
     * The process ends as main returned (its streams flushed): under memcheck, a status with undefined bits
     * is reported as Valgrind reports it, from glibc's exit below main.
     */
    void mainReturned() {
        if (mc != null && returnUndefined) {
            java.util.List<String> frames = new java.util.ArrayList<>(EXIT_FRAMES);
            frames.add("(below main) (libc_start_call_main.h:74)");
            mc.undefinedInLibrary(EXIT_STATUS_UNDEFINED, frames);
        }
    }

    /** What exit() and a return from main do before the process ends: every stream's buffer goes out. */
    void atExit() {
        stdio.flushAll();
        stdout.drain();
    }

    /**
     * Writes {@code bytes} into read-only memory of an image, as the loader would have found them in
     * the file (the simulated images hold no bytes of their own): the page is made writable for the
     * copy and its protection restored.
     */
    void pokeReadOnly(long at, byte[] bytes) {
        Region r = mem.regionAt(at);
        long from = at & -AddressSpace.PAGE_SIZE;
        long to = alignUp(at + bytes.length, AddressSpace.PAGE_SIZE);
        mem.protect(from, to, r.prot() | AddressSpace.PROT_WRITE);
        mem.writeBytes(at, bytes, 0, bytes.length);
        mem.protect(from, to, r.prot());
    }

    long call(Frame caller, Function target, long[] vals, CType[] types, Expr.Call site) {
        return call(caller, target, vals, types, site, null);
    }

    /**
     * A call; {@code records} holds the bytes of the struct arguments passed by value (null: none).
     * As the x86-64 ABI passes them: up to 16 bytes in registers (the callee stores them in its
     * frame), larger ones copied by the caller onto the stack above the return address; a struct
     * returned by value comes back (registers, or the caller's memory) and is left just below the
     * stack pointer, where the caller's next expression copies it from.
     */
    long call(Frame caller, Function target, long[] vals, CType[] types, Expr.Call site, byte[][] records) {
        if (caller != null) {
            caller.site = site.site;
        }
        if (target.builtin != null) {
            libc.site(site.site); // nothing without the agent; with it, the site of a recorded call
            builtinSite = site.plainSite();
            builtinSiteSaid = false;
            // other threads run only inside library calls (a lock, a join, a yield): each keeps its own stack
            long savedRsp = rsp;
            int savedDepth = depth;
            long savedFloor = stackFloor;
            // errno lives in memory (the program may set it) and in the simulated kernel (which sets it on failure)
            io.mallocscope.runtime.vm.Kernel kernel = process.kernel();
            kernel.setErrno(mem.read32(errnoAddress));
            try {
                long r = target.builtin.call(this, vals, types, site);
                returnUndefined = false; // what a library function returns is defined
                return r;
            } catch (UnsupportedAtRunTime e) {
                throw new CompileError(site.at, "unsupported: " + e.getMessage());
            } finally {
                if (memcheck) {
                    RUNNING.set(this); // a fork's child or another thread may have run on this Java thread
                }
                mem.write32(errnoAddress, kernel.errno());
                rsp = savedRsp;
                depth = savedDepth;
                stackFloor = savedFloor;
            }
        }
        if (target.body == null) {
            throw new Segfault(target.address, false, 0, "call of '" + target.name + "', which is not defined");
        }
        long ra = (caller.fn == null ? 0 : caller.fn.address) + 0x10 + (site.line & 0xfff);
        for (int i = 0; i < vals.length && i < target.params.size(); i++) {
            if (!types[i].isRecord()) {
                vals[i] = Expr.convert(vals[i], types[i], target.params.get(i).type);
            }
        }
        CType rt = target.type.base;
        if (records != null || rt.isRecord()) {
            long saved = rsp;
            long inMemory = 0;
            for (int i = 0; records != null && i < records.length; i++) {
                if (records[i] != null && records[i].length > 16) {
                    inMemory += alignUp(records[i].length, 8);
                }
            }
            rsp -= alignUp(inMemory, 16);
            growStack(rsp);
            long at = rsp;
            for (int i = 0; records != null && i < records.length; i++) {
                if (records[i] != null && records[i].length > 16) {
                    mem.writeBytes(at, records[i], 0, records[i].length);
                    at += alignUp(records[i].length, 8);
                }
            }
            pendingRecords = records;
            rsp -= 8;
            mem.write64(rsp, ra);
            long r;
            try {
                r = enter(target, vals, ra, caller.rbp);
            } catch (ForkPoint k) {
                throw k.save(CALLING, WITH_RECORDS, saved);
            }
            return returned(target, WITH_RECORDS, saved, r);
        }
        if (target.type.variadic) {
            // arguments past the registers are pushed (an even number of slots), then the call
            long saved = rsp;
            int stack = Variadic.overflow(vals, types);
            rsp -= alignUp(8L * stack, 16);
            growStack(rsp);
            Variadic.pushOverflow(this, rsp, vals, types, site.args);
            rsp -= 8;
            mem.write64(rsp, ra);
            variadicArgs = vals;
            CType[] inRegisters = types.clone(); // the named arguments in their parameters' types
            for (int i = 0; i < inRegisters.length && i < target.params.size(); i++) {
                if (!inRegisters[i].isRecord()) {
                    inRegisters[i] = target.params.get(i).type;
                }
            }
            variadicTypes = inRegisters;
            long r;
            try {
                r = enter(target, vals, ra, caller.rbp);
            } catch (ForkPoint k) {
                throw k.save(CALLING, VARIADIC, saved);
            }
            return returned(target, VARIADIC, saved, r);
        }
        rsp -= 8;
        mem.write64(rsp, ra);
        try {
            return enter(target, vals, ra, caller.rbp);
        } catch (ForkPoint k) {
            throw k.save(CALLING, PLAIN, rsp);
        }
    }

    /** A variable-length array's room: the stack pointer lowered by its size rounded up to 16; its address. */
    long allocateOnStack(long bytes, int align) {
        long top = rsp;
        rsp -= (bytes + 15) / 16 * 16;
        rsp &= -Math.max(align, 1);
        growStack(rsp);
        if (mc != null && current != null) { // its bytes hold nothing yet, as a frame's when entered
            mc.frameEntered(rsp, top);
            current.stackLow = current.stackLow == 0 ? rsp : Math.min(current.stackLow, rsp);
        }
        return rsp;
    }

    /** Struct arguments of the call being entered (see {@link #call}), and the struct the last one returned. */
    private byte[][] pendingRecords;
    private byte[] returned;
    private long lastReturn;

    /** The arguments of the variadic call being entered, for the callee's register save area. */
    private long[] variadicArgs;
    private CType[] variadicTypes;

    /** The callee's side: push rbp, set up the frame, run the body, leave, and return where [rbp+8] says. */
    private long enter(Function f, long[] vals, long expectedRa, long callerRbp) {
        long rbp = rsp - 8;
        long bottom = rbp - f.frameSize;
        growStack(bottom - 16); // and the next call's return address and saved rbp, pushed before its frame grows the stack
        mem.write64(rbp, callerRbp);
        rsp = bottom;
        if (++depth > 50_000) {
            throw new Segfault(bottom, true, 8, "stack overflow: " + depth + " nested calls");
        }
        Frame fr = entered(new Frame(this, rbp, f));
        long undefinedArgs = argsUndefined;
        argsUndefined = 0;
        if (mc != null) {
            mc.frameEntered(bottom, rbp); // the locals hold nothing until written
        }
        if (f.type.variadic && variadicArgs != null) {
            Variadic.saveRegisters(this, rbp, variadicArgs, variadicTypes);
            variadicArgs = null;
            variadicTypes = null;
            if (mc != null) {
                mc.stored(rbp - Variadic.SAVE_AREA, Variadic.SAVE_AREA, true);
            }
        }
        byte[][] records = pendingRecords;
        pendingRecords = null;
        for (int i = 0; i < f.params.size(); i++) {
            Var p = f.params.get(i);
            if (p.type.isRecord()) {
                if (records != null && i < records.length && records[i] != null && p.offset < 0) {
                    mem.writeBytes(rbp + p.offset, records[i], 0, records[i].length); // from registers
                    if (mc != null) {
                        mc.stored(rbp + p.offset, records[i].length, true);
                    }
                }
                continue;
            }
            Expr.store(mem, p.type, rbp + p.offset, i < vals.length ? vals[i] : 0);
            if (mc != null) { // a parameter is as defined as the argument it was given
                mc.stored(rbp + p.offset, Expr.valueBytes(p.type), i >= 64 || (undefinedArgs >>> i & 1) == 0);
            }
        }
        if (f.hiddenReturn != 0) {
            mem.write64(rbp + f.hiddenReturn, rsp + f.frameSize + 16); // the caller's memory for the result
            if (mc != null) {
                mc.stored(rbp + f.hiddenReturn, 8, true);
            }
        }
        int code;
        try {
            code = f.body.exec(fr);
        } catch (ForkPoint k) {
            current = fr.caller; // unwound to the fork: resumeEnter makes the frame again
            throw k.save(f, 0, 0, new long[] {rbp, expectedRa}, null);
        }
        return leave(f, fr, code, expectedRa);
    }

    /** Re-enters a frame where a fork() left its body ({@link ForkPoint}), then leaves it as {@link #enter} does. */
    private long resumeEnter(Function f, ForkPoint k) {
        long[] at = k.pop(f).vals();
        Frame fr = entered(new Frame(this, at[0], f));
        int code;
        try {
            code = f.body.resume(fr, k);
        } catch (ForkPoint p) {
            current = fr.caller;
            throw p.save(f, 0, 0, at, null);
        }
        return leave(f, fr, code, at[1]);
    }

    /**
     * Says the running library call's line again before another call it makes of the allocator (getline's
     * stream buffer after its line, fclose's FILE after its buffer): the agent gives each recorded call
     * the line said before it, and a line is taken by the first call after it.
     */
    void resay() {
        if (!builtinSiteSaid) {
            builtinSiteSaid = true; // the first takes the line said with the call (and its "→ variable")
        } else if (builtinSite != null) {
            libc.site(builtinSite);
        }
    }

    /** {@code fr} is the innermost frame from now on (until {@link #leave}). */
    private Frame entered(Frame fr) {
        fr.caller = current;
        current = fr;
        if (memcheck) {
            RUNNING.set(this);
        }
        return fr;
    }

    /** The callee's epilogue: leave, and return where [rbp+8] says. */
    private long leave(Function f, Frame fr, int code, long expectedRa) {
        current = fr.caller;
        if (memcheck) {
            RUNNING.set(this);
        }
        long rbp = fr.rbp;
        depth--;
        if (mc != null) {
            returnUndefined = fr.returnUndefined && !f.type.base.isVoid();
            mc.frameLeft(fr.stackLow != 0 ? Math.min(fr.stackLow, rbp - f.frameSize) : rbp - f.frameSize, rbp);
        }
        if (code == Stmt.GOTO) {
            throw new CompileError(f.at, "unsupported: goto '" + fr.label + "' into a nested block");
        }
        long ret = f.type.base.isVoid() ? 0 : fr.ret;
        returned = f.type.base.isRecord() ? fr.retBytes : null;
        lastReturn = ret;
        long ra = mem.read64(rbp + 8);
        long savedRbp = mem.read64(rbp);
        rsp = rbp + 16;
        if (ra == expectedRa) {
            return ret;
        }
        // the saved return address was overwritten: "ret" jumps where it now points
        Function g = byAddress.get(ra);
        if (g != null && g.body != null) {
            return enter(g, new long[g.params.size()], kl.libcBase() + MAIN_RETURN_OFFSET, savedRbp);
        }
        if (ra == kl.libcBase() + MAIN_RETURN_OFFSET) {
            exit((int) ret);
        }
        Region r = mem.regionAt(ra);
        String why = r == null ? "return to an unmapped address"
                : (r.prot() & AddressSpace.PROT_EXEC) == 0 ? "return to a non-executable address"
                : "return into the middle of machine code, which the C front end cannot run";
        throw new Segfault(ra, false, 0, why);
    }

    /**
     * A call of the program's function {@code f} from inside libc (qsort's comparison function): the
     * return address {@code ra} pushed at {@code sp}, glibc's stack pointer at its call instruction. The
     * interpreter's stack pointer is back where it was afterwards. A library function is called as such.
     */
    long callFromLibc(Function f, long[] vals, CType[] types, long sp, long ra, Expr.Call site, long callerRbp) {
        if (f.builtin != null) {
            return f.builtin.call(this, vals, types, site);
        }
        if (f.body == null) {
            throw new Segfault(f.address, false, 0, "call of '" + f.name + "', which is not defined");
        }
        long saved = rsp;
        rsp = sp - 8;
        growStack(rsp);
        mem.write64(rsp, ra);
        argsUndefined = 0; // the library passes its own values, not the undefined ones the program gave it
        try {
            return enter(f, vals, ra, callerRbp);
        } catch (ForkPoint k) {
            throw new CompileError(site.at, "unsupported: fork() inside a function the C library calls back ('"
                    + f.name + "')");
        } finally {
            rsp = saved;
            libc.site(site.site); // what the library does after the call is at its own call's line again
            builtinSite = site.plainSite();
            builtinSiteSaid = false;
        }
    }

    /**
     * A thread made by pthread_create: runs {@code fn(arg)} on the stack nptl mapped for it, with a
     * return address into libc's start_thread (see {@link #START_THREAD_RETURN_OFFSET}).
     */
    long runThread(Function fn, long arg) {
        if (buffered != null) {
            stdout.bind(buffered);
        }
        // where glibc's start_thread calls the start routine: its frame sits below the thread's descriptor
        long sp = libc.pthread_self() - START_THREAD_FRAME;
        Region r = mem.regionAt(sp - 1);
        stackFloor = r == null ? sp : r.start();
        depth = 0;
        rsp = sp;
        argsUndefined = 0;
        long ra = kl.libcBase() + START_THREAD_RETURN_OFFSET;
        rsp -= 8;
        mem.write64(rsp, ra);
        long[] vals = {arg};
        return runThread(fn, vals, ra, null);
    }

    /**
     * Runs a thread's start routine (or re-enters it where a fork left it); a fork() in the thread
     * unwinds to here, where the process forks: the child's only thread is this one (Linux's fork),
     * its arenas as glibc's fork handler leaves them (the runtime's {@code LibC.fork}).
     */
    private long runThread(Function fn, long[] vals, long ra, ForkPoint k) {
        while (true) {
            try {
                return k == null ? enter(fn, vals, ra, 0) : resumeEnter(fn, k);
            } catch (ForkPoint p) {
                ForkPoint child = p.reenter(0);
                StdoutBuffer.State copied = stdout.state().copy();
                Inherited state = new Inherited(this);
                int pid = libc.fork(c -> runThreadChild(c, fn, child, copied, state));
                k = p.reenter(pid);
            }
        }
    }

    /**
     * The child of a fork() in a thread: a copy of this interpreter going on in the thread's routine,
     * on its copy of the thread's stack; when the routine returns, the last thread has ended and the
     * process exits with status 0 (glibc's start_thread), writing out stdio.
     */
    private int runThreadChild(LibC c, Function fn, ForkPoint k, StdoutBuffer.State copied, Inherited state) {
        Machine m = new Machine(c.process(), prog, parser, stdout, progname);
        state.applyTo(m);
        m.buffered = copied;
        m.stackFloor = k.stackFloor;
        stdout.bind(copied);
        return m.asChild(c, () -> {
            m.runThread(fn, null, 0, k);
            return 0;
        });
    }

    /**
     * Where a thread's start routine returns to: inside glibc 2.36's start_thread (after its call of
     * the routine), as an offset into libc; measured with {@code __builtin_return_address(0)}.
     */
    static final long START_THREAD_RETURN_OFFSET = 0x891f5;
    /**
     * The stack pointer at start_thread's call of the start routine, below the thread's descriptor
     * (pthread_self()): start_thread's frame in glibc 2.36, measured with
     * {@code __builtin_frame_address(0)} in a thread function (it is the same for any stack size).
     */
    static final long START_THREAD_FRAME = 0x7e0;

    /** The lowest address of the running thread's stack mapping, or -1 on the main thread (a growing [stack]). */
    private long stackFloor = -1;

    void growStack(long sp) {
        if (stackFloor >= 0) {
            if (Long.compareUnsigned(sp, stackFloor) < 0) {
                throw new Segfault(sp, true, 8, "stack overflow: the frame exceeds the thread's stack");
            }
            return;
        }
        Region stack = mem.regionAt(Layout.STACK_END - 1);
        long bottom = sp & -AddressSpace.PAGE_SIZE;
        if (Long.compareUnsigned(sp, Layout.STACK_END - Layout.STACK_LIMIT) < 0) {
            throw new Segfault(sp, true, 8, "stack overflow: the frame exceeds the 8 MiB stack");
        }
        if (stack != null && Long.compareUnsigned(bottom, stack.start()) < 0) {
            mem.map(bottom, stack.start(), stack.prot(), stack.name());
        }
    }

    Function functionAt(long address, Expr.Call site) {
        Function f = byAddress.get(address);
        if (f == null) {
            Region r = mem.regionAt(address);
            throw new Segfault(address, false, 0, r == null ? "call through a pointer to an unmapped address"
                    : "call through a pointer that is not a function's address");
        }
        return f;
    }

    // ================================================================ standard input

    /** libc's _IO_2_1_stdin_, what the program's {@code stdin} points to. */
    long stdinFile() {
        return stdinFile;
    }

    /**
     * read(0, dst, n) for stdio's buffer (stdin as a stream, {@link Stdio}): at least one byte, then
     * what the input has ready, up to {@code n} — a file's next bytes, what a pipe holds, a terminal's
     * line — as the kernel hands them over; 0 at the end. The kernel writes them: not a program write.
     */
    long readStdinBuffer(long dst, long n) {
        byte[] b = new byte[(int) Math.min(n, 1 << 20)];
        int k = 0;
        try {
            int first = stdin.read();
            if (first < 0) {
                return 0;
            }
            b[k++] = (byte) first;
            while (k < b.length) {
                int ready = stdin.available();
                if (ready <= 0) {
                    break;
                }
                int r = stdin.read(b, k, Math.min(ready, b.length - k));
                if (r <= 0) {
                    break;
                }
                k += r;
            }
        } catch (java.io.IOException e) {
            if (k == 0) {
                process.kernel().setErrno(io.mallocscope.runtime.vm.Errno.EIO);
                return -1;
            }
        }
        mem.writeBytes(dst, b, 0, k);
        wroteDefined(dst, k);
        return k;
    }

    /**
     * read(0, …) of the program's: what stdio's buffer has not taken, as the kernel hands it over (at
     * least one byte, then what the input has ready, up to {@code n}: a file's next bytes, what a pipe
     * holds, a terminal's line).
     */
    int readStdin(long buf, int n) {
        int k = 0;
        try {
            while (k < n && (k == 0 || stdin.available() > 0)) {
                int b = stdin.read();
                if (b < 0) {
                    break;
                }
                libc.putByte(buf + k, b);
                k++;
            }
        } catch (java.io.IOException e) {
            if (k == 0) {
                process.kernel().setErrno(io.mallocscope.runtime.vm.Errno.EIO);
                return -1;
            }
        }
        return k;
    }

    /** A string in memory as scanf's source (sscanf). */
    Scanf.Source stringSource(long s) {
        long[] at = {s};
        return new Scanf.Source() {
            @Override
            public int peek() {
                int b = mem.read8(at[0]);
                return b == 0 ? -1 : b;
            }

            @Override
            public void skip() {
                at[0]++;
            }
        };
    }

    // ================================================================ helpers for the library

    String string(long address) {
        return new String(bytes(address), StandardCharsets.UTF_8);
    }

    byte[] bytes(long address) {
        return libc.readBytes(address, (int) libc.strlen(address));
    }

    /** A struct copy the program makes (assignment, initialisation): its write, recorded. */
    void copy(long dst, long src, long n) {
        libc.writeBytes(dst, libc.readBytes(src, (int) n));
        if (mc != null) {
            mc.copiedDefinedness(dst, src, n); // a struct copied keeps its undefined members so
        }
    }

    /** Under memcheck: the {@code n} bytes at {@code a} were written by the interpreter itself (not through LibC) with values. */
    void wroteDefined(long a, long n) {
        if (mc != null) {
            mc.stored(a, n, true);
        }
    }

    /** The stream a FILE * names: stdout or stderr. */
    int stream(long file, Expr.Call site) {
        if (file == stdoutFile) {
            return LibC.STDOUT;
        }
        if (file == stderrFile) {
            return LibC.STDERR;
        }
        if (file == stdinFile) {
            return LibC.STDIN;
        }
        throw new Segfault(file, false, 0, "FILE * that no fopen returned (a closed or wild stream)");
    }

    /** The stream fopen made at {@code fp}; any other FILE * faults, as glibc reading garbage would. */
    Stdio.CFile file(long fp, Expr.Call site) {
        Stdio.CFile f = stdio.file(fp);
        String name = site.direct != null ? site.direct.name : "";
        if (f != null && f.stdin && !name.equals("fread") && !name.equals("feof") && !name.equals("ferror")
                && !name.equals("clearerr")) {
            f = null; // fclose, fseek, ftell, rewind of stdin: not modelled (its descriptor is the program's input)
        }
        if (f == null) {
            if (fp == stdoutFile || fp == stderrFile || fp == stdinFile) {
                throw new CompileError(site.at, "unsupported: " + (site.direct != null ? site.direct.name : "this call")
                        + " on stdin, stdout or stderr");
            }
            throw new Segfault(fp, false, 0, "FILE * that no fopen returned (a closed or wild stream)");
        }
        return f;
    }

    /** A read of a FILE * that is neither stdin nor one fopen made: stdout and stderr (and a wild one) fault. */
    void requireStdin(long file, Expr.Call site) {
        if (stream(file, site) != LibC.STDIN) {
            throw new Segfault(file, false, 0, "reading from stdout or stderr");
        }
    }

    long strtol(long s, long endp, int base, boolean signed) {
        long p = s;
        while (mem.read8(p) == ' ' || mem.read8(p) == '\t' || mem.read8(p) == '\n') {
            p++;
        }
        boolean neg = false;
        if (mem.read8(p) == '-' || mem.read8(p) == '+') {
            neg = mem.read8(p) == '-';
            p++;
        }
        if ((base == 0 || base == 16) && mem.read8(p) == '0' && (mem.read8(p + 1) | 0x20) == 'x') {
            base = 16;
            p += 2;
        } else if (base == 0 && mem.read8(p) == '0') {
            base = 8;
        } else if (base == 0) {
            base = 10;
        }
        long v = 0;
        long digits = 0;
        while (true) {
            int d = Character.digit(mem.read8(p), base);
            if (d < 0) {
                break;
            }
            v = v * base + d;
            p++;
            digits++;
        }
        if (endp != 0) {
            mem.write64(endp, digits == 0 ? s : p);
            wroteDefined(endp, 8);
        }
        return neg ? -v : v;
    }
}
