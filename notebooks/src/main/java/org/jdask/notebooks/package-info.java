/**
 * Notebooks that run as tests: {@link org.jdask.notebooks.Notebook} reads and writes Jupyter's
 * nbformat 4, {@link org.jdask.notebooks.NotebookRunner} executes the code cells through JShell in
 * a fresh JVM and captures their outputs, and {@link org.jdask.notebooks.Display} lets a cell show
 * a picture. The command line is {@code jdask notebook run} ({@code org.jdask.cli.NotebookCommand});
 * the notebooks themselves are the {@code .ipynb} files at the top of this module.
 */
package org.jdask.notebooks;
