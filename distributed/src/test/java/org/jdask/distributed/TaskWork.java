package org.jdask.distributed;

/** The work of test tasks. */
final class TaskWork {
    private TaskWork() {}

    /** Sleeps {@code ms}, as a task's work; an interrupt (the task cancelled) ends it early and stays set. */
    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
