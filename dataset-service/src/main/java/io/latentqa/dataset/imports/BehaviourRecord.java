package io.latentqa.dataset.imports;

import java.util.List;
import java.util.Map;

import io.latentqa.dataset.record.Message;
import io.latentqa.dataset.record.RecordKind;

/**
 * A valid record of a behaviour file (control, stimulus, stimulus_completion or system; method doc §1.2).
 *
 * @param file the file, relative to the data folder
 * @param index the record's index in the file's array
 * @param line line of its first character
 * @param column column of its first character
 * @param label its label
 * @param nthOfLabel how many records of the same label come before it in the file (its natural key)
 * @param kind decided by which fields are set, in the reference's order
 * @param fields the non-empty text fields
 */
public record BehaviourRecord(String file, int index, int line, int column, String label, int nthOfLabel,
        RecordKind kind, Map<String, String> fields) {

    /** @return the control as this record states it: the system prompt, or the first user turn */
    public String controlText() {
        return kind == RecordKind.SYSTEM ? fields.get("system") : fields.get("control_user");
    }

    /** @return the stimulus user turn, or null for a control record */
    public String stimulusText() {
        return fields.get("stimulus_user");
    }

    /** @return the read-side messages, in the reference's layout for this record kind (method doc §2.2) */
    public List<Message> messages() {
        return switch (kind) {
            case CONTROL -> List.of(Message.user(fields.get("control_user")));
            case STIMULUS -> List.of(Message.user(fields.get("control_user")), Message.assistant(fields.get("control_model")),
                    Message.user(fields.get("stimulus_user")));
            case STIMULUS_COMPLETION -> List.of(Message.user(fields.get("control_user")),
                    Message.assistant(fields.get("control_model")), Message.user(fields.get("stimulus_user")),
                    Message.assistant(fields.get("stimulus_model")));
            case SYSTEM -> List.of(Message.system(fields.get("system")), Message.user(fields.get("stimulus_user")));
            default -> throw new IllegalStateException("an imported record cannot be of kind " + kind);
        };
    }

    /**
     * @return which record's wording a label's control takes when several files carry the label: system prompts
     *         first, then bare controls, then the control turn of stimulus files
     */
    public int rank() {
        return switch (kind) {
            case SYSTEM -> 0;
            case CONTROL -> 1;
            case STIMULUS_COMPLETION -> 2;
            default -> 3;
        };
    }

    public String position() {
        return "index " + index + ", line " + line + ", column " + column;
    }
}
