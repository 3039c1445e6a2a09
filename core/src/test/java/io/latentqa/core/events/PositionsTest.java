package io.latentqa.core.events;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PositionsTest {

    // residual (T=4, d=2): row t = (t, 10t)
    private static final float[] RESIDUAL = {0, 0, 1, 10, 2, 20, 3, 30};
    private static final int[] IDS = {5, 6, 7, 8};

    @Test
    void parseAndPrintRoundTrip() {
        for (String text : new String[]{"all", "mean", "last:3", "range:1:3"}) {
            assertEquals(text, Positions.parse(text).toString());
        }
        assertEquals(Positions.last(3), Positions.parse(" last:3 "));
    }

    @Test
    void allSelectsEveryRow() {
        assertArrayEquals(RESIDUAL, Positions.ALL.select(RESIDUAL, 4, 2));
        assertArrayEquals(IDS, Positions.ALL.selectTokenIds(IDS));
    }

    @Test
    void lastSelectsTheLastRowsAndClampsToTheSequence() {
        assertArrayEquals(new float[]{2, 20, 3, 30}, Positions.last(2).select(RESIDUAL, 4, 2));
        assertArrayEquals(new int[]{7, 8}, Positions.last(2).selectTokenIds(IDS));
        assertArrayEquals(RESIDUAL, Positions.last(9).select(RESIDUAL, 4, 2));
        assertEquals(4, Positions.last(9).rows(4));
    }

    @Test
    void rangeSelectsHalfOpenInterval() {
        assertArrayEquals(new float[]{1, 10, 2, 20}, Positions.range(1, 3).select(RESIDUAL, 4, 2));
        assertArrayEquals(new int[]{6, 7}, Positions.range(1, 3).selectTokenIds(IDS));
    }

    @Test
    void meanAveragesAllRowsAndKeepsAllIds() {
        assertArrayEquals(new float[]{1.5f, 15f}, Positions.MEAN.select(RESIDUAL, 4, 2));
        assertArrayEquals(IDS, Positions.MEAN.selectTokenIds(IDS));
        assertEquals(1, Positions.MEAN.rows(4));
    }

    @Test
    void rangePastTheSequenceIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Positions.range(2, 6).select(RESIDUAL, 4, 2));
        assertTrue(e.getMessage().contains("reaches past the sequence of 4 tokens"), e.getMessage());
    }

    @Test
    void malformedTextIsRejectedNamingTheForms() {
        for (String bad : new String[]{"", "first:3", "last", "last:0", "last:x", "range:3:1", "range:1", "all:2",
                "range:-1:2"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Positions.parse(bad), bad);
            assertTrue(e.getMessage().contains("last:K") || e.getMessage().contains("needs"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Positions.parse(null));
    }

    @Test
    void wrongResidualSizeIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Positions.ALL.select(RESIDUAL, 3, 2));
    }
}
