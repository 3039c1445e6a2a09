package io.latentqa.dataset.job;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The kinds of job {@code POST /v1/jobs} accepts, by their wire name. */
public enum JobType {
    IMPORT_LATENTQA("import-latentqa", "import the LatentQA files into controls, dialogs and QA pairs"),
    GENERATE_CONTROLS("generate-controls", "structured controls from a grammar of attribute slots"),
    GENERATE_DIALOGS("generate-dialogs", "controls x stimuli completed by the target model through capture-service"),
    GENERATE_QA("generate-qa", "QA pairs for controls that have none, from templates or an LLM"),
    PAIR_STIMULI("pair-stimuli", "system dialogs of each control's prompt before other labels' user turns (counterfactual pairs)"),
    SPLIT("split", "assign every label to train, eval or test, deterministically by seed");

    private final String wireName;
    private final String description;

    JobType(String wireName, String description) {
        this.wireName = wireName;
        this.description = description;
    }

    public String wireName() {
        return wireName;
    }

    public String description() {
        return description;
    }

    public static Optional<JobType> fromWireName(String name) {
        return Arrays.stream(values()).filter(type -> type.wireName.equals(name)).findFirst();
    }

    /** @return the wire names, comma-separated, for error messages */
    public static String allowed() {
        return Arrays.stream(values()).map(JobType::wireName).collect(Collectors.joining(", "));
    }
}
