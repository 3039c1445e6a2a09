package io.latentqa.trainer.report;

import io.latentqa.trainer.eval.FidelityEval;
import io.latentqa.trainer.eval.FidelityEval.Score;
import io.latentqa.trainer.eval.FidelityEval.Variant;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The fidelity result as an SVG bar chart: per variant, multiple-choice top-1 raw and PMI-normalised with
 * 95 % interval whiskers, and the chance line.
 */
public final class FidelityChart {

    private static final int WIDTH = 760;
    private static final int HEIGHT = 420;
    private static final int LEFT = 60;
    private static final int TOP = 50;
    private static final int PLOT_HEIGHT = 300;
    private static final String RAW_COLOUR = "#9aa5b1";
    private static final String PMI_COLOUR = "#1f6feb";

    private FidelityChart() {
    }

    /** Draws the variants that scored items (none for the shuffled control when the items share one label). */
    public static void write(Path svg, Map<Variant, Score> all, int choices, String title) {
        List<Score> scores = all.values().stream().filter(score -> score.items() > 0).toList();
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"14\">%s</text>%n", LEFT, escape(title)));
        int plotWidth = WIDTH - LEFT - 20;
        for (int pct = 0; pct <= 100; pct += 20) {
            double y = y(pct / 100.0);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>%n",
                    LEFT, y, LEFT + plotWidth, y));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d %%</text>%n", LEFT - 6, y + 4, pct));
        }
        double chance = y(1.0 / choices);
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#d1242f\" "
                + "stroke-dasharray=\"6 4\"/>%n", LEFT, chance, LEFT + plotWidth, chance));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" fill=\"#d1242f\" text-anchor=\"end\">chance</text>%n",
                LEFT + plotWidth, chance - 4));
        int group = plotWidth / scores.size();
        int bar = group / 4;
        int g = 0;
        for (Score score : scores) {
            int x = LEFT + g * group + group / 2 - bar;
            bar(s, x, bar, score.raw(), RAW_COLOUR);
            if (score.pmi() != null) {
                bar(s, x + bar, bar, score.pmi(), PMI_COLOUR);
            }
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x + bar,
                    TOP + PLOT_HEIGHT + 18, score.variant().title()));
            g++;
        }
        int legendY = HEIGHT - 30;
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                + "<text x=\"%d\" y=\"%d\">raw log-likelihood</text>%n", LEFT, legendY, RAW_COLOUR, LEFT + 18, legendY + 11));
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                + "<text x=\"%d\" y=\"%d\">PMI-normalised (minus the same answer without activations); whiskers: 95 %% interval"
                + "</text>%n", LEFT + 150, legendY, PMI_COLOUR, LEFT + 168, legendY + 11));
        s.append("</svg>\n");
        try {
            Files.writeString(svg, s.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + svg, e);
        }
    }

    private static void bar(StringBuilder s, int x, int width, FidelityEval.Interval interval, String colour) {
        double top = y(interval.value());
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"/>%n", x, top,
                width - 2, y(0) - top, colour));
        double mid = x + (width - 2) / 2.0;
        s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>%n", mid,
                y(interval.low()), mid, y(interval.high())));
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\">%.0f</text>%n",
                mid, y(interval.high()) - 4, 100 * interval.value()));
    }

    private static double y(double fraction) {
        return TOP + PLOT_HEIGHT * (1 - fraction);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
