package io.latentqa.trainer.cli;

/** A one-line progress bar on stderr for the CLI commands: done/total, seconds per unit, ETA. */
final class ProgressBar {

    private static final int WIDTH = 30;

    private final String unit;
    private final int total;
    private final int startedAt;
    private final long started = System.nanoTime();

    /** @param unit what is counted, plural ("items") */
    ProgressBar(String unit, int total) {
        this(unit, total, 0);
    }

    /**
     * A bar that goes on from {@code startedAt} units already done, timing only the units from here on: a
     * loop that paused for other work (an evaluation) gets an ETA from its own pace.
     */
    ProgressBar(String unit, int total, int startedAt) {
        this.unit = unit;
        this.total = total;
        this.startedAt = startedAt;
    }

    void update(int done) {
        double seconds = (System.nanoTime() - started) / 1e9;
        int filled = WIDTH * done / total;
        double each = seconds / Math.max(1, done - startedAt);
        long eta = Math.round(each * (total - done));
        System.err.printf("\r[%s%s] %d/%d %s, %.1f s each, ETA %d:%02d ", "#".repeat(filled), " ".repeat(WIDTH - filled), done,
                total, unit, each, eta / 60, eta % 60);
    }

    void finish() {
        System.err.println();
    }
}
