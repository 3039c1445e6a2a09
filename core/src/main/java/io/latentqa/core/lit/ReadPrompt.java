package io.latentqa.core.lit;

import io.latentqa.core.tokenizer.ChatMessage;

import java.util.List;

/**
 * What the target model reads: a dialog, whether it ends with the assistant's generation prompt, and what
 * to mask (method doc §2.2 / §12).
 *
 * @param messages         the dialog, rendered with the model's own chat template
 * @param generationPrompt whether the rendered text ends with the open assistant turn
 * @param mask             which part is hidden from the decoder
 */
public record ReadPrompt(List<ChatMessage> messages, boolean generationPrompt, MaskKind mask) {

    public ReadPrompt {
        if (messages == null || messages.isEmpty()) {
            throw new IllegalArgumentException("a read prompt needs at least one message");
        }
        messages = List.copyOf(messages);
        if (mask == null) {
            throw new IllegalArgumentException("mask kind must not be null (use MaskKind.NONE)");
        }
    }

    /** An unmasked prompt: what reading, steering and scoring use. */
    public static ReadPrompt unmasked(List<ChatMessage> messages, boolean generationPrompt) {
        return new ReadPrompt(messages, generationPrompt, MaskKind.NONE);
    }

    /**
     * The reading dialogs of method doc §5: 1 turn → user + generation prompt; 2 turns → user, assistant;
     * 3 turns → user, assistant, user + generation prompt. In general: generation prompt iff the last
     * message is not the assistant's. Unmasked.
     */
    public static ReadPrompt forReading(List<ChatMessage> messages) {
        boolean open = !messages.isEmpty() && !"assistant".equals(messages.get(messages.size() - 1).role());
        return unmasked(messages, open);
    }
}
