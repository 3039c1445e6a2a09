package io.latentqa.core.tokenizer;

import java.util.Set;

/**
 * Text to token ids and back. {@link #encode} parses special tokens written in the text
 * ({@code <|im_start|>} is one id) and adds none: BOS and friends come from the chat template only.
 */
public interface Tokenizer {

    int[] encode(String text);

    String decode(int[] ids);

    /** The text of one token as the vocabulary spells it (for debugging and the ? placeholder check). */
    String token(int id);

    int vocabSize();

    /** Looks up a special or ordinary token by its exact vocabulary string; -1 if absent. */
    int idOf(String token);

    /** Ids that end generation (end of turn, end of text). */
    Set<Integer> stopTokens();
}
