package io.latentqa.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.lit.LitRecord;
import io.latentqa.core.lora.AdapterFile;
import io.latentqa.core.model.Llama;
import io.latentqa.trainer.cli.EvalCommand;
import io.latentqa.trainer.eval.FidelityEval.Score;
import io.latentqa.trainer.eval.FidelityEval.Variant;
import io.latentqa.trainer.lit.SmolLm2Fixture;

/**
 * The fidelity floor of the decoder that ships in the repository: on 30 held-out system records (labels it
 * never trained on; the first 30 of {@code ./latentqa eval}'s seeded sample), the decoder variant alone must name
 * the hidden system prompt among 10 at PMI top-1 of at least {@link #FLOOR}: three times chance (10 %) and above
 * what the untrained base model reads from the same activations (18.5 % on 200 records). A change to the engine,
 * the prompt builder or the adapter files that breaks reading lands red. The full table, with every control, is
 * the model card's ({@code decoders/latentqa-smollm2-135m-v1/README.md}).
 */
class ShippedDecoderFloorTest {

    static final Path SHIPPED = Path.of("..").resolve(EvalCommand.SHIPPED_DECODER);
    static final int ITEMS = 30;
    static final int CHOICES = 10;
    static final double FLOOR = 0.30;

    @Test
    void theShippedDecoderNamesHeldOutHiddenPromptsWellAboveChance() throws Exception {
        Llama llama = SmolLm2Fixture.model();
        LitPromptBuilder builder = SmolLm2Fixture.builder();
        AdapterFile.Loaded loaded = AdapterFile.load(SHIPPED, "shipped-floor", llama.config(), llama.dataType());
        Map<String, String> metadata = loaded.metadata();
        llama.addAdapter(loaded.adapter());
        try {
            List<LitRecord> records = EvalCommand.systemRecords(SmolLm2Fixture.data().resolve("eval/system.json"), ITEMS, 0);
            List<FidelityEval.Item> items = EvalCommand.systemItems(records, builder, CHOICES, 0);
            FidelityEval eval = new FidelityEval(llama, builder, Integer.parseInt(metadata.get(AdapterFile.META_READ_LAYERS)),
                    Integer.parseInt(metadata.get(AdapterFile.META_WRITE_LAYERS)));
            Score decoder = eval.evaluate(items, "shipped-floor", 0, EnumSet.of(Variant.DECODER), done -> { }).get(Variant.DECODER);
            System.out.printf("shipped decoder on %d held-out system records: PMI top-1 %d/%d, raw top-1 %d/%d (floor %.0f %%)%n",
                    ITEMS, decoder.pmiCorrect(), decoder.items(), decoder.rawCorrect(), decoder.items(), 100 * FLOOR);
            assertTrue(decoder.pmi().value() >= FLOOR, "the shipped decoder names " + decoder.pmiCorrect() + " of " + ITEMS
                    + " held-out hidden prompts (PMI top-1), below the floor of " + FLOOR + " (chance " + 1.0 / CHOICES + ")");
        } finally {
            llama.removeAdapter("shipped-floor").close();
        }
    }
}
