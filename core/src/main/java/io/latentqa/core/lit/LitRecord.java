package io.latentqa.core.lit;

import io.latentqa.core.tokenizer.ChatMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One LatentQA behaviour record (method doc §1.2), with the data files' field names. A missing field is
 * the empty string. Reasoning "thought" fields are not carried: they are never used for chat models.
 *
 * @param system        {@code system}: the control placed in a system prompt (system kind)
 * @param controlUser   {@code control_user}: the instruction
 * @param controlModel  {@code control_model}: the model's agreement (stimulus kinds)
 * @param stimulusUser  {@code stimulus_user}: the neutral user message
 * @param stimulusModel {@code stimulus_model}: the reply showing the behaviour (stimulus_completion kind)
 * @param label         {@code label}: the join key into {@code qa.json}
 */
public record LitRecord(String system, String controlUser, String controlModel, String stimulusUser,
                        String stimulusModel, String label) {

    public LitRecord {
        system = orEmpty(system);
        controlUser = orEmpty(controlUser);
        controlModel = orEmpty(controlModel);
        stimulusUser = orEmpty(stimulusUser);
        stimulusModel = orEmpty(stimulusModel);
        label = orEmpty(label);
    }

    /**
     * A record from a parsed JSON object with the data files' field names ({@code system},
     * {@code control_user}, {@code control_model}, {@code stimulus_user}, {@code stimulus_model},
     * {@code label}); other fields are ignored, missing ones are empty.
     */
    public static LitRecord fromJson(Map<String, ?> json) {
        return new LitRecord(text(json, "system"), text(json, "control_user"), text(json, "control_model"),
                text(json, "stimulus_user"), text(json, "stimulus_model"), text(json, "label"));
    }

    /** The record kind, decided by which fields are non-empty (method doc §1.2). */
    public RecordKind kind() {
        if (!system.isEmpty()) {
            return stimulusModel.isEmpty() ? RecordKind.SYSTEM : RecordKind.SYSTEM_COMPLETION;
        }
        if (controlModel.isEmpty()) {
            return stimulusModel.isEmpty() ? RecordKind.CONTROL : RecordKind.TEXT_COMPLETION;
        }
        if (stimulusModel.isEmpty()) {
            return RecordKind.STIMULUS;
        }
        return RecordKind.STIMULUS_COMPLETION;
    }

    /**
     * The read prompt of this record (method doc §2.2 table, with the §12 rules):
     * <pre>
     * kind                 messages                                                  gen. prompt  mask
     * system               system(system), user(stimulus_user)                       yes          SYSTEM
     * system_completion    ... as system, then assistant(stimulus_model)             no           SYSTEM
     * control              user(control_user)                                        yes          USER (masks nothing)
     * text_completion      user(control_user), [user(stimulus_user)], assistant(stimulus_model)  no   USER
     * stimulus             user(control_user), assistant(control_model), user(stimulus_user)          yes  USER
     * stimulus_completion  ... as stimulus, then assistant(stimulus_model)                            no   USER
     * </pre>
     *
     * @throws IllegalArgumentException if a field the kind needs is empty
     */
    public ReadPrompt readPrompt() {
        RecordKind kind = kind();
        return switch (kind) {
            case SYSTEM -> new ReadPrompt(List.of(
                    ChatMessage.system(system),
                    ChatMessage.user(require(stimulusUser, "stimulus_user", kind))), true, MaskKind.SYSTEM);
            case SYSTEM_COMPLETION -> new ReadPrompt(List.of(
                    ChatMessage.system(system),
                    ChatMessage.user(require(stimulusUser, "stimulus_user", kind)),
                    ChatMessage.assistant(stimulusModel)), false, MaskKind.SYSTEM);
            case CONTROL -> new ReadPrompt(List.of(
                    ChatMessage.user(require(controlUser, "control_user", kind))), true, MaskKind.USER);
            case TEXT_COMPLETION -> new ReadPrompt(textCompletion(), false, MaskKind.USER);
            case STIMULUS -> new ReadPrompt(List.of(
                    ChatMessage.user(require(controlUser, "control_user", kind)),
                    ChatMessage.assistant(controlModel),
                    ChatMessage.user(require(stimulusUser, "stimulus_user", kind))), true, MaskKind.USER);
            case STIMULUS_COMPLETION -> new ReadPrompt(List.of(
                    ChatMessage.user(require(controlUser, "control_user", kind)),
                    ChatMessage.assistant(controlModel),
                    ChatMessage.user(require(stimulusUser, "stimulus_user", kind)),
                    ChatMessage.assistant(stimulusModel)), false, MaskKind.USER);
        };
    }

    /**
     * This record's visible user turn under the hidden control of {@code other} (its system prompt, or its control
     * turn and reply): the swapped read of the fidelity check. Only for kinds whose control is masked and that end
     * before the target's reply (SYSTEM, STIMULUS); null for the others, whose reply was written under this
     * record's own control.
     */
    public LitRecord withControlOf(LitRecord other) {
        return switch (kind()) {
            case SYSTEM -> new LitRecord(other.system, "", "", stimulusUser, "", label);
            case STIMULUS -> new LitRecord("", other.controlUser, other.controlModel, stimulusUser, "", label);
            default -> null;
        };
    }

    /** The text model's prompt (the control, then the story prompt if any) and its continuation. */
    private List<ChatMessage> textCompletion() {
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(ChatMessage.user(require(controlUser, "control_user", RecordKind.TEXT_COMPLETION)));
        if (!stimulusUser.isEmpty()) {
            messages.add(ChatMessage.user(stimulusUser));
        }
        messages.add(ChatMessage.assistant(stimulusModel));
        return messages;
    }

    private String require(String value, String field, RecordKind kind) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException("a " + kind.name().toLowerCase() + " record needs a non-empty "
                    + field + " (label '" + label + "')");
        }
        return value;
    }

    private static String text(Map<String, ?> json, String field) {
        Object value = json.get(field);
        return value == null ? "" : value.toString();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
