package io.latentqa.dataset.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.dataset.job.JobError;
import io.latentqa.dataset.record.Message;
import io.latentqa.dataset.record.RecordKind;

/** Plain JUnit: reading LatentQA files, without the service. */
class LatentQaFilesTest {

    final LatentQaFiles files = new LatentQaFiles(new ObjectMapper());

    @TempDir
    Path root;

    ParsedFile read(String relative, String content) throws Exception {
        Path path = root.resolve(relative);
        Files.createDirectories(path.getParent());
        Files.writeString(path, content);
        return files.read(root, relative);
    }

    @Test
    void recordKindFollowsTheReferenceOrderOfFields() throws Exception {
        ParsedFile parsed = read("x/mixed.json", """
                [
                  {"label": "goal-a-b", "system": "Be terse.", "stimulus_user": "Hi", "control_user": "ignored"},
                  {"label": "goal-a-c", "control_user": "Be terse."},
                  {"label": "goal-a-d", "control_user": "Be terse.", "control_model": "OK.", "stimulus_user": "Hi"},
                  {"label": "goal-a-e", "control_user": "Be terse.", "control_model": "OK.", "stimulus_user": "Hi",
                   "stimulus_model": "Hello."}
                ]""");
        assertEquals(List.of(), parsed.errors());
        assertEquals(List.of(RecordKind.SYSTEM, RecordKind.CONTROL, RecordKind.STIMULUS, RecordKind.STIMULUS_COMPLETION),
                parsed.records().stream().map(BehaviourRecord::kind).toList());
        assertEquals(List.of(Message.system("Be terse."), Message.user("Hi")), parsed.records().get(0).messages());
        assertEquals(List.of(Message.user("Be terse."), Message.assistant("OK."), Message.user("Hi"),
                Message.assistant("Hello.")), parsed.records().get(3).messages());
        assertEquals("Be terse.", parsed.records().get(0).controlText());
        assertEquals(2, parsed.records().get(1).line() - 1, "record 1 starts on line 3");
    }

    @Test
    void recordsOfOneLabelAreNumberedInFileOrder() throws Exception {
        ParsedFile parsed = read("x/control.json", """
                [{"label": "persona-a-b", "control_user": "one"}, {"label": "persona-a-c", "control_user": "x"},
                 {"label": "persona-a-b", "control_user": "two"}]""");
        assertEquals(List.of(0, 0, 1), parsed.records().stream().map(BehaviourRecord::nthOfLabel).toList());
    }

    @Test
    void invalidRecordsGiveErrorsWithIndexLineAndColumn() throws Exception {
        ParsedFile parsed = read("x/control.json", """
                [
                  {"label": "persona-a-b", "control_user": "fine"},
                  {"control_user": "no label"},
                  {"label": "persona-a-c", "control_user": ""},
                  {"label": "persona-a-d", "control_user": "x", "control_model": "y"},
                  "not an object"
                ]""");
        assertEquals(1, parsed.records().size());
        List<JobError> errors = parsed.errors();
        assertEquals(4, errors.size(), errors.toString());
        assertEquals(new JobError("x/control.json", 1, 3, 3, null, null, errors.get(0).message()), errors.get(0));
        assertTrue(errors.get(0).message().contains("no label"), errors.get(0).message());
        assertEquals("persona-a-c", errors.get(1).label());
        assertEquals(4, errors.get(1).line());
        assertTrue(errors.get(1).message().contains("\"control_user\" is empty"), errors.get(1).message());
        assertTrue(errors.get(2).message().contains("a stimulus record needs a non-empty \"stimulus_user\""),
                errors.get(2).message());
        assertEquals(4, errors.get(3).index());
    }

    @Test
    void malformedJsonGivesOneErrorWithItsPositionAndNoRecords() throws Exception {
        ParsedFile parsed = read("x/system.json", """
                [
                  {"label": "goal-a-b", "system": "s", "stimulus_user": "u"},
                  {"label": "goal-a-c", "system": "s" "stimulus_user": "u"}
                ]""");
        assertEquals(List.of(), parsed.records(), "nothing of a malformed file is trusted");
        assertEquals(1, parsed.errors().size());
        JobError error = parsed.errors().get(0);
        assertEquals(3, error.line());
        assertTrue(error.message().startsWith("the file is not valid JSON"), error.message());
    }

    @Test
    void qaFileGivesPairsByLabelAndErrorsForBadPairs() throws Exception {
        ParsedFile parsed = read("x/qa.json", """
                {
                  "goal-a-b": [["What?", "That."], ["Why?", "Because."]],
                  "goal-a-c": [["What?", ""], ["only one"]],
                  "goal-a-d": "not a list"
                }""");
        assertEquals(2, parsed.pairs().size());
        assertEquals(new QaEntry("x/qa.json", "goal-a-b", 1, 2, 36, "Why?", "Because."), parsed.pairs().get(1));
        assertEquals(3, parsed.errors().size(), parsed.errors().toString());
        assertEquals("the answer is empty", parsed.errors().get(0).message());
        assertEquals(Integer.valueOf(1), parsed.errors().get(1).index());
    }

    @Test
    void behaviourFileThatIsAnObjectIsRejectedWithAHint() throws Exception {
        ParsedFile parsed = read("controls/golden_gate.json", "{\"Pretend ...\": [[\"q\", \"a\"]]}");
        assertTrue(parsed.errors().get(0).message().contains("must be a JSON array of records"));
    }
}
