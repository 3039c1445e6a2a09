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
import java.util.List;
import java.util.Locale;

/**
 * Draws a run's loss curve (training loss per step, optional eval losses as dots) into a PNG with
 * java.awt only; works headless ({@code -Djava.awt.headless=true}).
 */
public final class LossCurve {

    /** One plotted value. */
    public record Point(int step, double loss) {
    }

    private static final int WIDTH = 800;
    private static final int HEIGHT = 450;
    private static final int MARGIN = 60;

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

    /** The image: axes with min/max labels, the training curve in blue, eval points in red. */
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
            int x0 = MARGIN;
            int y0 = HEIGHT - MARGIN;
            int x1 = WIDTH - 20;
            int y1 = 40;
            g.drawLine(x0, y0, x1, y0);
            g.drawLine(x0, y0, x0, y1);
            g.drawString("step", (x0 + x1) / 2, HEIGHT - 20);
            g.drawString("loss", 10, (y0 + y1) / 2);
            List<Point> all = new java.util.ArrayList<>(train);
            all.addAll(eval);
            if (all.isEmpty()) {
                g.drawString("no steps yet", (x0 + x1) / 2 - 30, (y0 + y1) / 2);
                return image;
            }
            int maxStep = Math.max(1, all.stream().mapToInt(Point::step).max().orElse(1));
            double lo = all.stream().mapToDouble(Point::loss).min().orElse(0);
            double hi = all.stream().mapToDouble(Point::loss).max().orElse(1);
            if (hi - lo < 1e-9) {
                hi = lo + 1;
            }
            double top = hi;
            double bottom = lo;
            g.drawString(String.format(Locale.ROOT, "%.3f", top), 5, y1 + 5);
            g.drawString(String.format(Locale.ROOT, "%.3f", bottom), 5, y0);
            g.drawString("0", x0, y0 + 15);
            g.drawString(Integer.toString(maxStep), x1 - 20, y0 + 15);
            g.setColor(new Color(31, 119, 180));
            g.setStroke(new BasicStroke(2f));
            int px = -1;
            int py = -1;
            for (Point p : train) {
                int x = x0 + (int) Math.round((double) p.step() / maxStep * (x1 - x0));
                int y = y0 - (int) Math.round((p.loss() - bottom) / (top - bottom) * (y0 - y1));
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                } else {
                    g.fillOval(x - 2, y - 2, 4, 4);
                }
                px = x;
                py = y;
            }
            g.setColor(new Color(214, 39, 40));
            for (Point p : eval) {
                int x = x0 + (int) Math.round((double) p.step() / maxStep * (x1 - x0));
                int y = y0 - (int) Math.round((p.loss() - bottom) / (top - bottom) * (y0 - y1));
                g.fillOval(x - 4, y - 4, 8, 8);
            }
            g.drawString("eval", x1 - 60, y1 + 15);
            g.setColor(new Color(31, 119, 180));
            g.drawString("train", x1 - 60, y1 + 30);
            return image;
        } finally {
            g.dispose();
        }
    }
}
