package io.latentqa.core.lit;

/**
 * The four kinds of LatentQA behaviour records (method doc §1.2), decided by which fields are non-empty,
 * in this order: {@code system} set → {@link #SYSTEM}; else {@code control_model} empty → {@link #CONTROL};
 * else {@code stimulus_model} empty → {@link #STIMULUS}; else {@link #STIMULUS_COMPLETION}.
 */
public enum RecordKind {
    SYSTEM, CONTROL, STIMULUS, STIMULUS_COMPLETION
}
