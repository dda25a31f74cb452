package io.mallocscope.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code mallocscope} command. Exit statuses: 0 success, 1 when the data or the program said no
 * ({@code run} ends with the program's own status), 2 for usage errors.
 */
@Command(name = "mallocscope", mixinStandardHelpOptions = true, version = "mallocscope 0.1.0",
        description = "glibc's malloc, made visible.",
        commandListHeading = "%nCommands:%n",
        footer = {"", "Exit status: 0 success, 1 the program or the data said no (run: the program's own status), "
                + "2 usage error."},
        subcommands = {ListCommand.class, RunCommand.class, ReplayCommand.class, HeapCommand.class, BinsCommand.class,
                VisCommand.class, MapsCommand.class, ArenasCommand.class, TimelineCommand.class, ChunkCommand.class, TryFreeCommand.class, FindFakeFastCommand.class, PlotCommand.class, ExploreCommand.class, DiffCommand.class, CompareCommand.class,
                CompletionCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        RunCommand.rawStdout = System.out;
        RunCommand.rawStderr = System.err;
        CommandLine cl = commandLine();
        PrintWriter out = Stdout.writer();
        cl.setOut(out);
        int status = cl.execute(args);
        try {
            out.flush();
        } catch (Stdout.Failed f) {
            status = status == 0 ? f.report(cl.getErr()) : status;
        }
        System.out.flush();
        System.exit(status);
    }

    /** The configured command line (tests call {@code execute} on it with their own writers). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(Main::executionFailed);
        cl.setParameterExceptionHandler(Main::badParameters);
        cl.setExitCodeExceptionMapper(t -> t instanceof UserError u ? u.status() : Exit.DATA);
        cl.setExecutionStrategy(Main::runOutOfMemoryAware);
        // everything after PROGRAM belongs to the program, options included
        cl.getSubcommands().get("run").setStopAtPositional(true);
        DiffCommand.describeAt(cl.getSubcommands().get("diff").getCommandSpec());
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Unknown command or option, bad value: picocli's message (with its suggestion), the usage hint, status 2. */
    private static int badParameters(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("mallocscope: " + e.getMessage());
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
            String near = e instanceof CommandLine.UnmatchedArgumentException u ? nearestOption(u, cl) : null;
            if (near != null) {
                err.println("Did you mean: " + near + "?");
            }
            err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
        }
        err.flush();
        return Exit.USAGE;
    }

    /** The option closest to the first unknown one, for typos picocli's own suggestions miss (--fromat). */
    private static String nearestOption(CommandLine.UnmatchedArgumentException e, CommandLine cl) {
        if (e.getUnmatched().isEmpty() || !e.getUnmatched().get(0).startsWith("--")) {
            return null;
        }
        String typed = e.getUnmatched().get(0).split("=", 2)[0];
        String best = null;
        int bestDistance = 3; // at most two edits away
        for (CommandLine.Model.OptionSpec o : cl.getCommandSpec().options()) {
            for (String name : o.names()) {
                int d = distance(typed, name);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = name;
                }
            }
        }
        return best;
    }

    /** Edit distance counting a swap of two neighbouring letters as one edit. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /**
     * The last resort against the JVM's heap running out in any command: one line saying so and how to
     * give it more, status 1, never a stack trace. (The simulated process has its own, smaller limit.)
     */
    private static int runOutOfMemoryAware(CommandLine.ParseResult parsed) {
        try {
            return new CommandLine.RunLast().execute(parsed);
        } catch (Stdout.Failed f) { // --help or --version printed into a full disk or a closed pipe
            return f.report(parsed.commandSpec().commandLine().getErr());
        } catch (OutOfMemoryError e) {
            CommandLine cl = parsed.commandSpec().commandLine();
            cl.getOut().flush();
            cl.getErr().println(outOfMemoryLine());
            cl.getErr().flush();
            return Exit.DATA;
        }
    }

    static String outOfMemoryLine() {
        return "mallocscope: out of memory: the JVM's heap (" + (Runtime.getRuntime().maxMemory() >>> 20)
                + " MiB) is too small for this; give it more with MALLOCSCOPE_JAVA_OPTS=-Xmx2g";
    }

    /** A {@link UserError} is one line; anything else is our bug and keeps its stack trace. */
    private static int executionFailed(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (e instanceof Stdout.Failed f) {
            return f.report(err);
        }
        try {
            cl.getOut().flush();
        } catch (Stdout.Failed f) {
            return f.report(err);
        }
        if (e instanceof UserError u) {
            err.println("mallocscope: " + u.getMessage());
            err.flush();
            return u.status();
        }
        err.println("mallocscope: internal error (please report it): " + e);
        e.printStackTrace(err);
        err.flush();
        return Exit.DATA;
    }
}
