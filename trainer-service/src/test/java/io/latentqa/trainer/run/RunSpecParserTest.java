package io.latentqa.trainer.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentqa.core.lit.RecordKind;
import io.latentqa.core.lora.LoraTarget;
import io.latentqa.trainer.lit.TrainingConfig;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunSpecParserTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final RunSpecParser parser = new RunSpecParser("smollm2", "train", "eval");

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void emptySpecGetsTheRecipeScaledToSmolLm2() throws Exception {
        RunSpec spec = parser.parse(json("{}"), 30);
        TrainingConfig t = spec.training();
        assertEquals(15, t.readLayer(), "ceil(15/32 * 30): block 15 of 30");
        assertEquals(0, t.writeLayer());
        assertEquals(16, t.lora().rank());
        assertEquals(32f, t.lora().alpha());
        assertEquals(Set.of(LoraTarget.Q_PROJ, LoraTarget.K_PROJ, LoraTarget.V_PROJ, LoraTarget.O_PROJ, LoraTarget.GATE_PROJ,
                LoraTarget.UP_PROJ, LoraTarget.DOWN_PROJ), t.lora().targets());
        assertEquals(1e-4, t.learningRate());
        assertEquals("train", spec.data().split());
        assertEquals("eval", spec.eval().split());
        assertEquals("smollm2", spec.model());
    }

    @Test
    void fieldsAreRead() throws Exception {
        RunSpec spec = parser.parse(json("""
                {"readLayer": 15, "writeLayer": 0, "data": {"split": "eval", "kinds": ["system", "control"], "labelPrefix": "sqa-",
                 "limit": 8}, "lora": {"rank": 4, "targets": ["q_proj", "v_proj"]},
                 "hyperparameters": {"learningRate": 0.001, "schedule": "cosine", "batchSize": 2, "steps": 3}, "seed": 5}
                """), 30);
        assertEquals(15, spec.training().readLayer());
        assertEquals(Set.of(RecordKind.SYSTEM, RecordKind.CONTROL), spec.data().kinds());
        assertEquals("sqa-", spec.data().labelPrefix());
        assertEquals(8, spec.data().limit());
        assertEquals(4, spec.training().lora().rank());
        assertEquals(8f, spec.training().lora().alpha(), "alpha defaults to 2r");
        assertEquals(TrainingConfig.Schedule.COSINE, spec.training().schedule());
        assertEquals(3, spec.training().maxSteps());
        assertEquals(5, spec.training().seed(), "hyperparameters may sit at the top level");
    }

    @Test
    void initNamesAnAdapterIdNeverAPath() throws Exception {
        assertEquals(null, parser.parse(json("{}"), 30).init());
        assertEquals("latentqa-smollm2-135m-v1", parser.parse(json("{\"init\": \"latentqa-smollm2-135m-v1\"}"), 30).init());
        for (String bad : new String[] {"\"../decoders/x\"", "\"/etc\"", "\"a/b\"", "\"..\"", "\"\"", "42", "\"x\\u0000\"",
                "\"" + "a".repeat(129) + "\""}) {
            InvalidRunRequestException e = assertThrows(InvalidRunRequestException.class,
                    () -> parser.parse(json("{\"init\": " + bad + "}"), 30), bad);
            assertTrue(e.getMessage().startsWith("init must be the id of a decoder adapter") && e.getMessage().length() < 300,
                    e.getMessage());
        }
    }

    @Test
    void badSpecsSayWhatToFix() {
        assertTrue(message("{\"readLayer\": 30}").contains("readLayer 30 does not exist: the model has blocks 0..29"));
        assertTrue(message("{\"rank\": 0}").contains("lora.rank must be >= 1"));
        assertTrue(message("{\"lora\": {\"rank\": 0}}").contains("lora.rank must be >= 1"));
        assertTrue(message("{\"lora\": {\"targets\": [\"x_proj\"]}}").contains("lora.targets"));
        assertTrue(message("{\"learnignRate\": 1}").contains("unknown field 'learnignRate'"));
        assertTrue(message("{\"data\": {\"kinds\": [\"dialog\"]}}").contains("unknown record kind 'dialog'"));
        assertTrue(message("{\"hyperparameters\": {\"schedule\": \"linear\"}}").contains("'constant' or 'cosine'"));
    }

    private String message(String spec) {
        return assertThrows(InvalidRunRequestException.class, () -> parser.parse(json(spec), 30)).getMessage();
    }
}
