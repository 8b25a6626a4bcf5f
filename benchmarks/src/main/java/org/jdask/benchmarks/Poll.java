package org.jdask.benchmarks;

/**
 * Runs a sampling body every {@code periodMs} on a daemon thread until closed, and once more at
 * close (so the last state is in). A sample that throws (a process or worker going away) is skipped.
 */
final class Poll implements AutoCloseable {
    private final Runnable body;
    private final Thread thread;
    private volatile boolean stop;

    Poll(String name, long periodMs, Runnable body) {
        this.body = body;
        thread = new Thread(() -> {
            while (!stop) {
                safely();
                try {
                    Thread.sleep(periodMs);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void safely() {
        try {
            body.run();
        } catch (RuntimeException e) {
            // skipped: the next sample tries again
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.interrupt();
        thread.join(5_000);
        safely();
    }
}
