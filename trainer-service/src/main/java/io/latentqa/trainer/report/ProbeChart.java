package io.latentqa.trainer.report;

import io.latentqa.trainer.eval.ControlProbe;
import io.latentqa.trainer.eval.ControlProbe.Block;
import io.latentqa.trainer.eval.ControlProbe.Identification;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * The control probe as an SVG line chart: per block, how often the hidden prompt is identified from the mean
 * of the shown vectors and from the last one, the shuffled control, 95 % bands, and the chance line.
 */
public final class ProbeChart {

    private ProbeChart() {
    }

    public static void write(Path svg, ControlProbe.Result result, String title) {
        List<Block> blocks = result.blocks();
        int[] xs = blocks.stream().mapToInt(Block::block).toArray();
        int last = xs[xs.length - 1];
        PercentChart.write(svg, title, "read after block", xs, b -> b % 5 == 0 || b == last, result.chance(), List.of(
                series(blocks, Block::last, "last shown vector (assistant header)", "#1f6feb"),
                series(blocks, Block::meanOfShown, "mean of the shown vectors", "#2da44e"),
                series(blocks, Block::shuffled, "shuffled control; bands: 95 %", "#9aa5b1")));
    }

    private static PercentChart.Series series(List<Block> blocks, Function<Block, Identification> feature, String label,
                                              String colour) {
        return PercentChart.Series.of(label, colour, blocks.stream().map(b -> feature.apply(b).interval()).toList());
    }
}
