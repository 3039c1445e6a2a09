package io.latentqa.dataset.record;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How a dialog is laid out, which tells the trainer what to mask (method doc §2.2). The first four are the
 * reference's record kinds; the last two are dialogs that generate-dialogs had the target model complete.
 */
public enum RecordKind {
    /** [user(control)]: the model is read while about to answer the instruction. Nothing is masked. */
    CONTROL("control"),
    /** [user(control), assistant(agreement), user(stimulus)]: the first two turns are masked. */
    STIMULUS("stimulus"),
    /** as stimulus, plus assistant(the reply that shows the behaviour). */
    STIMULUS_COMPLETION("stimulus_completion"),
    /** [system(control), user(stimulus)]: the system turn is masked. */
    SYSTEM("system"),
    /** [system(control), user(stimulus), assistant(the target's completion)]: the system turn is masked. */
    SYSTEM_COMPLETION("system_completion"),
    /**
     * A model without a chat template (stories260K): [user(control text, e.g. a story opening), user(stimulus,
     * when not empty), assistant(the model's continuation)]. The model saw the contents joined by single
     * spaces; the first message (the control) is masked.
     */
    TEXT_COMPLETION("text_completion");

    private final String wireName;

    RecordKind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<RecordKind> fromWireName(String name) {
        return Arrays.stream(values()).filter(kind -> kind.wireName.equals(name)).findFirst();
    }

    public static String allowed() {
        return Arrays.stream(values()).map(RecordKind::wireName).collect(Collectors.joining(", "));
    }
}
