package io.latentqa.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.core.lit.LitRecord;
import io.latentqa.core.lit.RecordKind;
import io.latentqa.core.tokenizer.Tokenizer;
import io.latentqa.trainer.data.QaRecord;
import io.latentqa.trainer.lit.LitExamples;
import io.latentqa.trainer.lit.SmolLm2Fixture;

/**
 * The run report's multiple-choice items carry the swapped read: for a record with a hidden control, its own
 * visible user turn under the hidden control of the record that the first distractor comes from. Checked on
 * the SmolLM2 tokenizer with LatentQA eval records by decoding the read prompts.
 */
class LitEvaluatorItemsTest {

    private static final String QUESTION = "What instruction was the assistant given?";

    @Test
    void hiddenControlsAreSwappedForTheFirstDistractorsControl() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<QaRecord> records = new ArrayList<>();
        List<Map<String, Object>> system = json.readValue(SmolLm2Fixture.data().resolve("eval/system.json").toFile(),
                new TypeReference<>() { });
        List<Map<String, Object>> stimulus = json.readValue(SmolLm2Fixture.data().resolve("eval/stimulus.json").toFile(),
                new TypeReference<>() { });
        for (int i = 0; i < 4; i++) {
            LitRecord r = LitRecord.fromJson(system.get(i));
            records.add(new QaRecord("s" + i, r.label(), r, QUESTION, r.system(), "eval", "system"));
        }
        for (int i = 0; i < 3; i++) {
            LitRecord r = LitRecord.fromJson(stimulus.get(i));
            records.add(new QaRecord("t" + i, r.label(), r, QUESTION, r.controlUser(), "eval", "stimulus"));
        }
        // the target's own reply was written under the original prompt: such a record is never swapped
        LitRecord own = LitRecord.fromJson(system.get(4));
        LitRecord completion = new LitRecord(own.system(), "", "", own.stimulusUser(), "Ahoy! Here is my answer.", own.label());
        records.add(new QaRecord("c", completion.label(), completion, QUESTION, completion.system(), "eval", "system"));

        LitExamples.Built built = LitExamples.build(SmolLm2Fixture.builder(), records);
        assertEquals(records.size(), built.examples().size(), built.skipped().toString());
        List<FidelityEval.Item> items = LitEvaluator.items(built.records(), built.examples(), records.size(), 4, 7,
                SmolLm2Fixture.builder());
        Tokenizer tokenizer = SmolLm2Fixture.files().tokenizer();

        for (int i = 0; i < records.size(); i++) {
            FidelityEval.Item item = items.get(i);
            LitRecord record = records.get(i).record();
            assertEquals(records.get(i).answer(), item.answers().get(0), "the true answer first");
            if (record.kind() == RecordKind.SYSTEM_COMPLETION) {
                assertNull(item.swapped(), "a record with the target's reply is not swapped");
                continue;
            }
            assertNotNull(item.swapped(), "item " + i);
            String swappedText = tokenizer.decode(item.swapped().ids());
            String distractor = item.answers().get(1);
            QaRecord source = records.stream().filter(r -> r.answer().equals(distractor)).findFirst().orElseThrow();
            assertTrue(swappedText.contains(distractor), "the swapped read hides the first distractor's control: " + swappedText);
            if (record.kind() == RecordKind.STIMULUS) {
                assertTrue(swappedText.contains(source.record().controlModel()), swappedText);
            }
            assertFalse(swappedText.contains(item.answers().get(0)), "the item's own control is gone: " + swappedText);
            assertTrue(swappedText.contains(record.stimulusUser()), "the item's own user turn stays: " + swappedText);
            // the decoder sees the same visible text, so as many vectors as in the item's own read
            assertEquals(item.read().vectorCount(), item.swapped().vectorCount(), "item " + i);
        }
    }
}
