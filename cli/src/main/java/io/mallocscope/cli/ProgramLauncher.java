package io.mallocscope.cli;

import io.mallocscope.runtime.CProcess;
import io.mallocscope.runtime.CProgram;
import io.mallocscope.runtime.ExitStatus;
import io.mallocscope.runtime.ProcessOptions;

import java.util.Arrays;

/**
 * The main class {@code run --classpath} starts in the child JVM: loads a {@link CProgram} class by
 * name and runs it in a simulated process set up from the environment ({@code mallocscope.glibc},
 * {@code mallocscope.tunables}), ending with the program's exit status.
 */
public final class ProgramLauncher {
    private ProgramLauncher() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: ProgramLauncher CLASS [ARGS...]");
            System.exit(Exit.USAGE);
        }
        Class<?> type;
        try {
            type = Class.forName(args[0]);
        } catch (ClassNotFoundException e) {
            System.err.println("mallocscope: no class " + args[0] + " on the class path");
            System.exit(Exit.USAGE);
            return;
        }
        if (!CProgram.class.isAssignableFrom(type)) {
            System.err.println("mallocscope: " + args[0] + " does not implement " + CProgram.class.getName());
            System.exit(Exit.USAGE);
            return;
        }
        CProgram program = (CProgram) type.getDeclaredConstructor().newInstance();
        String simple = type.getSimpleName();
        CProcess process;
        try {
            process = CProcess.create(ProcessOptions.fromEnvironment().withProgramName(simple));
        } catch (IllegalArgumentException e) {
            // a bad glibc profile or GLIBC_TUNABLES: one line, like any usage error
            System.err.println("mallocscope: " + e.getMessage());
            System.exit(Exit.USAGE);
            return;
        }
        ExitStatus status = process.run(program, Arrays.copyOfRange(args, 1, args.length));
        System.out.flush();
        System.err.flush();
        System.exit(status.code());
    }
}
