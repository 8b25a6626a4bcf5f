package org.jdask.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jdask.graph.JvmFlags;
import org.jdask.notebooks.CellFailedException;
import org.jdask.notebooks.KernelSpec;
import org.jdask.notebooks.Notebook;
import org.jdask.notebooks.NotebookRunner;
import org.jdask.notebooks.PercentScript;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jdask notebook run FILE.ipynb... [--inplace] [--check]}: runs notebooks' code cells in a
 * fresh JShell (see {@link NotebookRunner}) and reports each cell; exit 1 at the first failing cell
 * (the message names the cell, the line and the error), or with {@code --check} when a recorded
 * output no longer matches.
 */
@Command(name = "notebook",
        mixinStandardHelpOptions = true,
        description = "Run Jupyter notebooks written in Java (IJava kernel format).",
        subcommands = {NotebookCommand.Run.class, NotebookCommand.Convert.class, NotebookCommand.InstallKernel.class, CommandLine.HelpCommand.class})
public final class NotebookCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** Without a subcommand: usage on stderr, exit 2. */
    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("jdask notebook: missing command (run, convert, install-kernel)");
        spec.commandLine().usage(err);
        return 2;
    }

    /** {@code jdask notebook run}. */
    @Command(name = "run",
            mixinStandardHelpOptions = true,
            description = "Execute the code cells of each notebook in order in a fresh JShell (a new JVM with the "
                    + "project's class path), printing one line per cell. A notebook stops at its first failing cell; "
                    + "exit code 1 if any notebook failed.")
    public static final class Run implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "FILE", description = "Notebooks (.ipynb) to run.")
        List<Path> files;

        @Option(names = "--inplace", description = "Write the outputs back into each notebook (only when every cell ran).")
        boolean inplace;

        @Option(names = "--check", description = "Fail when a cell's output differs from the one recorded in the notebook "
                + "(cells with metadata jdask.check_output=false excepted).")
        boolean check;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
                description = "Time allowed per cell unless its metadata jdask.timeout_seconds says otherwise, default ${DEFAULT-VALUE}.")
        int timeout;

        @Option(names = "--classpath", paramLabel = "PATH",
                description = "Class path of the notebook JVM (default: this JVM's, i.e. every jdask module).")
        String classpath;

        @Override
        public Integer call() {
            if (timeout < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "Invalid value for option '--timeout': must be at least 1, got " + timeout);
            }
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            NotebookRunner.Options opts = NotebookRunner.Options.defaults().withCellTimeout(Duration.ofSeconds(timeout));
            if (classpath != null) opts = opts.withClasspath(classpath);
            NotebookRunner runner = new NotebookRunner(opts);
            int failed = 0;
            for (Path f : files) {
                try {
                    Notebook nb = Notebook.read(f);
                    NotebookRunner.Result r = runner.run(nb, c -> {
                        out.printf(Locale.ROOT, "  cell %-3d %s%n", c.cell().number(), c.skipped() != null
                                ? "skipped: " + c.skipped()
                                : String.format(Locale.ROOT, "ok %7.2f s%s", c.time().toNanos() / 1e9, c.cell().checkOutput() ? "" : "  (output not checked)"));
                        out.flush();
                    });
                    long ran = r.cells().stream().filter(c -> c.skipped() == null).count();
                    out.printf(Locale.ROOT, "%s: %d code cells ran in %.2f s (engine start %.2f s)%s%n", f, ran,
                            r.total().toNanos() / 1e9, r.startup().toNanos() / 1e9,
                            ran < r.cells().size() ? ", " + (r.cells().size() - ran) + " skipped" : "");
                    if (check) {
                        List<String> bad = r.mismatches();
                        if (!bad.isEmpty()) {
                            bad.forEach(err::println);
                            err.println(f + ": " + bad.size() + " cell(s) differ from the recorded output; if the new output is right, "
                                    + "record it with: jdask notebook run --inplace " + f);
                            failed++;
                            continue;
                        }
                    }
                    if (inplace) {
                        r.record();
                        nb.write(f);
                        out.println(f + ": outputs written");
                    }
                } catch (CellFailedException e) {
                    out.flush();
                    err.println(e.getMessage());
                    failed++;
                } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
                    out.flush();
                    err.println("jdask notebook run: " + Failures.describe(e));
                    failed++;
                }
                out.flush();
                err.flush();
            }
            return failed == 0 ? 0 : 1;
        }
    }

    /** {@code jdask notebook convert}: between {@code .ipynb} and a Jupytext "percent" {@code .java} script. */
    @Command(name = "convert",
            mixinStandardHelpOptions = true,
            description = "Convert a notebook (.ipynb) to a percent-format Java script (.java, cells marked by '// %%'), "
                    + "or a script back to a notebook. Converting a script keeps the outputs recorded in the existing "
                    + "notebook for every code cell whose source did not change.")
    public static final class Convert implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "A .ipynb notebook or a .java percent script.")
        Path file;

        @Option(names = {"-o", "--output"}, paramLabel = "OUT",
                description = "Where to write (default: FILE with the other extension, beside it).")
        Path output;

        @Override
        public Integer call() {
            String name = file.getFileName().toString();
            boolean toScript = name.endsWith(".ipynb");
            if (!toScript && !name.endsWith(".java")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "FILE must end with .ipynb or .java, got " + file);
            }
            String stem = name.substring(0, name.lastIndexOf('.'));
            Path out = output != null ? output : file.resolveSibling(stem + (toScript ? ".java" : ".ipynb"));
            try {
                if (toScript) {
                    java.nio.file.Files.writeString(out, PercentScript.fromNotebook(Notebook.read(file)));
                } else {
                    String script = java.nio.file.Files.readString(file);
                    Notebook previous = java.nio.file.Files.exists(out) ? Notebook.read(out) : null;
                    Notebook nb = PercentScript.toNotebook(script, file, previous);
                    nb.write(out);
                }
                spec.commandLine().getOut().println(file + " -> " + out);
                return 0;
            } catch (IllegalArgumentException | UncheckedIOException e) {
                spec.commandLine().getErr().println("jdask notebook convert: " + Failures.describe(e));
                return 1;
            } catch (java.io.IOException e) {
                spec.commandLine().getErr().println("jdask notebook convert: " + e);
                return 1;
            }
        }
    }

    /** {@code jdask notebook install-kernel}: a JJava kernel spec with jdask's class path and JVM flags. */
    @Command(name = "install-kernel",
            mixinStandardHelpOptions = true,
            description = "Write a Jupyter kernel spec (DIR/NAME/kernel.json) that runs the JJava kernel with jdask's class path "
                    + "and JVM flags, so the notebooks open in Jupyter. JJava: https://github.com/dflib/jjava/releases")
    public static final class InstallKernel implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--jjava-jar", required = true, paramLabel = "JAR", description = "The JJava kernel jar (from its release zip).")
        Path jjavaJar;

        @Option(names = "--dir", paramLabel = "DIR",
                description = "Kernels directory (default: Jupyter's per-user one, $JUPYTER_DATA_DIR/kernels or ~/.local/share/jupyter/kernels).")
        Path dir;

        @Option(names = "--name", paramLabel = "NAME", defaultValue = "jdask", description = "Kernel name, default ${DEFAULT-VALUE}.")
        String name;

        @Option(names = "--classpath", paramLabel = "PATH", description = "Class path of the cells (default: this JVM's, i.e. every jdask module).")
        String classpath;

        @Override
        public Integer call() {
            try {
                KernelSpec k = new KernelSpec(name, "Java (jdask)", KernelSpec.thisJava(), jjavaJar,
                        classpath != null ? classpath : KernelSpec.thisClasspath(), JvmFlags.get());
                Path file = k.writeTo(dir != null ? dir : KernelSpec.userKernelsDir());
                spec.commandLine().getOut().println("kernel spec written: " + file + " (open Jupyter and pick \"Java (jdask)\")");
                return 0;
            } catch (IllegalArgumentException | UncheckedIOException e) {
                spec.commandLine().getErr().println("jdask notebook install-kernel: " + Failures.describe(e));
                return 1;
            }
        }
    }
}
