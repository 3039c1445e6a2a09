package io.latentqa.trainer.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

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
    }
}
