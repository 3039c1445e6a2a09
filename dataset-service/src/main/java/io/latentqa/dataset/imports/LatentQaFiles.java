package io.latentqa.dataset.imports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.dataset.job.JobError;
import io.latentqa.dataset.record.RecordKind;

/**
 * Reads the LatentQA data files (method doc §1.2), record by record, keeping the position of each so that an
 * error can say where it is. Two shapes:
 * <ul>
 * <li>a <b>behaviour file</b> (control.json, stimulus*.json, stimulus_completion.json, system.json): a JSON array
 * of records with a {@code label} and text fields; the record kind is decided by which fields are set, in the
 * reference's order: {@code system} set → system; else {@code control_model} unset → control; else
 * {@code stimulus_model} unset → stimulus; else stimulus_completion;</li>
 * <li>a <b>QA file</b> (qa.json, any name starting with "qa"): a JSON object, label → list of [question, answer].</li>
 * </ul>
 * Unlike the reference, a field that is present but empty is an error rather than "unset", and so is a record
 * without a label: the reference would silently change its kind or fail later.
 */
public final class LatentQaFiles {

    /** The text fields of behaviour records; others (none in the published files) are ignored. */
    static final List<String> TEXT_FIELDS = List.of("system", "control_user", "control_model", "stimulus_user",
            "stimulus_model", "control_thought", "stimulus_thought");

    private final ObjectMapper json;

    public LatentQaFiles(ObjectMapper json) {
        this.json = json;
    }

    /** @return true when the file name says it is a QA file */
    public static boolean isQaFile(String relative) {
        String name = Path.of(relative).getFileName().toString();
        return name.startsWith("qa");
    }

    /**
     * @param root the data folder
     * @param relative the file, relative to it (forward slashes)
     */
    public ParsedFile read(Path root, String relative) {
        Path path = root.resolve(relative);
        boolean qa = isQaFile(relative);
        List<BehaviourRecord> records = new ArrayList<>();
        List<QaEntry> pairs = new ArrayList<>();
        List<JobError> errors = new ArrayList<>();
        if (!Files.isRegularFile(path)) {
            errors.add(JobError.inFile(relative, null, null, null, null, "file not found in the data folder " + root));
            return new ParsedFile(relative, qa, records, pairs, errors);
        }
        try (JsonParser parser = json.getFactory().createParser(path.toFile())) {
            if (qa) {
                readQa(parser, relative, pairs, errors);
            } else {
                readBehaviour(parser, relative, records, errors);
            }
            JsonToken trailing = parser.nextToken();
            if (trailing != null) {
                JsonLocation at = parser.currentTokenLocation();
                errors.add(JobError.inFile(relative, null, at.getLineNr(), at.getColumnNr(), null,
                        "unexpected content after the end of the top-level JSON value"));
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            errors.add(JobError.inFile(relative, null, at == null ? null : at.getLineNr(),
                    at == null ? null : at.getColumnNr(), null, "the file is not valid JSON (" + e.getOriginalMessage()
                            + "); none of its records is imported: fix the file and import again"));
            return new ParsedFile(relative, qa, List.of(), List.of(), errors);
        } catch (IOException e) {
            errors.add(JobError.inFile(relative, null, null, null, null, "cannot read the file: " + e.getMessage()));
            return new ParsedFile(relative, qa, List.of(), List.of(), errors);
        }
        return new ParsedFile(relative, qa, records, pairs, errors);
    }

    private void readBehaviour(JsonParser parser, String file, List<BehaviourRecord> records, List<JobError> errors)
            throws IOException {
        JsonToken first = parser.nextToken();
        if (first != JsonToken.START_ARRAY) {
            JsonLocation at = parser.currentTokenLocation();
            errors.add(JobError.inFile(file, null, at.getLineNr(), at.getColumnNr(), null, "a behaviour file must be a"
                    + " JSON array of records ({\"label\": ..., \"control_user\": ...}), found " + describe(first)
                    + (first == JsonToken.START_OBJECT ? "; QA files are recognised by a name starting with \"qa\"" : "")));
            parser.skipChildren();
            return;
        }
        Map<String, Integer> perLabel = new HashMap<>();
        int index = 0;
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken(), index++) {
            if (token == null) {
                throw new IllegalStateException("unreachable: the parser reports an unclosed array");
            }
            JsonLocation at = parser.currentTokenLocation();
            JsonNode node = json.readTree(parser);
            int line = at.getLineNr();
            int column = at.getColumnNr();
            String problem = null;
            String label = null;
            Map<String, String> fields = new LinkedHashMap<>();
            if (node == null || !node.isObject()) {
                problem = "a record must be a JSON object, found " + (node == null ? "nothing" : node.getNodeType());
            } else {
                JsonNode labelNode = node.get("label");
                if (labelNode == null || labelNode.isNull()) {
                    problem = "the record has no label; every record needs a \"label\" (kind-category-name) to join"
                            + " it to its QA pairs";
                } else if (!labelNode.isTextual()) {
                    problem = "the label must be a string, found " + labelNode.getNodeType();
                } else if (labelNode.asText().isBlank()) {
                    problem = "the label is empty";
                } else {
                    label = labelNode.asText().strip();
                    problem = readFields(node, fields);
                }
            }
            if (problem != null) {
                errors.add(JobError.inFile(file, index, line, column, label, problem));
                continue;
            }
            RecordKind kind = kindOf(fields);
            String missing = missingField(kind, fields);
            if (missing != null) {
                errors.add(JobError.inFile(file, index, line, column, label, "a " + kind.wireName() + " record needs a"
                        + " non-empty \"" + missing + "\" (the kind follows from which fields are set: system;"
                        + " else control_model unset → control; else stimulus_model unset → stimulus; else"
                        + " stimulus_completion)"));
                continue;
            }
            int nth = perLabel.merge(label, 1, Integer::sum) - 1;
            records.add(new BehaviourRecord(file, index, line, column, label, nth, kind, fields));
        }
    }

