package io.latentqa.trainer.report;

import io.latentqa.trainer.cli.ClosedSetCommand.Point;
import io.latentqa.trainer.eval.FidelityEval.Interval;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * The closed-set check as an SVG line chart: PMI top-1 on the held-out user turns per training step, the
 * shuffled control, 95 % bands, and the chance line.
 */
public final class ClosedSetChart {

    private ClosedSetChart() {
    }

    public static void write(Path svg, List<Point> points, double chance, String title) {
        int[] steps = points.stream().mapToInt(Point::step).toArray();
        PercentChart.write(svg, title, "training step", steps, step -> true, chance, List.of(
                series(points, p -> p.score().pmi(), "decoder, PMI top-1", "#1f6feb"),
                series(points, p -> p.score().raw(), "decoder, raw top-1", "#2da44e"),
                series(points, p -> p.score().shuffledPmi(), "shuffled read, PMI; bands: 95 %", "#9aa5b1")));
    }

    private static PercentChart.Series series(List<Point> points, Function<Point, Interval> score, String label, String colour) {
        return PercentChart.Series.of(label, colour, points.stream().map(score).toList());
    }
}
