package io.latentqa.trainer.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentqa.core.lit.RecordKind;
import io.latentqa.trainer.lit.SmolLm2Fixture;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QaRecordSourcesTest {

    @Test
    void filesJoinRecordsWithEveryQaPairOfTheirLabel() {
        FileQaRecords files = new FileQaRecords(SmolLm2Fixture.data());
        List<QaRecord> system = files.find(new QaFilter("eval", Set.of(RecordKind.SYSTEM), Set.of("system"), "persona-", 4));
        assertEquals(4, system.size());
        // qa.json has 2 pairs per label: records come in pairs of one label
        assertEquals(system.get(0).label(), system.get(1).label());
        assertTrue(system.get(0).label().startsWith("persona-"));
        assertTrue(system.get(0).id().matches("eval/system/\\d+/0"), system.get(0).id());
        assertTrue(system.get(1).id().matches("eval/system/\\d+/1"), system.get(1).id());
        assertTrue(files.find(QaFilter.split("train")).isEmpty(), "the public train split has no QA pairs");
        assertTrue(files.find(new QaFilter("eval", Set.of(), Set.of(), "no-such-", 0)).isEmpty());
    }

    @Test
    void apiItemsWithMessagesOrRecordFieldsBecomeRecords() throws Exception {
        ObjectMapper json = new ObjectMapper();
        QaRecord fromMessages = HttpQaRecords.parse(json.readTree("""
                {"id": "r1", "label": "persona-x", "kind": "system", "dialog": {"messages": [
                  {"role": "system", "content": "Be a pirate."}, {"role": "user", "content": "Hi"}]},
                 "question": "Who?", "answer": "A pirate.", "split": "train", "source": "import"}"""), "train");
        assertEquals(RecordKind.SYSTEM, fromMessages.kind());
        assertEquals("Be a pirate.", fromMessages.record().system());
        assertEquals("Hi", fromMessages.record().stimulusUser());
        QaRecord fromFields = HttpQaRecords.parse(json.readTree("""
                {"id": "r2", "label": "goal-y", "dialog": "{\\"control_user\\": \\"Do y\\", \\"control_model\\": \\"OK\\", \\"stimulus_user\\": \\"Hey\\"}",
                 "question": "What?", "answer": "y", "split": "eval", "source": "s"}"""), "eval");
        assertEquals(RecordKind.STIMULUS, fromFields.kind());
        assertEquals("goal-y", fromFields.label());
        assertEquals("y", fromFields.answer());
    }

    /** An item exactly as dataset-service's GET /v1/records returns it (copied from a live response). */
    @Test
    void datasetServiceItemsBecomeRecords() throws Exception {
        QaRecord record = HttpQaRecords.parse(new ObjectMapper().readTree("""
                {"id":"1:9645","dialogId":1,"qaId":9645,"label":"goal-metacognition-problem-solving","kind":"goal",
                 "recordKind":"system","control":"Please evaluate your methods.",
                 "dialog":[{"role":"system","content":"Please evaluate your methods."},
                           {"role":"user","content":"I'm feeling a bit stuck."}],
                 "question":"What instruction was the assistant given?","answer":"Please evaluate your methods.",
                 "split":"train","source":"template","jobId":"6af30ddc","dialogSource":"import","modelId":null}"""), "train");
        assertEquals(RecordKind.SYSTEM, record.kind());
        assertEquals("Please evaluate your methods.", record.record().system());
        assertEquals("I'm feeling a bit stuck.", record.record().stimulusUser());
        assertEquals("goal-metacognition-problem-solving", record.label());
        assertEquals("What instruction was the assistant given?", record.question());
        assertEquals("train", record.split());
        assertEquals("template", record.source());
    }

    /** Dialogs the target generated keep its words: the completion is what the decoder is shown. */
    @Test
    void generatedCompletionsKeepTheCompletion() throws Exception {
        ObjectMapper json = new ObjectMapper();
        QaRecord chat = HttpQaRecords.parse(json.readTree("""
                {"id":"2:1","label":"persona-pirate","recordKind":"system_completion",
                 "dialog":[{"role":"system","content":"Talk like a pirate."},{"role":"user","content":"How are you?"},
                           {"role":"assistant","content":"Arr, shipshape!"}],
                 "question":"Who?","answer":"A pirate.","split":"train","source":"template"}"""), "train");
        assertEquals(RecordKind.SYSTEM_COMPLETION, chat.kind());
        assertEquals("Talk like a pirate.", chat.record().system());
        assertEquals("How are you?", chat.record().stimulusUser());
        assertEquals("Arr, shipshape!", chat.record().stimulusModel());

        QaRecord story = HttpQaRecords.parse(json.readTree("""
                {"id":"3:1","label":"story-cat-tom","recordKind":"text_completion",
                 "dialog":[{"role":"user","content":"Once upon a time there was a cat."},
                           {"role":"user","content":"Tell me more."},{"role":"assistant","content":" It was happy."}],
                 "question":"What animal?","answer":"a cat","split":"train","source":"template"}"""), "train");
        assertEquals(RecordKind.TEXT_COMPLETION, story.kind());
        assertEquals("Once upon a time there was a cat.", story.record().controlUser());
        assertEquals("", story.record().controlModel());
        assertEquals("Tell me more.", story.record().stimulusUser());
        assertEquals(" It was happy.", story.record().stimulusModel());
        assertEquals(RecordKind.TEXT_COMPLETION, QaFilter.parseKind("text_completion"));
    }
}
