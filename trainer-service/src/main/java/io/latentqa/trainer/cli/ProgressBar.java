package io.latentqa.trainer.cli;

/** A one-line progress bar on stderr for the CLI commands: done/total, seconds per unit, ETA. */
final class ProgressBar {

    private static final int WIDTH = 30;

    private final String unit;
    private final int total;
    private final long started = System.nanoTime();

    /** @param unit what is counted, plural ("items") */
    ProgressBar(String unit, int total) {
        this.unit = unit;
        this.total = total;
    }

    void update(int done) {
        double seconds = (System.nanoTime() - started) / 1e9;
        int filled = WIDTH * done / total;
        long eta = Math.round(seconds / done * (total - done));
        System.err.printf("\r[%s%s] %d/%d %s, %.1f s each, ETA %d:%02d ", "#".repeat(filled), " ".repeat(WIDTH - filled), done,
                total, unit, seconds / done, eta / 60, eta % 60);
    }

    void finish() {
        System.err.println();
    }
}
