package io.latentqa.trainer.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exact match, token F1, ROUGE-L and multiple choice against values worked out by hand. */
class AnswerMetricsTest {

    @Test
    void normalisationDropsCasePunctuationAndArticles() {
        assertEquals(List.of("pirate", "speaks"), AnswerMetrics.tokens("The  Pirate, speaks!"));
        assertEquals(1.0, AnswerMetrics.exactMatch("A pirate.", "pirate"));
        assertEquals(0.0, AnswerMetrics.exactMatch("a pirate captain", "pirate"));
    }

    @Test
    void tokenF1CountsSharedWordsOnce() {
        // prediction: [cat, sat, sat] ; reference: [cat, sat, on, mat] -> common 2 (sat counted once)
        // precision 2/3, recall 2/4 -> F1 = 2 * (2/3 * 1/2) / (2/3 + 1/2) = (2/3) / (7/6) = 4/7
        assertEquals(4.0 / 7.0, AnswerMetrics.tokenF1("the cat sat sat", "the cat sat on the mat"), 1e-12);
        assertEquals(0.0, AnswerMetrics.tokenF1("dog", "cat"));
        assertEquals(1.0, AnswerMetrics.tokenF1("", "the"));
        assertEquals(0.0, AnswerMetrics.tokenF1("", "cat"));
    }

    @Test
    void rougeLUsesTheLongestCommonSubsequence() {
        // prediction [police, killed, gunman], reference [police, kill, gunman]: LCS [police, gunman] = 2
        // P = 2/3, R = 2/3, F = 2/3
        assertEquals(2.0 / 3.0, AnswerMetrics.rougeL("police killed the gunman", "police kill the gunman"), 1e-12);
        // prediction [gunman, police, killed] vs reference [police, killed, gunman]: LCS [police, killed] = 2 -> 2/3
        assertEquals(2.0 / 3.0, AnswerMetrics.rougeL("the gunman police killed", "police killed the gunman"), 1e-12);
        // prediction [a1 b c d] vs [b d e]: words b, d in order -> LCS 2; P 2/4, R 2/3 -> F = 2*(1/2*2/3)/(1/2+2/3) = 4/7
        assertEquals(4.0 / 7.0, AnswerMetrics.rougeL("x b c d", "b d e"), 1e-12);
        assertEquals(1.0, AnswerMetrics.rougeL("Same words here.", "same words here"), 1e-12);
    }

    @Test
    void multipleChoiceNeedsTheTrueAnswerStrictlyFirst() {
        assertTrue(MultipleChoice.correct(new double[]{-1.0, -2.0, -3.0}, 0));
        assertFalse(MultipleChoice.correct(new double[]{-2.0, -1.0, -3.0}, 0));
        assertFalse(MultipleChoice.correct(new double[]{-1.0, -1.0}, 0), "a tie is not a right answer");
        // with activations the true answer loses (-5 < -4), but it gains most from them: -5+9 = 4 > -4+6 = 2
        double[] normalised = MultipleChoice.normalised(new double[]{-5, -4}, new double[]{-9, -6});
        assertEquals(4.0, normalised[0], 1e-12);
        assertEquals(2.0, normalised[1], 1e-12);
        assertTrue(MultipleChoice.correct(normalised, 0));
    }
}
