/**
 * The {@code jdask} command line (the repository's {@code ./jdask} launcher runs {@link
 * org.jdask.cli.Main}).
 *
 * <p>Layout: {@link org.jdask.cli.Main} is the top command and only lists subcommands; each
 * subcommand is one picocli {@code @Command} class implementing {@code Callable<Integer>} (exit
 * code), e.g. {@link org.jdask.cli.DemoCommand}; what a subcommand computes lives in plain classes
 * beside it ({@link org.jdask.cli.CalcMean}, {@link org.jdask.cli.SampleData}) so tests and
 * notebooks can call them without the command line. {@code scheduler}, {@code worker}, {@code ssh}
 * and {@code notebook run} are added the same way, by listing their classes in {@code Main}'s
 * {@code subcommands}. Bad options are picocli {@code ParameterException}s (exit 2, the message
 * names the option); failures while running print one line and return 1.
 */
package org.jdask.cli;
