package io.latentqa.dataset.record;

import java.time.OffsetDateTime;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One training or evaluation example: a dialog of a label joined with one QA pair of that label (method doc
 * §1.2: every record of a label pairs with every QA pair of the label). A row of the view {@code qa_records}.
 *
 * @param id "&lt;dialogId&gt;:&lt;qaId&gt;", stable
 * @param dialogId the dialog
 * @param qaId the QA pair
 * @param label the label
 * @param kind goal, persona, sqa, story, ...
 * @param recordKind how the dialog is laid out (what to mask): control, stimulus, stimulus_completion, system,
 *        system_completion, text_completion
 * @param control the control text
 * @param dialog the messages the target is read on: [{role, content}...]
 * @param question the question about the activations
 * @param answer the answer the decoder learns
 * @param split train, eval or test; null until a split job assigned the label
 * @param source where the QA pair came from: import, template or llm
 * @param jobId the job that wrote the QA pair
 * @param dialogSource where the dialog came from: import, grammar, capture or pairing
 * @param dialogJobId the job that wrote the dialog
 * @param modelId for captured dialogs: the target model that completed it
 * @param createdAt the later of the dialog's and the pair's creation
 */
public record QaRecord(String id, long dialogId, long qaId, String label, String kind, String recordKind,
        String control, JsonNode dialog, String question, String answer, String split, String source, String jobId,
        String dialogSource, String dialogJobId, String modelId, OffsetDateTime createdAt) {
}
