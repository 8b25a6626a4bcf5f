package org.jdask.notebooks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.VarSnippet;
import org.jdask.graph.JvmFlags;

/**
 * Runs the code cells of a {@link Notebook} in order through the JDK's JShell API, capturing
 * each cell's output, and stops with a {@link CellFailedException} at the first failing cell.
 *
 * <p>How it works. Each {@link #run} starts a fresh JShell whose execution engine is a new JVM
 * (JShell's default JDI engine), started with {@link JvmFlags#get()}, the notebook's own {@link
 * Notebook#jvmOptions()} and the given class path, so notebooks see exactly what a jdask program
 * sees and one notebook's statics (config scopes, listeners, caches) never leak into the next. A cell's source is split into snippets with
 * JShell's own {@link SourceCodeAnalysis#analyzeCompletion}, remembering where each starts, so
 * compiler positions and stack frames ({@code #12:3} = snippet 12, line 3) map back to a cell
 * and a line. Each cell gets a time budget (option, or metadata {@code jdask.timeout_seconds});
 * when it runs out the runner asks JShell to stop the snippet and, if that does not help, closes
 * the engine (its JVM dies). What the cell printed is captured from the engine's {@code
 * System.out}/{@code System.err}, in order. No flushing handshake is needed: the engine's
 * streams are unbuffered and share one socket with JShell's replies, read by one thread, so every
 * byte a snippet printed has reached the capture before its {@code eval} returns (JShell's
 * {@code MultiplexingOutputStream}/{@code DemultiplexInput}). {@link Display} marker lines become
 * {@code image/svg+xml}/{@code image/png} display data; the value of a last expression without a
 * trailing semicolon becomes the execute result, as in IJava (see {@code result} for strings and
 * pictures).
 */
public final class NotebookRunner {
    /**
     * What a run needs.
     *
     * @param classpath the engine JVM's class path (also the compiler's)
     * @param jvmFlags flags for the engine JVM, normally {@link JvmFlags#get()}
     * @param cellTimeout time allowed per cell unless its metadata says otherwise
     */
    public record Options(String classpath, List<String> jvmFlags, Duration cellTimeout) {
        public Options {
            if (classpath == null || classpath.isBlank()) throw new IllegalArgumentException("empty class path for the notebook JVM");
            jvmFlags = List.copyOf(jvmFlags);
            if (cellTimeout.isNegative() || cellTimeout.isZero()) throw new IllegalArgumentException("cell timeout must be positive, got " + cellTimeout);
        }

        /** This JVM's class path and {@link JvmFlags#get()}, 120 s per cell. */
        public static Options defaults() {
            return new Options(System.getProperty("java.class.path"), JvmFlags.get(), Duration.ofSeconds(120));
        }

        public Options withCellTimeout(Duration timeout) {
            return new Options(classpath, jvmFlags, timeout);
        }

        public Options withClasspath(String cp) {
            return new Options(cp, jvmFlags, cellTimeout);
        }
    }

    /**
     * One code cell's run.
     *
     * @param executionCount the {@code In [n]} number (null when skipped)
     * @param skipped the skip reason, or null when the cell ran
     */
    public record CellRun(Cell cell, Integer executionCount, List<Output> outputs, Duration time, String skipped) {
        public CellRun {
            outputs = List.copyOf(outputs);
        }

        /** Whether the cell ran and its recorded output is to be compared. */
        public boolean checked() {
            return skipped == null && cell.checkOutput();
        }

        /** Null when the produced outputs match the recorded ones (see {@link Output#sameAs}), else what differs. */
        public String mismatch() {
            List<Output> rec = cell.outputs();
            boolean same = rec.size() == outputs.size();
            for (int i = 0; same && i < rec.size(); i++) same = rec.get(i).sameAs(outputs.get(i));
            if (same) return null;
            return "cell " + cell.number() + ": output differs from the recorded one\n  recorded: "
                    + rec.stream().map(Output::describe).collect(Collectors.joining("\n            "))
                    + "\n  produced: " + outputs.stream().map(Output::describe).collect(Collectors.joining("\n            "));
        }
    }

