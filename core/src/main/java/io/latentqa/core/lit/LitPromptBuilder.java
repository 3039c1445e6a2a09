package io.latentqa.core.lit;

import io.latentqa.core.tokenizer.ChatMessage;
import io.latentqa.core.tokenizer.ChatTemplate;
import io.latentqa.core.tokenizer.Llama2cTokenizer;
import io.latentqa.core.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds LatentQA examples for any chat template (method doc §12; §2–3 for Llama 3): the read ids and
 * which read vectors are shown, the decoder's write ids with {@code n} {@code ?} placeholders, and the
 * loss labels. Used by training (labels {@link LabelKind#TRAIN}), scoring and steering
 * ({@link LabelKind#ANSWER_ONLY}) and reading (open write input, no answer).
 *
 * <p>Read side: the read messages are rendered with the model's own template (generation prompt as
 * asked) and tokenized with special tokens parsed and none added. Position 0 (BOS, or the first turn
 * start in ChatML) is the attention sink and never shown; position 1 is the constant reference vector.
 * Shown positions: {@code [1, maskEnd+1, …, L−1]} when masked, {@code [1, …, L−1]} when not; n is their
 * number.
 *
 * <p>Write side: messages {@code user: "? ? … ?"} (n marks joined by single spaces),
 * {@code reflect: "Sure, I've analyzed the assistant."}, {@code user: question}, then {@code reflect:
 * answer} (training, scoring) or the open {@code reflect} turn (reading). Placeholders are the {@code ?}
 * tokens of the first user turn, found from the ids. Training labels cover every {@code reflect} turn's
 * content and its end-of-turn token; answer-only labels the last {@code reflect} turn.
 *
 * <p>Text models, which have no chat template, get the same construction with BOS and EOS ids as turn
 * marks ({@link #forTextModel}, {@link TextLayout}).
 *
 * <p>Thread-safe if the tokenizer is (the builder holds no mutable state).
 */
public final class LitPromptBuilder {

    /** The decoder's role name instead of {@code assistant} (method doc §2.3). */
    public static final String DECODER_ROLE = "reflect";
    /** The decoder's fixed first reply. */
    public static final String SURE_TEXT = "Sure, I've analyzed the assistant.";
    /** The read position whose vector stands for the masked span (method doc §3.3, §12). */
    public static final int REFERENCE_POSITION = 1;

    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final TurnFormat turns;
    private final int questionMarkId;       // "?"
    private final int spacedQuestionMarkId; // " ?"
    private final TextLayout text;          // text models only; null for chat templates

    /**
     * A builder with a given turn format.
     *
     * @throws IllegalArgumentException if {@code ?} or {@code " ?"} is not one token on this tokenizer
     */
    public LitPromptBuilder(Tokenizer tokenizer, ChatTemplate template, TurnFormat turns) {
        this.tokenizer = tokenizer;
        this.template = template;
        this.turns = turns;
        turns.header(DECODER_ROLE); // fails early if the reflect header is unknown
        this.questionMarkId = singleToken("?");
        this.spacedQuestionMarkId = singleToken(" ?");
        this.text = null;
    }

    private LitPromptBuilder(TextLayout text) {
        this.tokenizer = null;
        this.template = null;
        this.turns = null;
        this.questionMarkId = -1;
        this.spacedQuestionMarkId = -1;
        this.text = text;
    }

    /**
     * A builder whose turn format is detected from the template (see {@link TurnFormat#detect}); for a
     * llama2.c text model (template null) the text layout with its BOS and EOS.
     */
    public static LitPromptBuilder create(Tokenizer tokenizer, ChatTemplate template) {
        if (template == null) {
            if (tokenizer instanceof Llama2cTokenizer) {
                return forTextModel(tokenizer, Llama2cTokenizer.BOS, Llama2cTokenizer.EOS);
            }
            throw new IllegalArgumentException("the model has no chat template; give its BOS and EOS ids to"
                    + " LitPromptBuilder.forTextModel");
        }
        return new LitPromptBuilder(tokenizer, template, TurnFormat.detect(tokenizer, template, List.of(DECODER_ROLE)));
    }

    /**
     * A builder for a text model (no chat template): turns marked by the BOS and EOS ids (see
     * {@link TextLayout}).
     */
    public static LitPromptBuilder forTextModel(Tokenizer tokenizer, int bosId, int eosId) {
        return new LitPromptBuilder(new TextLayout(tokenizer, bosId, eosId));
    }

    /** The turn format of the chat template. @throws IllegalStateException for a text model */
    public TurnFormat turnFormat() {
        if (turns == null) {
            throw new IllegalStateException("a text model has no chat turn format");
        }
        return turns;
    }

    /** The token that ends a decoder answer (the template's end of turn; EOS for a text model). */
    public int endOfTurnId() {
        return text != null ? text.endOfTurnId() : turns.endOfTurnId();
    }

    // ----------------------------------------------------------------------------------------------
    // whole examples

    /**
     * One example.
     *
     * @param answer the answer, or null for a reading input (ends with the open reflect turn, no labels)
     */
    public LitExample build(ReadPrompt prompt, String question, String answer) {
        LitRead read = read(prompt);
        return new LitExample(read, write(read.vectorCount(), question, answer));
    }

    /** One example from read messages, generation-prompt flag and mask kind. */
    public LitExample build(List<ChatMessage> readMessages, boolean generationPrompt, MaskKind mask,
                            String question, String answer) {
        return build(new ReadPrompt(readMessages, generationPrompt, mask), question, answer);
    }

    /** One training example from a LatentQA data record and one of its QA pairs. */
    public LitExample build(LitRecord record, String question, String answer) {
        if (text == null && record.kind() == RecordKind.TEXT_COMPLETION) {
            throw new IllegalArgumentException("record '" + record.label() + "' is a text_completion (a text model's"
                    + " continuation), but this model has a chat template; its completions are system_completion records");
        }
        return build(record.readPrompt(), question, answer);
    }

    // ----------------------------------------------------------------------------------------------
    // read side

    /**
     * The read ids, mask span and shown positions of a read prompt.
     *
     * @throws IllegalArgumentException if the mask kind needs turns the prompt does not have
     */
    public LitRead read(ReadPrompt prompt) {
        if (text != null) {
            return text.read(prompt);
        }
        int[] ids = tokenizer.encode(template.render(prompt.messages(), prompt.generationPrompt()));
        int length = ids.length;
        if (length < 2) {
            throw new IllegalArgumentException("the read prompt has " + length + " tokens; LIT needs at least 2"
                    + " (position 0 is never shown)");
        }
        MaskSpan mask = maskSpan(ids, prompt.mask());
        return new LitRead(ids, mask, shownPositions(mask, length));
    }

    /** The read positions shown: {@code [1, …, L−1]} unmasked, {@code [1, maskEnd+1, …, L−1]} masked. */
    static int[] shownPositions(MaskSpan mask, int length) {
        if (mask == null) {
            return range(REFERENCE_POSITION, length);
        }
        // the turn start right after the span is shown as the reference vector; everything before is dropped
        int[] after = range(mask.end() + 1, length);
        int[] shown = new int[after.length + 1];
        shown[0] = REFERENCE_POSITION;
        System.arraycopy(after, 0, shown, 1, after.length);
        return shown;
    }

    private MaskSpan maskSpan(int[] ids, MaskKind kind) {
        if (kind == MaskKind.NONE) {
            return null;
        }
        List<TurnFormat.Turn> found = turns.turns(ids);
        List<TurnFormat.Turn> users = found.stream().filter(t -> t.role().equals("user")).toList();
        if (kind == MaskKind.USER) {
            // control kind: a single user turn, nothing to mask
            return users.size() < 2 ? null : new MaskSpan(users.get(0).start(), users.get(1).start());
        }
        TurnFormat.Turn system = found.stream().filter(t -> t.role().equals("system")).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("mask kind SYSTEM but the read prompt has no system turn"
                        + " (roles found: " + roles(found) + ")"));
        TurnFormat.Turn user = users.stream().filter(t -> t.start() > system.start()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("mask kind SYSTEM needs a user turn after the system"
                        + " turn (roles found: " + roles(found) + ")"));
        return new MaskSpan(system.start(), user.start());
    }

    // ----------------------------------------------------------------------------------------------
    // write side

    /** The placeholder content: n question marks joined by single spaces. */
    public static String placeholderText(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("the number of placeholders must be >= 1, got " + n);
        }
        StringBuilder sb = new StringBuilder(2 * n);
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "?" : " ?");
        }
        return sb.toString();
    }

    /** The decoder messages before the answer: placeholders, the fixed reply, the question. */
    public static List<ChatMessage> writeMessages(int n, String question) {
        if (question == null || question.isBlank()) {
            throw new IllegalArgumentException("a LatentQA write input needs a non-empty question");
        }
        return List.of(ChatMessage.user(placeholderText(n)), new ChatMessage(DECODER_ROLE, SURE_TEXT),
                ChatMessage.user(question));
    }

    /**
     * The write input for n vectors.
     *
     * @param answer the answer (training, scoring: labels filled), or null (reading: the ids end with the
     *               open reflect turn; no labels)
     * @throws IllegalStateException if the placeholders do not come out as n single tokens
     */
    public LitWrite write(int n, String question, String answer) {
        if (text != null) {
            return text.write(n, question, answer);
        }
        checkPlaceholderTokenization(n);
        List<ChatMessage> messages = new ArrayList<>(writeMessages(n, question));
        String text;
        if (answer == null) {
            text = template.renderOpenTurn(messages, DECODER_ROLE);
        } else {
            messages.add(new ChatMessage(DECODER_ROLE, answer));
            text = template.render(messages, false);
        }
        int[] ids = tokenizer.encode(text);
        List<TurnFormat.Turn> found = turns.turns(ids);
        int[] placeholders = placeholderPositions(ids, found, n);
        if (answer == null) {
            return new LitWrite(ids, placeholders, null, null, question, null);
        }
        List<TurnFormat.Turn> reflects = found.stream().filter(t -> t.role().equals(DECODER_ROLE)).toList();
        if (reflects.size() != 2) {
            throw new IllegalStateException("expected 2 '" + DECODER_ROLE + "' turns in the write input, found "
                    + reflects.size() + " (roles: " + roles(found) + ")");
        }
        int[] train = ignoredLabels(ids.length);
        int[] answerOnly = ignoredLabels(ids.length);
        for (int r = 0; r < reflects.size(); r++) {
            int from = reflects.get(r).contentStart();
            if (from < 0) {
                throw new IllegalStateException("the header of the '" + DECODER_ROLE + "' turn at " + reflects.get(r).start()
                        + " tokenizes differently in context than alone (" + tokenizer.decode(Arrays.copyOfRange(ids,
                        reflects.get(r).start(), Math.min(ids.length, reflects.get(r).start() + 6)))
                        + "…), so its content cannot be located; does the text start with whitespace?");
            }
            int to = endOfTurn(ids, from); // inclusive
            for (int t = from; t <= to; t++) {
                train[t] = ids[t];
                if (r == reflects.size() - 1) {
                    answerOnly[t] = ids[t];
                }
            }
        }
        return new LitWrite(ids, placeholders, train, answerOnly, question, answer);
    }

    /** Positions of the n {@code ?} tokens of the first user turn. */
    private int[] placeholderPositions(int[] ids, List<TurnFormat.Turn> found, int n) {
        int first = -1;
        for (int k = 0; k < found.size(); k++) {
            if (found.get(k).role().equals("user")) {
                first = k;
                break;
            }
        }
        if (first < 0) {
            throw new IllegalStateException("the write input has no user turn (roles: " + roles(found) + ")");
        }
        int from = found.get(first).start() + 1;
        int to = first + 1 < found.size() ? found.get(first + 1).start() : ids.length;
        int[] positions = new int[n];
        int count = 0;
        for (int t = from; t < to; t++) {
            if (ids[t] == questionMarkId || ids[t] == spacedQuestionMarkId) {
                if (count == n) {
                    count++;
                    break;
                }
                positions[count++] = t;
            }
        }
        if (count != n) {
            throw new IllegalStateException("found " + count + " placeholder tokens in the first user turn of the write"
                    + " input, expected exactly " + n + " (the template or tokenizer changed the placeholder text)");
        }
        return positions;
    }

    /** Index of the first end-of-turn token at or after {@code from}. */
    private int endOfTurn(int[] ids, int from) {
        for (int t = from; t < ids.length; t++) {
            if (ids[t] == turns.endOfTurnId()) {
                return t;
            }
            if (ids[t] == turns.turnStartId()) {
                break;
            }
        }
        throw new IllegalStateException("the '" + DECODER_ROLE + "' turn starting at " + from
                + " has no end-of-turn token " + tokenizer.token(turns.endOfTurnId()) + " before the next turn");
    }

    private void checkPlaceholderTokenization(int n) {
        String text = placeholderText(n);
        int[] ids = tokenizer.encode(text);
        boolean ok = ids.length == n;
        for (int i = 0; ok && i < n; i++) {
            ok = ids[i] == (i == 0 ? questionMarkId : spacedQuestionMarkId);
        }
        if (!ok) {
            throw new IllegalStateException("the placeholder string '" + abbreviate(text) + "' does not tokenize to one"
                    + " token per '?' on this tokenizer (" + n + " marks, " + ids.length + " tokens: "
                    + abbreviate(Arrays.toString(ids)) + "); LIT needs one placeholder token per vector");
        }
    }

    private int singleToken(String text) {
        int[] ids = tokenizer.encode(text);
        if (ids.length != 1) {
            throw new IllegalArgumentException("'" + text + "' does not tokenize to one token on this tokenizer ("
                    + Arrays.toString(ids) + "); the LIT placeholders need '?' and ' ?' to be single tokens");
        }
        return ids[0];
    }

    static int[] ignoredLabels(int length) {
        int[] labels = new int[length];
        Arrays.fill(labels, LitWrite.IGNORE);
        return labels;
    }

    static int[] range(int from, int to) {
        int[] out = new int[Math.max(0, to - from)];
        for (int i = 0; i < out.length; i++) {
            out[i] = from + i;
        }
        return out;
    }

    private static List<String> roles(List<TurnFormat.Turn> found) {
        return found.stream().map(t -> t.role() + "@" + t.start()).toList();
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
