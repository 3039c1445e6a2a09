package io.latentqa.trainer.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LossCurveTest {

    @Test
    void pngIsWrittenHeadlessWithTheCurveDrawn(@TempDir Path dir) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Path png = dir.resolve("report/loss-curve.png");
        LossCurve.write(png, "test", List.of(new LossCurve.Point(1, 3.0), new LossCurve.Point(2, 2.0), new LossCurve.Point(3, 1.5)),
                List.of(new LossCurve.Point(3, 1.8)));
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(800, image.getWidth());
        assertEquals(450, image.getHeight());
        // the first training point (step 1 of 3, the highest loss) is drawn at x = 60 + 720/3 = 300, y = 40 (plot top)
        int blue = image.getRGB(300, 40) & 0xffffff;
        assertNotEquals(0xffffff, blue, "a curve pixel is not background");
        // a 3-step run has no trailing mean: its per-step loss is the dark line, here half-way from step 1 (300, 40)
        // to step 2 (540, 390 - 350 * (2.0 - 1.5) / 1.5 = 273)
        int line = image.getRGB(420, 157) & 0xffffff;
        assertTrue(isMeanBlue(line), "a short run's loss is drawn dark, got " + Integer.toHexString(line));
    }

    @Test
    void trailingMeanAveragesTheLastWindowStepsAndFewerAtTheStart() {
        List<LossCurve.Point> points = List.of(new LossCurve.Point(1, 3.0), new LossCurve.Point(2, 2.0),
                new LossCurve.Point(3, 1.5), new LossCurve.Point(4, 0.5));
        List<LossCurve.Point> means = LossCurve.trailingMean(points, 2);
        // by hand: 3 / 1, (3 + 2) / 2, (2 + 1.5) / 2, (1.5 + 0.5) / 2
        assertEquals(List.of(1, 2, 3, 4), means.stream().map(LossCurve.Point::step).toList());
        double[] expected = {3.0, 2.5, 1.75, 1.0};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], means.get(i).loss(), 1e-12);
        }
        assertEquals(points, LossCurve.trailingMean(points, 1));
        assertEquals(25, LossCurve.window(1000));
        assertEquals(1, LossCurve.window(3));
    }

    @Test
    void theMeanOfANoisyCurveIsDrawnDarkWhereItLiesAndTheStepsLightAroundIt() {
        System.setProperty("java.awt.headless", "true");
        // a loss that alternates 1, 3, 1, 3 ... for 1000 steps: every trailing mean of 25 steps is 2 +- 0.04
        List<LossCurve.Point> steps = new ArrayList<>();
        for (int step = 1; step <= 1000; step++) {
            steps.add(new LossCurve.Point(step, step % 2 == 1 ? 1.0 : 3.0));
        }
        BufferedImage image = LossCurve.render("noise", steps, List.of());
        // step 500 is at x = 60 + 720 / 2 = 420; loss 2 (half-way from 1 to 3) at y = 390 - 350 / 2 = 215
        int mean = image.getRGB(420, 215) & 0xffffff;
        int step = image.getRGB(420, 100) & 0xffffff;
        assertTrue(isMeanBlue(mean), "the trailing mean at loss 2 is drawn dark blue, got " + Integer.toHexString(mean));
        assertTrue(!isMeanBlue(step) && step != 0xffffff, "above the mean only the light per-step curve, got " + Integer.toHexString(step));
    }

    @Test
    void evalPointsAloneDrawNoTrainingCurveAndNoTrainingLegend() {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = LossCurve.render("eval only", List.of(),
                List.of(new LossCurve.Point(10, 2.0), new LossCurve.Point(20, 1.0)));
        int blue = 0;
        int red = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                blue += isMeanBlue(rgb) && (rgb & 0xff) > 120 ? 1 : 0;
                red += rgb == 0xd62728 ? 1 : 0;
            }
        }
        assertEquals(0, blue, "no training curve or legend in blue");
        assertTrue(red > 50, "the eval dots and legend in red, got " + red + " pixels");
    }

    private static boolean isMeanBlue(int rgb) {
        int red = rgb >> 16 & 0xff;
        int green = rgb >> 8 & 0xff;
        return red < 90 && green < 150;
    }
}