    /** A whole run: every code cell in order, the engine's start-up time and the total. */
    public record Result(Notebook notebook, List<CellRun> cells, Duration startup, Duration total) {
        public Result {
            cells = List.copyOf(cells);
        }

        /** What differs from the recorded outputs, one entry per checked cell that differs; empty when all match. */
        public List<String> mismatches() {
            List<String> out = new ArrayList<>();
            for (CellRun r : cells) {
                if (!r.checked()) continue;
                String m = r.mismatch();
                if (m != null) out.add(notebook.file() + ": " + m);
            }
            return out;
        }

        /** Puts the produced outputs into the notebook (skipped cells keep theirs); then {@link Notebook#write}. */
        public void record() {
            for (CellRun r : cells) if (r.skipped() == null) r.cell().record(r.outputs(), r.executionCount());
        }
    }

    /** An IJava line magic ({@code %maven ...}) or cell magic ({@code %%loadFromPOM}) at the start of a line. */
    private static final java.util.regex.Pattern MAGIC = java.util.regex.Pattern.compile("%%?[A-Za-z]");
    private static final java.util.Set<String> STRING_TYPES = java.util.Set.of("String", "java.lang.String");
    private static final java.util.Set<String> PATH_TYPES = java.util.Set.of("Path", "java.nio.file.Path");
    private static final List<String> UTF8 = List.of("-Dfile.encoding=UTF-8", "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8");
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final Options options;

    public NotebookRunner(Options options) {
        this.options = options;
    }

    /** Runs every code cell; throws {@link CellFailedException} at the first failure. */
    public Result run(Notebook nb) {
        return run(nb, r -> {});
    }

