package io.latentqa.trainer.report;

import io.latentqa.trainer.eval.FidelityEval.Interval;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PercentChartTest {

    @Test
    void pointsLandWhereTheirStepAndPercentageSay(@TempDir Path dir) throws Exception {
        Path svg = dir.resolve("chart.svg");
        // steps 0, 100, 400: x = 60 + 660 * step / 400; fractions 0.1, 0.5, 1.0: y = 50 + 290 * (1 - f)
        PercentChart.write(svg, "a & b", "training step", new int[]{0, 100, 400}, step -> true, 0.1, List.of(
                PercentChart.Series.of("decoder", "#1f6feb", List.of(new Interval(0.1, 0.05, 0.2), new Interval(0.5, 0.4, 0.6),
                        new Interval(1.0, 0.9, 1.0)))));
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile()); // well-formed XML
        NodeList lines = doc.getElementsByTagName("polyline");
        assertEquals(1, lines.getLength());
        assertEquals("60.0,311.0 225.0,195.0 720.0,50.0", ((Element) lines.item(0)).getAttribute("points"));
        // the band: highs left to right, then lows right to left
        assertEquals("60.0,282.0 225.0,166.0 720.0,50.0 720.0,79.0 225.0,224.0 60.0,325.5",
                ((Element) doc.getElementsByTagName("polygon").item(0)).getAttribute("points"));
    }
}
