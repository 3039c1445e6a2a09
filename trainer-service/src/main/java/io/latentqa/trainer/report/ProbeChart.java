package io.latentqa.trainer.report;

import io.latentqa.trainer.eval.ControlProbe;
import io.latentqa.trainer.eval.ControlProbe.Block;
import io.latentqa.trainer.eval.ControlProbe.Identification;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The control probe as an SVG line chart: per block, how often the hidden prompt is identified from the mean
 * of the shown vectors and from the last one, the shuffled control, 95 % bands, and the chance line.
 */
public final class ProbeChart {

    private static final int WIDTH = 760;
    private static final int HEIGHT = 420;
    private static final int LEFT = 60;
    private static final int TOP = 50;
    private static final int PLOT_WIDTH = 660;
    private static final int PLOT_HEIGHT = 290;

    private ProbeChart() {
    }

    public static void write(Path svg, ControlProbe.Result result, String title) {
        List<Block> blocks = result.blocks();
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
        for (Block b : blocks) {
            if (b.block() % 5 == 0 || b.block() == blocks.size() - 1) {
                s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n",
                        x(b.block(), blocks.size()), TOP + PLOT_HEIGHT + 18, b.block()));
            }
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">read after block</text>%n",
                LEFT + PLOT_WIDTH / 2, TOP + PLOT_HEIGHT + 36));
        double chance = y(result.chance());
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#d1242f\" "
                + "stroke-dasharray=\"6 4\"/>%n", LEFT, chance, LEFT + PLOT_WIDTH, chance));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" fill=\"#d1242f\" text-anchor=\"end\">chance</text>%n",
                LEFT + PLOT_WIDTH, chance - 4));
        series(s, blocks, Block::last, "#1f6feb");
        series(s, blocks, Block::meanOfShown, "#2da44e");
        series(s, blocks, Block::shuffled, "#9aa5b1");
        int legendY = HEIGHT - 28;
        legend(s, LEFT, legendY, "#1f6feb", "last shown vector (assistant header)");
        legend(s, LEFT + 250, legendY, "#2da44e", "mean of the shown vectors");
        legend(s, LEFT + 440, legendY, "#9aa5b1", "shuffled control; bands: 95 %");
        s.append("</svg>\n");
        try {
            Files.writeString(svg, s.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + svg, e);
        }
    }

    private static void series(StringBuilder s, List<Block> blocks, Function<Block, Identification> feature, String colour) {
        StringBuilder band = new StringBuilder();
        StringBuilder line = new StringBuilder();
        for (Block b : blocks) {
            band.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(b.block(), blocks.size()), y(feature.apply(b).interval().high())));
            line.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(b.block(), blocks.size()), y(feature.apply(b).interval().value())));
        }
        for (int i = blocks.size() - 1; i >= 0; i--) {
            Block b = blocks.get(i);
            band.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(b.block(), blocks.size()), y(feature.apply(b).interval().low())));
        }
        s.append(String.format(Locale.ROOT, "<polygon points=\"%s\" fill=\"%s\" fill-opacity=\"0.15\"/>%n", band.toString().trim(), colour));
        s.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                line.toString().trim(), colour));
    }

    private static void legend(StringBuilder s, int x, int y, String colour, String text) {
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                + "<text x=\"%d\" y=\"%d\">%s</text>%n", x, y, colour, x + 18, y + 11, escape(text)));
    }

    private static double x(int block, int blocks) {
        return LEFT + (blocks == 1 ? PLOT_WIDTH / 2.0 : PLOT_WIDTH * block / (double) (blocks - 1));
    }

    private static double y(double fraction) {
        return TOP + PLOT_HEIGHT * (1 - fraction);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