    /** As {@link #run(Notebook)}, telling {@code progress} about each code cell as it finishes. */
    public Result run(Notebook nb, Consumer<CellRun> progress) {
        String lang = nb.language();
        if (lang != null && !lang.equalsIgnoreCase("java")) {
            throw new IllegalArgumentException(nb.file() + ": the notebook's language is '" + lang + "' (metadata kernelspec/language_info), "
                    + "not java; jdask notebook run executes Java cells only");
        }
        for (Cell c : nb.cells()) {
            if (!c.isCode() || c.skipReason() != null) continue;
            String[] lines = c.source().split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (MAGIC.matcher(lines[i]).lookingAt()) {
                    throw new CellFailedException(nb.file(), c.number(), i + 1, lines[i], "IJava magics ('" + lines[i].strip().split("\\s+")[0]
                            + "') are not supported: cells run with the project's class path, so %maven/%jars/%classpath are not needed");
                }
            }
        }
        long t0 = System.nanoTime();
        try (Session s = new Session(nb.file(), nb.jvmOptions())) {
            Duration startup = Duration.ofNanos(System.nanoTime() - t0);
            List<CellRun> runs = new ArrayList<>();
            int count = 0;
            for (Cell c : nb.cells()) {
                if (!c.isCode()) continue;
                CellRun r;
                if (c.skipReason() != null) {
                    r = new CellRun(c, null, c.outputs(), Duration.ZERO, c.skipReason());
                } else {
                    long c0 = System.nanoTime();
                    List<Output> outs = s.runCell(c, ++count);
                    r = new CellRun(c, count, outs, Duration.ofNanos(System.nanoTime() - c0), null);
                }
                runs.add(r);
                progress.accept(r);
            }
            return new Result(nb, runs, startup, Duration.ofNanos(System.nanoTime() - t0));
        }
    }

    /** One JShell (and its JVM) for one notebook run. */
    private final class Session implements AutoCloseable {
        private final Path file;
        private final Capture capture = new Capture();
        private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "jdask-notebook-eval");
            t.setDaemon(true);
            return t;
        });
        /** Snippet id to {cell number, cell line of the snippet's first character}. */
        private final Map<String, int[]> where = new HashMap<>();
        private final Path argFile;
        private JShell js;
        /** Set by JShell when the engine JVM ends (System.exit in a cell, a crash, or our own close). */
        private volatile boolean engineEnded;

        Session(Path file, List<String> extraJvmOptions) {
            this.file = file;
            try {
                argFile = Files.createTempFile("jdask-notebook-", ".args");
                // an argfile, because JDI joins remote options into one space-separated string
                List<String> lines = new ArrayList<>();
                for (String f : options.jvmFlags()) lines.add(quote(f));
                // the capture decodes UTF-8; without these a Java 17 engine in a C/POSIX locale prints '?' for non-ASCII
                for (String f : UTF8) lines.add(quote(f));
                for (String f : extraJvmOptions) lines.add(quote(f));
                lines.add("--class-path");
                lines.add(quote(options.classpath()));
                Files.write(argFile, lines);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the notebook JVM's argument file", e);
            }
            Future<JShell> f = thread.submit(() -> JShell.builder()
                    .out(capture.stream("stdout"))
                    .err(capture.stream("stderr"))
                    .in(InputStream.nullInputStream())
                    .remoteVMOptions("@" + argFile)
                    .compilerOptions("--class-path", options.classpath())
                    .build());
            try {
                js = f.get(STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                js.onShutdown(j -> engineEnded = true);
            } catch (TimeoutException e) {
                f.cancel(true);
                close();
                throw new IllegalStateException(file + ": the notebook JVM (JShell's execution engine) did not start within "
                        + STARTUP_TIMEOUT.toSeconds() + " s");
            } catch (ExecutionException | InterruptedException e) {
                close();
                Throwable c = e instanceof ExecutionException ? e.getCause() : e;
                throw new IllegalStateException(file + ": cannot start the notebook JVM (JShell's execution engine) with options "
                        + options.jvmFlags() + " " + extraJvmOptions + ": " + Failures.chain(c), c);
            }
        }

        List<Output> runCell(Cell cell, int executionCount) {
            String src = cell.source();
            long budget = TimeUnit.SECONDS.toNanos(cell.timeoutSeconds() != null ? cell.timeoutSeconds() : options.cellTimeout().toSeconds());
            long deadline = System.nanoTime() + budget;
            SourceCodeAnalysis sca = js.sourceCodeAnalysis();
            String rest = src;
            Snippet last = null;
            String lastValue = null;
            String lastRaw = "";
            while (!rest.isBlank()) {
                int start = src.length() - rest.length();
                SourceCodeAnalysis.CompletionInfo ci = sca.analyzeCompletion(rest);
                String snippet;
                String after;
                if (ci.completeness() == SourceCodeAnalysis.Completeness.EMPTY) break;   // only comments left
                if (ci.completeness().isComplete() && ci.source() != null) {
                    snippet = ci.source();
                    after = ci.remaining();
                } else {
                    snippet = rest;   // incomplete or unknown: let the compiler say what is wrong
                    after = "";
                }
                // JShell numbers lines from the snippet's first non-blank character: start there
                int blank = snippet.length() - snippet.stripLeading().length();
                snippet = snippet.substring(blank);
                start += blank;
                int line = lineAt(src, start);
                SnippetEvent ev = eval(snippet, deadline, cell, line);
                Snippet sn = ev.snippet();
                where.put(sn.id(), new int[] {cell.number(), line});
                check(ev, cell, start, line);
                last = sn;
                lastValue = ev.value();
                lastRaw = src.substring(start, src.length() - after.length());
                if (after.length() >= rest.length()) break;   // no progress: never loop
                rest = after;
            }
            List<Output> outs = outputs(capture.drain(), cell);
            if (last != null && isExpression(last) && lastValue != null && !lastRaw.strip().endsWith(";")) {
                outs.add(result(last, lastValue, deadline, cell));
            }
            return outs;
        }

        /**
         * A cell's value as its execute result. Most values are shown as JShell shows them ({@code
         * toString}, arrays element by element). Two are shown better. A {@code String}: JShell gives
         * an escaped Java literal, which turns a printed table ({@code table.print()}) into one
         * unreadable line, so, like IJava, the string itself is shown, fetched by printing the value
         * variable ({@code $12}) in one more snippet. A {@code Path} to an {@code .svg} or {@code
         * .png} file (what {@code visualize} returns): the picture, so {@code x.visualize(out.resolve("g.svg"))}
         * as a cell's last line shows the graph.
         */
        private Output result(Snippet last, String value, long deadline, Cell cell) {
            String name;
            String type;
            if (last instanceof VarSnippet v) {
                name = v.name();
                type = v.typeName();
            } else if (last instanceof ExpressionSnippet e) {
                name = e.name();
                type = e.typeName();
            } else {
                return new Output.ExecuteResult(Map.of("text/plain", value));
            }
            if (PATH_TYPES.contains(type)) {
                String mime = imageType(value);
                Path p = Path.of(value);
                if (mime != null && Files.isRegularFile(p)) {
                    Map<String, String> data = new java.util.HashMap<>(((Output.DisplayData) display(mime + "\t" + p.toAbsolutePath(), cell)).data());
                    return new Output.ExecuteResult(data);
                }
            }
            if (!STRING_TYPES.contains(type) || value.equals("null")) return new Output.ExecuteResult(Map.of("text/plain", value));
            capture.drain();   // already turned into outputs
            SnippetEvent ev = eval("System.out.print(" + name + ");", Math.max(deadline, System.nanoTime() + STOP_GRACE.toNanos()), cell, 1);
            List<Capture.Chunk> printed = capture.drain();
            String text = ev.exception() != null || printed.size() != 1 ? value : printed.get(0).text();
            return new Output.ExecuteResult(Map.of("text/plain", text));
        }

        private static String imageType(String file) {
            String f = file.toLowerCase(Locale.ROOT);
            return f.endsWith(".svg") ? "image/svg+xml" : f.endsWith(".png") ? "image/png" : null;
        }

        /** Evaluates one snippet within the cell's time budget; returns the event of the snippet itself. */
        private SnippetEvent eval(String snippet, long deadline, Cell cell, int line) {
            Future<List<SnippetEvent>> f = thread.submit(() -> js.eval(snippet));
            List<SnippetEvent> events;
            try {
                events = f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                stop(f);
                long secs = cell.timeoutSeconds() != null ? cell.timeoutSeconds() : options.cellTimeout().toSeconds();
                throw fail(cell, line, "timed out: the cell ran longer than " + secs + " s (per-cell timeout; set metadata "
                        + "{\"jdask\": {\"timeout_seconds\": N}} on the cell or pass --timeout to allow more)", true);
            } catch (ExecutionException e) {
                String why = e.getCause() instanceof IllegalStateException && String.valueOf(e.getCause().getMessage()).contains("closed")
                        ? "the notebook JVM ended while this cell ran (System.exit, or it crashed)"
                        : "JShell failed: " + e.getCause();
                throw fail(cell, line, why, false);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop(f);
                throw fail(cell, line, "interrupted", true);
            }
            if (engineEnded) throw fail(cell, line, "the notebook JVM ended while this cell ran (System.exit, or it crashed)", false);
            for (SnippetEvent ev : events) if (ev.causeSnippet() == null) return ev;
            throw fail(cell, line, "JShell returned no event for the snippet (the notebook JVM may have died)", false);
        }

        private void stop(Future<?> f) {
            try {
                js.stop();
                f.get(STOP_GRACE.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // the engine did not stop the snippet: close() below ends its JVM
            }
            f.cancel(true);
        }

        /** Fails on compile errors, unresolved references and exceptions. */
        private void check(SnippetEvent ev, Cell cell, int start, int line) {
            Snippet sn = ev.snippet();
            switch (ev.status()) {
                case REJECTED -> {
                    List<Diag> diags = js.diagnostics(sn).filter(Diag::isError).toList();
                    if (diags.isEmpty()) diags = js.diagnostics(sn).toList();
                    StringBuilder b = new StringBuilder();
                    int firstLine = line;
                    for (Diag d : diags) {
                        int pos = d.getPosition() < 0 ? 0 : (int) d.getPosition();
                        int l = lineAt(cell.source(), start + Math.min(pos, sn.source().length()));
                        if (b.length() == 0) firstLine = l;
                        b.append("error (line ").append(l).append("): ").append(d.getMessage(Locale.ROOT)).append('\n');
                        b.append("    ").append(lineText(cell.source(), l).strip()).append('\n');
                    }
                    if (diags.isEmpty()) b.append("JShell rejected the snippet without a diagnostic: ").append(sn.source().strip()).append('\n');
                    throw fail(cell, firstLine, b.toString().stripTrailing(), false);
                }
                case RECOVERABLE_DEFINED, RECOVERABLE_NOT_DEFINED -> {
                    String missing = sn instanceof DeclarationSnippet d
                            ? js.unresolvedDependencies(d).collect(Collectors.joining(", ")) : "?";
                    throw fail(cell, line, "unresolved reference to " + missing + " (not defined in this or an earlier cell)", false);
                }
                default -> { }
            }
            if (ev.exception() != null) {
                int[] at = {line};
                String trace = trace(ev.exception(), cell.number(), at);
                throw fail(cell, at[0], trace, false);
            }
        }

        /** The exception chain like {@code printStackTrace}, with notebook frames as (cell C, line L) and JShell's plumbing cut. */
        private String trace(Throwable top, int cellNumber, int[] failingLine) {
            StringBuilder b = new StringBuilder();
            boolean lineSet = false;
            for (Throwable t = top; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t != top) b.append("Caused by: ");
                String name = t instanceof EvalException ee ? ee.getExceptionClassName() : t.getClass().getName();
                b.append(name);
                if (t.getMessage() != null) b.append(": ").append(t.getMessage());
                b.append('\n');
                StackTraceElement[] st = t.getStackTrace();
                int end = st.length;
                for (int i = st.length - 1; i >= 0; i--) {
                    if (snippetId(st[i]) != null) {
                        end = i + 1;
                        break;
                    }
                }
                for (int i = 0; i < end; i++) {
                    String id = snippetId(st[i]);
                    int[] w = id == null ? null : where.get(id);
                    if (w == null) {
                        b.append("\tat ").append(st[i]).append('\n');
                        continue;
                    }
                    int l = w[1] + Math.max(st[i].getLineNumber(), 1) - 1;
                    if (!lineSet && t == top && w[0] == cellNumber) {
                        failingLine[0] = l;
                        lineSet = true;
                    }
                    String m = st[i].getMethodName();
                    b.append("\tat ").append(m.isEmpty() ? "" : m + " ").append("(cell ").append(w[0]).append(", line ").append(l).append(")\n");
                }
                if (end < st.length) b.append("\t... (JShell)\n");
            }
            return b.toString().stripTrailing();
        }

        private String snippetId(StackTraceElement e) {
            String f = e.getFileName();
            return f != null && f.startsWith("#") ? f.substring(1) : null;
        }

        /** Turns captured text into outputs: streams, with Display marker lines made into display data. */
        private List<Output> outputs(List<Capture.Chunk> chunks, Cell cell) {
            List<Output> out = new ArrayList<>();
            for (Capture.Chunk c : chunks) {
                String text = c.text();
                if (!c.stream().equals("stdout")) {
                    addStream(out, c.stream(), text);
                    continue;
                }
                int from = 0;
                int m;
                while ((m = text.indexOf(Display.MARKER, from)) >= 0) {
                    int eol = text.indexOf('\n', m);
                    if (eol < 0) eol = text.length();
                    int before = m > from && text.charAt(m - 1) == '\n' ? m - 1 : m;   // Display's own newline
                    addStream(out, "stdout", text.substring(from, before));
                    out.add(display(text.substring(m + Display.MARKER.length(), eol), cell));
                    from = Math.min(eol + 1, text.length());
                }
                addStream(out, "stdout", text.substring(from));
            }
            return out;
        }

        private Output display(String spec, Cell cell) {
            int tab = spec.indexOf('\t');
            if (tab < 0) throw fail(cell, 1, "malformed Display marker line: " + spec, false);
            String mime = spec.substring(0, tab);
            Path p = Path.of(spec.substring(tab + 1));
            try {
                String data = mime.equals("image/svg+xml") ? Files.readString(p)
                        : java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(p));
                return new Output.DisplayData(Map.of(mime, data, "text/plain", "<" + mime + ": " + p.getFileName() + ">"));
            } catch (IOException e) {
                throw fail(cell, 1, "cannot read the picture " + p + " shown with Display: " + e, false);
            }
        }

        private void addStream(List<Output> out, String name, String text) {
            if (text.isEmpty()) return;
            if (!out.isEmpty() && out.get(out.size() - 1) instanceof Output.Stream s && s.name().equals(name)) {
                out.set(out.size() - 1, new Output.Stream(name, s.text() + text));
            } else {
                out.add(new Output.Stream(name, text));
            }
        }

        private boolean isExpression(Snippet s) {
            return s.kind() == Snippet.Kind.EXPRESSION || s.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
        }

        private CellFailedException fail(Cell cell, int line, String detail, boolean timedOut) {
            String printed = capture.drain().stream()
                    .map(c -> c.stream() + ": " + c.text().stripTrailing())
                    .filter(s -> !s.endsWith(":"))
                    .collect(Collectors.joining("\n"));
            String d = printed.isEmpty() ? detail : detail + "\nthe cell printed before failing:\n" + printed.indent(2).stripTrailing();
            if (timedOut) closeEngine();
            return new CellFailedException(file, cell.number(), line, lineText(cell.source(), line), d);
        }

        private void closeEngine() {
            JShell j = js;
            js = null;
            if (j == null) return;
            Thread closer = new Thread(j::close, "jdask-notebook-close");
            closer.setDaemon(true);
            closer.start();
            try {
                closer.join(STOP_GRACE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            closeEngine();
            thread.shutdownNow();
            try {
                Files.deleteIfExists(argFile);
            } catch (IOException ignored) {
                // a temporary file left behind is harmless
            }
        }
    }

    /** {@code message; caused by: message ...}: JShell wraps launch failures several times. */
    private static final class Failures {
        static String chain(Throwable t) {
            StringBuilder b = new StringBuilder();
            for (Throwable c = t; c != null && c != c.getCause(); c = c.getCause()) {
                String m = c.getMessage() == null ? c.getClass().getName() : c.getMessage();
                if (b.indexOf(m) >= 0) continue;
                if (b.length() > 0) b.append("; caused by: ");
                b.append(m);
            }
            return b.toString();
        }
    }

    /** 1-based line of offset {@code pos} in {@code s}. */
    static int lineAt(String s, int pos) {
        int line = 1;
        for (int i = 0; i < Math.min(pos, s.length()); i++) if (s.charAt(i) == '\n') line++;
        return line;
    }

    /** The text of 1-based line {@code line} of {@code s} (empty if out of range). */
    static String lineText(String s, int line) {
        String[] lines = s.split("\n", -1);
        return line >= 1 && line <= lines.length ? lines[line - 1] : "";
    }

    /** Quotes one argfile token (the {@code java @file} syntax: double quotes, backslash escapes). */
    private static String quote(String arg) {
        return "\"" + arg.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
