package io.latentqa.trainer.report;

import io.latentqa.trainer.eval.FidelityEval.Interval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.IntPredicate;

/**
 * An SVG line chart of percentages (0-100 %) over integer x values, each series with its 95 % band, and a dashed
 * chance line: what the fidelity checks plot (identification per block, top-1 per training step).
 */
final class PercentChart {

    private static final int WIDTH = 760;
    private static final int HEIGHT = 420;
    private static final int LEFT = 60;
    private static final int TOP = 50;
    private static final int PLOT_WIDTH = 660;
    private static final int PLOT_HEIGHT = 290;

    /** One line: fractions at the chart's x values, with the band's low and high ends. */
    record Series(String label, String colour, double[] values, double[] lows, double[] highs) {
        /** A series of estimates with their intervals. */
        static Series of(String label, String colour, List<Interval> intervals) {
            return new Series(label, colour, intervals.stream().mapToDouble(Interval::value).toArray(),
                    intervals.stream().mapToDouble(Interval::low).toArray(), intervals.stream().mapToDouble(Interval::high).toArray());
        }
    }

    private PercentChart() {
    }

    /**
     * @param xs      the x values, ascending
     * @param tick    which x values get a label on the axis
     * @param series  at most three (the legend has room for three)
     */
    static void write(Path svg, String title, String xTitle, int[] xs, IntPredicate tick, double chance, List<Series> series) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"14\">%s</text>%n", LEFT, escape(title)));
        for (int pct = 0; pct <= 100; pct += 20) {
            double y = y(pct / 100.0);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>%n",
                    LEFT, y, LEFT + PLOT_WIDTH, y));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d %%</text>%n", LEFT - 6, y + 4, pct));
        }
        for (int i = 0; i < xs.length; i++) {
            if (tick.test(xs[i])) {
                s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n",
                        x(xs, i), TOP + PLOT_HEIGHT + 18, xs[i]));
            }
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                LEFT + PLOT_WIDTH / 2, TOP + PLOT_HEIGHT + 36, escape(xTitle)));
        double chanceY = y(chance);
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#d1242f\" "
                + "stroke-dasharray=\"6 4\"/>%n", LEFT, chanceY, LEFT + PLOT_WIDTH, chanceY));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" fill=\"#d1242f\" text-anchor=\"end\">chance</text>%n",
                LEFT + PLOT_WIDTH, chanceY - 4));
        int legendX = LEFT;
        for (Series line : series) {
            series(s, xs, line);
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>%n", legendX, HEIGHT - 28, line.colour(), legendX + 18, HEIGHT - 17,
                    escape(line.label())));
            legendX += 18 + (int) Math.ceil(6.5 * line.label().length()) + 24; // about 6.5 px a character at 12 px
        }
        s.append("</svg>\n");
        try {
            Files.writeString(svg, s.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + svg, e);
        }
    }

    private static void series(StringBuilder s, int[] xs, Series line) {
        StringBuilder band = new StringBuilder();
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < xs.length; i++) {
            band.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(xs, i), y(line.highs()[i])));
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(xs, i), y(line.values()[i])));
        }
        for (int i = xs.length - 1; i >= 0; i--) {
            band.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(xs, i), y(line.lows()[i])));
        }
        s.append(String.format(Locale.ROOT, "<polygon points=\"%s\" fill=\"%s\" fill-opacity=\"0.15\"/>%n", band.toString().trim(),
                line.colour()));
        s.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                points.toString().trim(), line.colour()));
    }

    private static double x(int[] xs, int i) {
        double span = xs[xs.length - 1] - xs[0];
        return LEFT + (span == 0 ? PLOT_WIDTH / 2.0 : PLOT_WIDTH * (xs[i] - xs[0]) / span);
    }

    private static double y(double fraction) {
        return TOP + PLOT_HEIGHT * (1 - fraction);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
