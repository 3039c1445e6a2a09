package io.latentqa.dataset.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class SplitAssignerTest {

    final SplitAssigner assigner = new SplitAssigner(0.8, 0.1);
    final List<String> labels = IntStream.range(0, 5000).mapToObj(i -> "persona-test-" + i).toList();

    @Test
    void sameSeedGivesTheSameSplitsAndAnotherSeedOthers() {
        List<String> first = labels.stream().map(label -> assigner.assign(7, label)).toList();
        assertEquals(first, labels.stream().map(label -> assigner.assign(7, label)).toList());
        assertNotEquals(first, labels.stream().map(label -> assigner.assign(8, label)).toList());
    }

    @Test
    void fractionsAreMetWithinSamplingError() {
        Map<String, Integer> counts = new HashMap<>();
        labels.forEach(label -> counts.merge(assigner.assign(3, label), 1, Integer::sum));
        // binomial: sd of the train count is sqrt(5000 * 0.8 * 0.2) ≈ 28; 4 sd
        assertTrue(Math.abs(counts.get("train") - 4000) < 115, counts.toString());
        assertTrue(Math.abs(counts.get("eval") - 500) < 90, counts.toString());
        assertTrue(Math.abs(counts.get("test") - 500) < 90, counts.toString());
    }

    @Test
    void aLabelsSplitDoesNotDependOnOtherLabels() {
        assertEquals(assigner.assign(5, "goal-x-y"), new SplitAssigner(0.8, 0.1).assign(5, "goal-x-y"));
    }

    @Test
    void fractionsAboveOneAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SplitAssigner(0.9, 0.2));
    }
}
