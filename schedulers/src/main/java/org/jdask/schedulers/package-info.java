/**
 * The local schedulers: {@link org.jdask.schedulers.LocalEngine}, the one engine, and the thin
 * {@code sync} and {@code threads} providers found through {@link java.util.ServiceLoader}. Users
 * normally pick them by name ({@code compute(Map.of("scheduler", "sync"))}) rather than touching
 * these classes; {@code RunState} is the engine's internal, package-private state.
 */
package org.jdask.schedulers;
