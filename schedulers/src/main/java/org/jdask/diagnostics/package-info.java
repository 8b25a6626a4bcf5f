/**
 * Diagnostics for local runs, each an {@link java.lang.AutoCloseable} listener that registers
 * itself JVM-wide while open: {@link org.jdask.diagnostics.ProgressBar}, {@link
 * org.jdask.diagnostics.Profiler} (per-task timeline) and {@link
 * org.jdask.diagnostics.ResourceProfiler} (CPU and heap samples).
 */
package org.jdask.diagnostics;
