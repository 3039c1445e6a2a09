package io.latentqa.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FlagsTest {

    private final Flags flags = new Flags("eval");

    @Test
    void valuesAreParsed() {
        assertEquals("runs/a", flags.value("--out", "runs/a"));
        assertEquals(-7, flags.integer("--items", "-7"));
        assertEquals(Integer.MAX_VALUE, flags.integer("--items", "2147483647"));
        assertEquals(10_000_000_000L, flags.longInteger("--seed", "10000000000"));
        assertEquals(1e-3, flags.decimal("--lr", "1e-3"));
    }

    @Test
    void aMissingValueSaysWhichFlagNeedsOne() {
        assertUsage("eval: --items needs a value", () -> flags.integer("--items", null));
        assertUsage("eval: --out needs a value", () -> flags.value("--out", null));
    }

    @Test
    void aMalformedNumberSaysWhatWasGiven() {
        assertUsage("eval: --items needs a whole number, got '2.5'", () -> flags.integer("--items", "2.5"));
        assertUsage("eval: --items needs a whole number up to 2147483647, got '2147483648'",
                () -> flags.integer("--items", "2147483648"));
        assertUsage("eval: --seed needs a whole number, got '99999999999999999999'",
                () -> flags.longInteger("--seed", "99999999999999999999"));
        assertUsage("eval: --lr needs a number, got 'fast'", () -> flags.decimal("--lr", "fast"));
    }

    private static void assertUsage(String expected, Runnable parse) {
        assertEquals(expected, assertThrows(Flags.UsageException.class, parse::run).getMessage());
    }
}
