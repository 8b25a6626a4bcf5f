/**
 * Functions the notebooks ship to worker JVMs. A lambda written in a JShell cell belongs to a class
 * JShell generates in the notebook's JVM, which a worker cannot load; these are compiled, so the
 * same values work on every scheduler and on in-process and out-of-process workers alike.
 */
package org.jdask.notebooks.examples;