    /** @return an error message, or null when every known field present is a non-empty string */
    private static String readFields(JsonNode node, Map<String, String> fields) {
        for (String name : TEXT_FIELDS) {
            JsonNode value = node.get(name);
            if (value == null) {
                continue;
            }
            if (value.isNull() || (value.isTextual() && value.asText().isBlank())) {
                return "field \"" + name + "\" is empty: fill it, or leave it out if the record is of another kind";
            }
            if (!value.isTextual()) {
                return "field \"" + name + "\" must be a string, found " + value.getNodeType();
            }
            fields.put(name, value.asText());
        }
        return null;
    }

    /** The reference's order: system set → system; control_model unset → control; stimulus_model unset → stimulus. */
    static RecordKind kindOf(Map<String, String> fields) {
        if (fields.containsKey("system")) {
            return RecordKind.SYSTEM;
        }
        if (!fields.containsKey("control_model")) {
            return RecordKind.CONTROL;
        }
        if (!fields.containsKey("stimulus_model")) {
            return RecordKind.STIMULUS;
        }
        return RecordKind.STIMULUS_COMPLETION;
    }

    private static String missingField(RecordKind kind, Map<String, String> fields) {
        List<String> required = switch (kind) {
            case SYSTEM -> List.of("system", "stimulus_user");
            case CONTROL -> List.of("control_user");
            case STIMULUS -> List.of("control_user", "control_model", "stimulus_user");
            default -> List.of("control_user", "control_model", "stimulus_user", "stimulus_model");
        };
        return required.stream().filter(name -> !fields.containsKey(name)).findFirst().orElse(null);
    }

    private void readQa(JsonParser parser, String file, List<QaEntry> pairs, List<JobError> errors) throws IOException {
        JsonToken first = parser.nextToken();
        if (first != JsonToken.START_OBJECT) {
            JsonLocation at = parser.currentTokenLocation();
            errors.add(JobError.inFile(file, null, at.getLineNr(), at.getColumnNr(), null, "a QA file must be a JSON"
                    + " object {label: [[question, answer], ...]}, found " + describe(first)));
            parser.skipChildren();
            return;
        }
        Set<String> seen = new HashSet<>();
        for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
            String rawLabel = parser.currentName();
            JsonLocation labelAt = parser.currentTokenLocation();
            String label = rawLabel.strip();
            JsonToken value = parser.nextToken();
            JsonLocation valueAt = parser.currentTokenLocation();
            if (label.isEmpty()) {
                errors.add(JobError.inFile(file, null, labelAt.getLineNr(), labelAt.getColumnNr(), null,
                        "a label (object key) is empty"));
                parser.skipChildren();
                continue;
            }
            if (!seen.add(label)) {
                errors.add(JobError.inFile(file, null, labelAt.getLineNr(), labelAt.getColumnNr(), label,
                        "the label appears twice in the file; merge its QA pairs into one list"));
                parser.skipChildren();
                continue;
            }
            if (value != JsonToken.START_ARRAY) {
                errors.add(JobError.inFile(file, null, valueAt.getLineNr(), valueAt.getColumnNr(), label,
                        "the QA pairs of a label must be a JSON array of [question, answer], found " + describe(value)));
                parser.skipChildren();
                continue;
            }
            int index = 0;
            for (JsonToken element = parser.nextToken(); element != JsonToken.END_ARRAY; element = parser.nextToken(),
                    index++) {
                JsonLocation at = parser.currentTokenLocation();
                JsonNode pair = json.readTree(parser);
                String problem = pairProblem(pair);
                if (problem != null) {
                    errors.add(JobError.inFile(file, index, at.getLineNr(), at.getColumnNr(), label, problem));
                    continue;
                }
                pairs.add(new QaEntry(file, label, index, at.getLineNr(), at.getColumnNr(), pair.get(0).asText(),
                        pair.get(1).asText()));
            }
        }
    }

    private static String pairProblem(JsonNode pair) {
        if (pair == null || !pair.isArray() || pair.size() != 2) {
            return "a QA pair must be a JSON array of two strings [question, answer], found "
                    + (pair == null ? "nothing" : pair.toString().length() > 80 ? pair.getNodeType() : pair.toString());
        }
        for (int i = 0; i < 2; i++) {
            String what = i == 0 ? "question" : "answer";
            if (!pair.get(i).isTextual()) {
                return "the " + what + " must be a string, found " + pair.get(i).getNodeType();
            }
            if (pair.get(i).asText().isBlank()) {
                return "the " + what + " is empty";
            }
        }
        return null;
    }

    private static String describe(JsonToken token) {
        if (token == null) {
            return "an empty file";
        }
        return switch (token) {
            case START_OBJECT -> "a JSON object";
            case START_ARRAY -> "a JSON array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            default -> token.asString() == null ? token.name() : token.asString();
        };
    }
}
