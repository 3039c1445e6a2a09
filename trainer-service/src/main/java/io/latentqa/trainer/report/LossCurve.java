package io.latentqa.trainer.report;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws a run's loss curve into a PNG with java.awt only; works headless ({@code -Djava.awt.headless=true}).
 * The training loss per step is drawn thin and light: with a few examples per step it is mostly noise
 * (one batch's answers are long, the next one's short). Its trailing mean ({@link #window}) is drawn thick
 * on top, so that a plateau, or the step where the loss leaves one, can be seen; a run of fewer than 80 steps
 * gets the per-step loss alone, thick. Eval losses are dots.
 */
public final class LossCurve {

    /** One plotted value. */
    public record Point(int step, double loss) {
    }

    private static final int WIDTH = 800;
    private static final int HEIGHT = 450;
    private static final int MARGIN = 60;
    private static final int X0 = MARGIN;
    private static final int Y0 = HEIGHT - MARGIN;
    private static final int X1 = WIDTH - 20;
    private static final int Y1 = 40;
    private static final Color STEP_COLOR = new Color(174, 199, 232);
    private static final Color MEAN_COLOR = new Color(31, 119, 180);
    private static final Color EVAL_COLOR = new Color(214, 39, 40);

    private LossCurve() {
    }

    /** Writes the PNG (parent folders created). */
    public static void write(Path png, String title, List<Point> train, List<Point> eval) {
        BufferedImage image = render(title, train, eval);
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
            if (!ImageIO.write(image, "png", png.toFile())) {
                throw new IllegalStateException("no PNG writer in this JVM");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write loss curve " + png, e);
        }
    }

    /** Steps in the trailing mean of a curve of {@code steps} points: a fortieth of the run, at least 1. */
    public static int window(int steps) {
        return Math.max(1, steps / 40);
    }

    /** For each point, the mean loss of it and the {@code window - 1} points before it (fewer at the start). */
    public static List<Point> trailingMean(List<Point> points, int window) {
        List<Point> means = new ArrayList<>();
        double sum = 0;
        for (int i = 0; i < points.size(); i++) {
            sum += points.get(i).loss();
            if (i >= window) {
                sum -= points.get(i - window).loss();
            }
            means.add(new Point(points.get(i).step(), sum / Math.min(i + 1, window)));
        }
        return means;
    }

    /** The image: axes with min/max labels, the training loss per step and its trailing mean, eval points in red. */
    public static BufferedImage render(String title, List<Point> train, List<Point> eval) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString(title, MARGIN, 25);
            g.drawLine(X0, Y0, X1, Y0);
            g.drawLine(X0, Y0, X0, Y1);
            g.drawString("step", (X0 + X1) / 2, HEIGHT - 20);
            g.drawString("loss", 10, (Y0 + Y1) / 2);
            List<Point> all = new ArrayList<>(train);
            all.addAll(eval);
            if (all.isEmpty()) {
                g.drawString("no steps yet", (X0 + X1) / 2 - 30, (Y0 + Y1) / 2);
                return image;
            }
            int maxStep = Math.max(1, all.stream().mapToInt(Point::step).max().orElse(1));
            double bottom = all.stream().mapToDouble(Point::loss).min().orElse(0);
            double top = all.stream().mapToDouble(Point::loss).max().orElse(1);
            if (top - bottom < 1e-9) {
                top = bottom + 1;
            }
            g.drawString(String.format(Locale.ROOT, "%.3f", top), 5, Y1 + 5);
            g.drawString(String.format(Locale.ROOT, "%.3f", bottom), 5, Y0);
            g.drawString("0", X0, Y0 + 15);
            g.drawString(Integer.toString(maxStep), X1 - 20, Y0 + 15);
            // a short run has no noise worth averaging: its per-step loss is the one, thick, line
            int window = window(train.size());
            int legend = X1 - 170;
            int legendY = Y1 + 15;
            if (window > 1) {
                g.setColor(STEP_COLOR);
                g.setStroke(new BasicStroke(1f));
                drawCurve(g, train, maxStep, bottom, top);
                g.drawString("train, per step", legend, legendY);
                legendY += 15;
            }
            if (!train.isEmpty()) {
                g.setColor(MEAN_COLOR);
                g.setStroke(new BasicStroke(2.5f));
                drawCurve(g, trailingMean(train, window), maxStep, bottom, top);
                g.drawString(window > 1 ? "train, mean of " + window + " steps" : "train, per step", legend, legendY);
                legendY += 15;
            }
            if (!eval.isEmpty()) {
                g.setColor(EVAL_COLOR);
                g.drawString("eval", legend, legendY);
                for (Point p : eval) {
                    g.fillOval(x(p, maxStep) - 4, y(p, bottom, top) - 4, 8, 8);
                }
            }
            return image;
        } finally {
            g.dispose();
        }
    }

    private static void drawCurve(Graphics2D g, List<Point> points, int maxStep, double bottom, double top) {
        if (points.size() == 1) {
            Point p = points.get(0);
            g.fillOval(x(p, maxStep) - 2, y(p, bottom, top) - 2, 4, 4);
        }
        for (int i = 1; i < points.size(); i++) {
            Point a = points.get(i - 1);
            Point b = points.get(i);
            g.drawLine(x(a, maxStep), y(a, bottom, top), x(b, maxStep), y(b, bottom, top));
        }
    }

    private static int x(Point p, int maxStep) {
        return X0 + (int) Math.round((double) p.step() / maxStep * (X1 - X0));
    }

    private static int y(Point p, double bottom, double top) {
        return Y0 - (int) Math.round((p.loss() - bottom) / (top - bottom) * (Y0 - Y1));
    }
}
