package io.latentqa.core.lit;

import io.latentqa.core.tokenizer.ChatMessage;
import io.latentqa.core.tokenizer.ChatTemplate;
import io.latentqa.core.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a chat template marks turns in token ids (method doc §12): the turn-start token
 * ({@code <|im_start|>} for ChatML, {@code <|start_header_id|>} for Llama 3), the end-of-turn token
 * ({@code <|im_end|>}, {@code <|eot_id|>}), and the header of each role: the ids from the turn start up
 * to the first content token ({@code <|im_start|> user \n} for ChatML, {@code <|start_header_id|> user
 * <|end_header_id|> \n\n} for Llama 3).
 *
 * <p>{@link #detect} derives all three from the template itself, so any template that renders every role
 * the same way works without per-model constants.
 *
 * @param turnStartId  id of the token that opens every turn
 * @param endOfTurnId  id of the token that closes a turn's content
 * @param headers      role → header ids (starting with {@code turnStartId})
 */
public record TurnFormat(int turnStartId, int endOfTurnId, Map<String, int[]> headers) {

    /** One turn found in a token sequence. */
    public record Turn(int start, String role, int contentStart) {
    }

    /** Roles whose headers {@link #detect} derives, besides those passed in. */
    public static final List<String> STANDARD_ROLES = List.of("system", "user", "assistant");

    private static final String PROBE = "\u27e6LATENTQA-TURN-PROBE\u27e7";

    public TurnFormat {
        headers = Map.copyOf(headers);
    }

    /**
     * Derives the turn format from the template: renders an open {@code user} turn and takes the token
     * right before the role text as the turn start; renders a closed {@code user} turn and takes the first
     * token after its content as the end of turn; renders an open turn of each role for its header.
     *
     * @param extraRoles roles besides system/user/assistant, e.g. {@code reflect}
     * @throws IllegalArgumentException if the template does not write turns this way
     */
    public static TurnFormat detect(Tokenizer tokenizer, ChatTemplate template, Collection<String> extraRoles) {
        int turnStart = detectTurnStart(tokenizer, template);
        int endOfTurn = detectEndOfTurn(tokenizer, template);
        return withHeaders(tokenizer, template, turnStart, endOfTurn, extraRoles);
    }

    /**
     * A turn format with the turn-start and end-of-turn tokens given by their vocabulary strings (for
     * templates where detection fails); headers are still derived from the template.
     */
    public static TurnFormat of(Tokenizer tokenizer, ChatTemplate template, String turnStartToken,
                                String endOfTurnToken, Collection<String> extraRoles) {
        return withHeaders(tokenizer, template, requireToken(tokenizer, turnStartToken),
                requireToken(tokenizer, endOfTurnToken), extraRoles);
    }

    private static TurnFormat withHeaders(Tokenizer tokenizer, ChatTemplate template, int turnStart, int endOfTurn,
                                          Collection<String> extraRoles) {
        Set<String> roles = new LinkedHashSet<>(STANDARD_ROLES);
        roles.addAll(extraRoles);
        String startText = tokenizer.decode(new int[]{turnStart});
        Map<String, int[]> headers = new LinkedHashMap<>();
        for (String role : roles) {
            String open = template.renderOpenTurn(List.of(), role);
            int at = open.lastIndexOf(startText);
            if (at < 0) {
                throw new IllegalArgumentException("the open '" + role + "' turn of this template does not contain the"
                        + " turn-start token " + startText + ": " + abbreviate(open));
            }
            int[] header = tokenizer.encode(open.substring(at));
            if (header.length < 2 || header[0] != turnStart) {
                throw new IllegalArgumentException("the '" + role + "' header '" + open.substring(at)
                        + "' does not tokenize to the turn-start token followed by the role: " + Arrays.toString(header));
            }
            headers.put(role, header);
        }
        return new TurnFormat(turnStart, endOfTurn, headers);
    }

    /** The token right before the role text {@code user} at the end of an open user turn. */
    private static int detectTurnStart(Tokenizer tokenizer, ChatTemplate template) {
        int[] ids = tokenizer.encode(template.renderOpenTurn(List.of(), "user"));
        for (int i = ids.length - 2; i >= 0; i--) {
            String rest = tokenizer.decode(Arrays.copyOfRange(ids, i + 1, ids.length));
            if (rest.startsWith("user") && (rest.length() == 4 || !Character.isLetterOrDigit(rest.charAt(4)))) {
                return ids[i];
            }
        }
        throw new IllegalArgumentException("cannot find the turn-start token in this template's open user turn "
                + abbreviate(tokenizer.decode(ids)) + "; give it explicitly with TurnFormat.of");
    }

    /** The first token after the content of a closed user turn. */
    private static int detectEndOfTurn(Tokenizer tokenizer, ChatTemplate template) {
        String text = template.render(List.of(ChatMessage.user(PROBE)), false);
        int at = text.indexOf(PROBE);
        if (at < 0) {
            throw new IllegalArgumentException("this chat template does not write a user message's content");
        }
        int[] after = tokenizer.encode(text.substring(at + PROBE.length()));
        if (after.length == 0) {
            throw new IllegalArgumentException("this chat template writes nothing after a user message's content, so"
                    + " it has no end-of-turn token; give it explicitly with TurnFormat.of");
        }
        return after[0];
    }

    private static int requireToken(Tokenizer tokenizer, String token) {
        int id = tokenizer.idOf(token);
        if (id < 0) {
            throw new IllegalArgumentException("token '" + token + "' is not in the vocabulary");
        }
        return id;
    }

    /** The header ids of {@code role}; fails naming the known roles. */
    public int[] header(String role) {
        int[] header = headers.get(role);
        if (header == null) {
            throw new IllegalArgumentException("no header known for role '" + role + "' (known: " + headers.keySet()
                    + "); pass it as an extra role to TurnFormat.detect");
        }
        return header;
    }

    /**
     * The turns of a token sequence: every occurrence of the turn-start token, with the role whose header
     * starts there. When the whole header matches, {@code contentStart} is the first content token; when
     * only the header without its last token matches (the content's first token swallowed the header's
     * closing newline, e.g. content that starts with a newline), the role is known but {@code contentStart}
     * is -1. A turn start followed by no known header gets role {@code "?"} and content start -1.
     */
    public List<Turn> turns(int[] ids) {
        List<Turn> turns = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] != turnStartId) {
                continue;
            }
            String role = "?";
            int contentStart = -1;
            int best = 0;
            for (Map.Entry<String, int[]> entry : headers.entrySet()) {
                int[] header = entry.getValue();
                if (header.length > best && startsWith(ids, i, header, header.length)) {
                    role = entry.getKey();
                    contentStart = i + header.length;
                    best = header.length;
                }
            }
            if (contentStart < 0) {
                for (Map.Entry<String, int[]> entry : headers.entrySet()) {
                    int[] header = entry.getValue();
                    int prefix = Math.max(2, header.length - 1);
                    if (prefix > best && startsWith(ids, i, header, prefix)) {
                        role = entry.getKey();
                        best = prefix;
                    }
                }
            }
            turns.add(new Turn(i, role, contentStart));
        }
        return turns;
    }

    private static boolean startsWith(int[] ids, int at, int[] prefix, int length) {
        if (at + length > ids.length) {
            return false;
        }
        for (int k = 0; k < length; k++) {
            if (ids[at + k] != prefix[k]) {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(String text) {
        String oneLine = text.replace("\n", "\\n");
        return oneLine.length() <= 200 ? "'" + oneLine + "'" : "'…" + oneLine.substring(oneLine.length() - 200) + "'";
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof TurnFormat that) || turnStartId != that.turnStartId || endOfTurnId != that.endOfTurnId
                || !headers.keySet().equals(that.headers.keySet())) {
            return false;
        }
        return headers.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), that.headers.get(e.getKey())));
    }

    @Override
    public int hashCode() {
        return 31 * turnStartId + endOfTurnId;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("TurnFormat[start=" + turnStartId + ", end=" + endOfTurnId);
        headers.forEach((role, header) -> sb.append(", ").append(role).append('=').append(Arrays.toString(header)));
        return sb.append(']').toString();
    }
}
