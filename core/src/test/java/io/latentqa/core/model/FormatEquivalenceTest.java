package io.latentqa.core.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.latentqa.core.io.HfCheckpoint;
import io.latentqa.core.io.HfCheckpointWriter;
import io.latentqa.core.io.Llama2cCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The same weights read from two formats give the same model: stories260K from its llama2.c file,
 * and from the Hugging Face folder the loaders' converter writes from it (float32 safetensors, so
 * every weight is bit-identical and so are the logits).
 */
class FormatEquivalenceTest {

    @Test
    void llama2cAndItsHuggingFaceConversionGiveIdenticalLogits(@TempDir Path folder) {
        try (Llama2cCheckpoint original = Llama2cCheckpoint.open(Stories260k.checkpoint())) {
            HfCheckpointWriter.write(original, folder);
        }
        TokenBatch batch = TokenBatch.of(Stories260k.story(30), Stories260k.story(12));
        try (Llama fromBin = Stories260k.load(DataType.FLOAT32);
             HfCheckpoint converted = HfCheckpoint.open(folder);
             Llama fromHf = Llama.load(converted, DataType.FLOAT32);
             NDManager m = NDManager.newBaseManager()) {
            assertEquals(fromBin.config(), fromHf.config());
            float[] a = fromBin.forward(ForwardRequest.logits(batch, RowPositions.all()), m).logits().toFloatArray();
            float[] b = fromHf.forward(ForwardRequest.logits(batch, RowPositions.all()), m).logits().toFloatArray();
            assertArrayEquals(a, b);
        }
    }
}
