package io.latentqa.dataset.record;

import java.time.OffsetDateTime;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One read-side record: the messages the target model is read on, laid out as its {@link RecordKind} says.
 *
 * @param id row id
 * @param naturalKey what makes a re-import or a resumed job find the same row
 * @param label the label, which joins it to QA pairs
 * @param kind goal, persona, sqa, story, ...
 * @param recordKind control, stimulus, stimulus_completion, system, system_completion or text_completion
 * @param control the control text as this record states it
 * @param stimulus the stimulus (user turn or story prompt), if any
 * @param messages the dialog: [{role, content}...]
 * @param source import, grammar (the control record of a grammar control), capture (completed by the target) or
 *        pairing (a control before another label's user turn, {@code pair-stimuli})
 * @param sourceFile for imports: the file, relative to the data folder
 * @param position for imports: where in the file
 * @param modelId for captures: the target model
 * @param modelDigest for captures: digest of its weights
 * @param settings for captures: the generation settings
 * @param activationEventId for captures: the activation event of this dialog, when capture-service sent one
 * @param jobId the job that wrote it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Dialog(long id, String naturalKey, String label, String kind, String recordKind, String control,
        String stimulus, JsonNode messages, String source, String sourceFile, String position, String modelId,
        String modelDigest, JsonNode settings, String activationEventId, String jobId, OffsetDateTime createdAt) {

    /** A dialog to write (no id yet). */
    public static Dialog toWrite(String naturalKey, String label, String kind, RecordKind recordKind, String control,
            String stimulus, JsonNode messages, String source, String sourceFile, String position, String jobId) {
        return new Dialog(0, naturalKey, label, kind, recordKind.wireName(), control, stimulus, messages, source,
                sourceFile, position, null, null, null, null, jobId, null);
    }

    /** This dialog with what capture-service said about the completion. */
    public Dialog withCapture(String modelId, String modelDigest, JsonNode settings, String activationEventId) {
        return new Dialog(id, naturalKey, label, kind, recordKind, control, stimulus, messages, source, sourceFile,
                position, modelId, modelDigest, settings, activationEventId, jobId, createdAt);
    }
}
