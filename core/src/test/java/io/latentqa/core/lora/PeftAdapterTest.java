package io.latentqa.core.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.latentqa.core.io.SafetensorsFile;
import io.latentqa.core.model.ForwardRequest;
import io.latentqa.core.model.Llama;
import io.latentqa.core.model.RowPositions;
import io.latentqa.core.model.SmolLm2;
import io.latentqa.core.model.TokenBatch;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An adapter saved by PEFT 0.21.2 itself (r 4, alpha 8, all seven projections of all 30 blocks,
 * B ~ N(0, 0.02)) loads and gives the logits PEFT + transformers gave on the pirate_system prompt:
 * last-position logits within 1e-3, argmax at every position exact; with the adapter off the base
 * model's reference logits come back.
 */
class PeftAdapterTest {

    @Test
    void peftAdapterGivesPeftsLogits() {
        Llama model = SmolLm2.model();
        AdapterFile.Loaded loaded = AdapterFile.load(SmolLm2.peftAdapter(), "peft", model.config(), DataType.FLOAT32);
        assertEquals(30 * 7 * 2, loaded.adapter().parameters().size());
        model.addAdapter(loaded.adapter());
        try (SafetensorsFile reference = SmolLm2.reference(); SafetensorsFile lora = SmolLm2.loraReference();
             NDManager m = NDManager.newBaseManager()) {
            int[] ids = reference.readInts("chat.pirate_system.ids");
            TokenBatch batch = TokenBatch.of(ids);
            NDArray on = model.forward(ForwardRequest.builder().setTokens(batch).optLogits(RowPositions.all())
                    .optAdapter("peft").build(), m).logits().reshape(ids.length, -1);
            NDArray off = model.forward(ForwardRequest.logits(batch, RowPositions.last()), m).logits();
            float onDiff = maxAbsDiff(lora.readFloats("pirate_system.logits_last_adapter_on"), on.get(ids.length - 1).toFloatArray());
            float offDiff = maxAbsDiff(reference.readFloats("chat.pirate_system.logits_last"), off.toFloatArray());
            System.out.printf("[stats] PEFT adapter on: logits_last max |diff| %.2e; off: %.2e%n", onDiff, offDiff);
            assertTrue(onDiff <= 1e-3f, "adapter on: logits_last max |diff| " + onDiff);
            assertTrue(offDiff <= 1e-3f, "adapter off: logits_last max |diff| " + offDiff);
            int[] argmax = on.argMax(1).toType(DataType.INT32, false).toIntArray();
            assertArrayEquals(lora.readInts("pirate_system.argmax_all_adapter_on"), argmax);
        } finally {
            model.removeAdapter("peft").close();
        }
    }

    private static float maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
