package io.latentqa.trainer.lit;

import io.latentqa.core.lit.LitExample;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.trainer.data.QaRecord;

import java.util.ArrayList;
import java.util.List;

/** Turns QA records into LIT examples with the model's own chat template (method doc §12). */
public final class LitExamples {

    private LitExamples() {
    }

    /**
     * Examples built from records, with the records they came from (same order).
     *
     * @param records  the records that could be built
     * @param examples one example per kept record
     * @param skipped  records that could not be built (a field their kind needs is empty, ...), with why
     */
    public record Built(List<QaRecord> records, List<LitExample> examples, List<String> skipped) {
    }

    /** Builds every record's example; records that cannot be built are listed, not thrown. */
    public static Built build(LitPromptBuilder builder, List<QaRecord> records) {
        List<QaRecord> kept = new ArrayList<>();
        List<LitExample> examples = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (QaRecord record : records) {
            try {
                examples.add(builder.build(record.record(), record.question(), record.answer()));
                kept.add(record);
            } catch (IllegalArgumentException | IllegalStateException e) {
                skipped.add(record.id() + ": " + e.getMessage());
            }
        }
        return new Built(kept, examples, skipped);
    }
}
