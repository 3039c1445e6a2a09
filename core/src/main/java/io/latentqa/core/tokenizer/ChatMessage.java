package io.latentqa.core.tokenizer;

/** One chat turn: role ({@code system}, {@code user}, {@code assistant}, {@code reflect}, ...) and text. */
public record ChatMessage(String role, String content) {

    public ChatMessage {
        if (role == null || role.isBlank()) {
            throw new IllegalArgumentException("a chat message needs a role");
        }
        if (content == null) {
            throw new IllegalArgumentException("chat message content must not be null (role " + role + ")");
        }
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }
}
