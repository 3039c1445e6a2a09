package io.latentqa.core.lit;

import io.latentqa.core.tokenizer.ChatMessage;
import io.latentqa.core.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.List;

/**
 * The LatentQA layout for text models, which have no chat template and no turn tokens (stories260K and
 * its 512-token vocabulary: no newline piece, {@code ?} a token but {@code " ?"} not). The §12 rule is kept
 * with the turns made of BOS and EOS ids instead of template text:
 * <pre>
 * read:   BOS  contents joined by single spaces, a closing assistant continuation appended as written
 *         (as dataset-service prompts a text model and the model continued it, plus BOS)
 *         mask (USER or SYSTEM, two messages or more): [0, 1 + |first message|), the control
 * write:  BOS  ? ? … ?  · Sure, I've analyzed the assistant. EOS  · question  · answer EOS
 *         placeholders: the n '?' ids (written by id, one per vector); labels: both reflect
 *         segments and their EOS (training), the answer and its EOS (scoring); reading ends after the question
 * </pre>
 * "·" is a word boundary: each segment is tokenized alone with one leading space, so it comes out the same
 * in every example. Position 0 (BOS) is the sink and never shown; position 1, the first token of the
 * text, is the reference vector, so it should be a token every control starts with ("Once" for stories).
 */
final class TextLayout {

    private final Tokenizer tokenizer;
    private final int bos;
    private final int eos;
    private final int questionMark;
    private final boolean addsLeadingSpace;

    TextLayout(Tokenizer tokenizer, int bos, int eos) {
        this.tokenizer = tokenizer;
        this.bos = bos;
        this.eos = eos;
        this.questionMark = tokenizer.idOf("?");
        if (questionMark < 0) {
            throw new IllegalArgumentException("'?' is not a token of this vocabulary; the LIT placeholders need it");
        }
        // SentencePiece tokenizers (run.c, Llama 2) put a space before the text themselves
        this.addsLeadingSpace = tokenizer.encode(" a").length > tokenizer.encode("a").length;
    }

    int endOfTurnId() {
        return eos;
    }

    LitRead read(ReadPrompt prompt) {
        List<ChatMessage> messages = prompt.messages();
        int[] ids = withBos(tokenizer.encode(joined(messages)));
        if (ids.length < 2) {
            throw new IllegalArgumentException("the read prompt is empty; LIT needs at least one token after BOS");
        }
        if (prompt.mask() == MaskKind.NONE || messages.size() < 2) {
            return new LitRead(ids, null, LitPromptBuilder.shownPositions(null, ids.length));
        }
        int[] control = withBos(tokenizer.encode(messages.get(0).content()));
        if (control.length >= ids.length || !Arrays.equals(control, 0, control.length, ids, 0, control.length)) {
            throw new IllegalArgumentException("the first message does not tokenize the same alone as in the joined text,"
                    + " so the control cannot be masked; end it with a word, not a space");
        }
        // like a chat template's mask: the position after the span is what the reference vector stands for
        MaskSpan mask = new MaskSpan(0, control.length);
        return new LitRead(ids, mask, LitPromptBuilder.shownPositions(mask, ids.length));
    }

    /**
     * The text the model read, as dataset-service prompts a text model: the prompt messages (the opening, then
     * the story prompt if any) joined by single spaces; a closing assistant message is the continuation the
     * model wrote right after that prompt, so it follows with no separator.
     */
    static String joined(List<ChatMessage> messages) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage message = messages.get(i);
            boolean continuation = i == messages.size() - 1 && i > 0 && message.role().equals("assistant");
            text.append(i == 0 || continuation ? "" : " ").append(message.content());
        }
        return text.toString();
    }

    LitWrite write(int n, String question, String answer) {
        if (n < 1) {
            throw new IllegalArgumentException("the number of placeholders must be >= 1, got " + n);
        }
        if (question == null || question.isBlank()) {
            throw new IllegalArgumentException("a LatentQA write input needs a non-empty question");
        }
        int[] sure = append(segment(LitPromptBuilder.SURE_TEXT), eos);
        int[] asked = segment(question);
        int[] answered = answer == null ? new int[0] : append(segment(answer), eos);
        int[] ids = new int[1 + n + sure.length + asked.length + answered.length];
        ids[0] = bos;
        int[] placeholders = LitPromptBuilder.range(1, 1 + n);
        Arrays.fill(ids, 1, 1 + n, questionMark);
        int sureStart = 1 + n;
        System.arraycopy(sure, 0, ids, sureStart, sure.length);
        System.arraycopy(asked, 0, ids, sureStart + sure.length, asked.length);
        int answerStart = sureStart + sure.length + asked.length;
        System.arraycopy(answered, 0, ids, answerStart, answered.length);
        if (answer == null) {
            return new LitWrite(ids, placeholders, null, null, question, null);
        }
        int[] train = LitPromptBuilder.ignoredLabels(ids.length);
        int[] answerOnly = LitPromptBuilder.ignoredLabels(ids.length);
        System.arraycopy(ids, sureStart, train, sureStart, sure.length);
        System.arraycopy(ids, answerStart, train, answerStart, answered.length);
        System.arraycopy(ids, answerStart, answerOnly, answerStart, answered.length);
        return new LitWrite(ids, placeholders, train, answerOnly, question, answer);
    }

    /** The ids of a text as a word in running text: one leading space, tokenized alone. */
    private int[] segment(String text) {
        return tokenizer.encode(addsLeadingSpace ? text : " " + text);
    }

    private int[] withBos(int[] ids) {
        int[] out = new int[ids.length + 1];
        out[0] = bos;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    private static int[] append(int[] ids, int id) {
        int[] out = Arrays.copyOf(ids, ids.length + 1);
        out[ids.length] = id;
        return out;
    }
}
