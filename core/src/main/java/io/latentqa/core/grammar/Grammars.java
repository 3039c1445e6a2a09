package io.latentqa.core.grammar;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.Optional;
import java.util.stream.Collectors;

/** The built-in grammars, by name. A new grammar is a class implementing {@link Grammar}, listed here. */
public final class Grammars {

    private static final List<Grammar> ALL = List.of(new StoryGrammar());
    /** Draws allowed per control wanted before the grammar is declared too small for the count. */
    static final int DRAWS_PER_CONTROL = 50;
    /** Consecutive draws that find nothing new before the grammar is declared exhausted. */
    static final int MAX_DRAWS_WITHOUT_NEW = 10_000;

    private Grammars() {
    }

    public static Optional<Grammar> byName(String name) {
        return ALL.stream().filter(grammar -> grammar.name().equals(name)).findFirst();
    }

    public static String allowed() {
        return ALL.stream().map(Grammar::name).collect(Collectors.joining(", "));
    }

    /**
     * Draws {@code count} distinct controls; a prefix of a longer draw with the same seed.
     *
     * @throws IllegalStateException if the grammar cannot make that many distinct controls
     */
    public static List<GrammarControl> drawDistinct(Grammar grammar, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, GrammarControl> drawn = new LinkedHashMap<>();
        long draws = 0;
        int sinceNew = 0;
        while (drawn.size() < count) {
            // give up when draws stop finding new combinations: the grammar is (nearly) exhausted
            if (++draws > (long) count * DRAWS_PER_CONTROL || sinceNew > MAX_DRAWS_WITHOUT_NEW) {
                throw new IllegalStateException("grammar " + grammar.name() + " made only " + drawn.size()
                        + " distinct controls in " + (draws - 1) + " draws; ask for fewer than " + count);
            }
            GrammarControl control = grammar.draw(random);
            sinceNew = drawn.putIfAbsent(control.label(), control) == null ? 0 : sinceNew + 1;
        }
        return new ArrayList<>(drawn.values());
    }
}
