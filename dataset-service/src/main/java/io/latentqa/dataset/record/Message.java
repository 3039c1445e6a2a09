package io.latentqa.dataset.record;

/**
 * One turn of a dialog, as in OpenAI-style chat messages.
 *
 * @param role system, user or assistant
 * @param content the text
 */
public record Message(String role, String content) {

    public static Message system(String content) {
        return new Message("system", content);
    }

    public static Message user(String content) {
        return new Message("user", content);
    }

    public static Message assistant(String content) {
        return new Message("assistant", content);
    }
}
