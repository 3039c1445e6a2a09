package io.latentqa.dataset.generate;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** The built-in grammars, by name. A new grammar is a class implementing {@link Grammar}, listed here. */
public final class Grammars {

    private static final List<Grammar> ALL = List.of(new StoryGrammar());

    private Grammars() {
    }

    public static Optional<Grammar> byName(String name) {
        return ALL.stream().filter(grammar -> grammar.name().equals(name)).findFirst();
    }

    public static String allowed() {
        return ALL.stream().map(Grammar::name).collect(Collectors.joining(", "));
    }
}
