package io.latentqa.dataset.record;

import java.time.OffsetDateTime;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The hidden behaviour of one label: a system prompt or instruction (imports), or a story opening made from a
 * grammar (with the value of each attribute slot).
 *
 * @param id row id
 * @param label the label (unique)
 * @param kind goal, persona, sqa, story, ... (the label's first segment)
 * @param text the control text
 * @param source import or grammar
 * @param grammar the grammar's name, for grammar controls
 * @param attributes slot → value, for grammar controls
 * @param sourceFile for imports: the file the text came from
 * @param position for imports: where in that file
 * @param jobId the job that last wrote it
 * @param createdAt when it was first stored
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Control(long id, String label, String kind, String text, String source, String grammar,
        JsonNode attributes, String sourceFile, String position, String jobId, OffsetDateTime createdAt) {
}
