package io.latentqa.trainer.lit;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class LengthBatchesTest {

    @Test
    void batchesHoldSimilarLengthsAndEveryEpochCoversEveryExampleOnce() {
        int[] lengths = {50, 10, 40, 20, 30, 60, 15};
        LengthBatches batches = new LengthBatches(lengths, 2, 1);
        // sorted by length: idx 1(10) 6(15) 3(20) 4(30) 2(40) 0(50) 5(60) -> [1,6] [3,4] [2,0] [5]
        assertEquals(4, batches.perEpoch());
        Set<String> expected = Set.of("[1, 6]", "[3, 4]", "[2, 0]", "[5]");
        for (int epoch = 0; epoch < 3; epoch++) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                seen.add(Arrays.toString(batches.batch(epoch * 4L + i)));
            }
            assertEquals(expected, seen, "epoch " + epoch);
        }
    }

    @Test
    void theSameSeedGivesTheSameOrder() {
        int[] lengths = new int[40];
        Arrays.setAll(lengths, i -> (i * 7) % 13);
        LengthBatches a = new LengthBatches(lengths, 3, 42);
        LengthBatches b = new LengthBatches(lengths, 3, 42);
        for (long g = 0; g < 30; g++) {
            assertArrayEquals(a.batch(g), b.batch(g));
        }
    }
}
