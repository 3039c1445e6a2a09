package io.latentqa.decoder;

import java.nio.file.Path;
import java.time.Instant;

import io.latentqa.core.events.ActivationEvent;
import io.latentqa.core.events.Positions;
import io.latentqa.core.io.SafetensorsFile;
import io.latentqa.decoder.runtime.ModelHolder;

/**
 * Activation events made of real SmolLM2 activations: the {@code lit.control} case of the engine's LatentQA
 * reference (reference.safetensors, made with transformers): read ids (48) and the residual after block 15 at
 * every position, (48, 576).
 */
final class ReferenceEvents {

    static final int READ_LAYER = 15;
    static final String CONTROL_QUESTION = "How does the assistant communicate with the user?";
    static final String CONTROL_ANSWER = "The assistant uses homonyms in its responses to convey hidden messages to the user.";

    private ReferenceEvents() {
    }

    static Path referenceFile() {
        return Path.of(System.getProperty("latentqa.shared"), "models/smollm2-135m-instruct/reference/reference.safetensors");
    }

    /** A tensor of the reference file. */
    static float[] floats(String name) {
        try (SafetensorsFile file = SafetensorsFile.open(referenceFile())) {
            return file.readFloats(name);
        }
    }

    static int[] ints(String name) {
        try (SafetensorsFile file = SafetensorsFile.open(referenceFile())) {
            return file.readInts(name);
        }
    }

    /** The control case as an event of the loaded model. */
    static ActivationEvent control(ModelHolder holder, String requestId, ActivationEvent.Source source) {
        int[] ids = ints("lit.control.read_ids");
        float[] activations = floats("lit.control.read_activations"); // (48, 576)
        return new ActivationEvent(holder.modelId(), holder.digest(), new int[] {READ_LAYER}, Positions.ALL, source,
                requestId, Instant.now(), null, ids, ids.length, holder.model().config().dim(), activations);
    }

    /** The control case with other metadata (for malformed-event tests). */
    static ActivationEvent control(String modelId, String digest, String requestId, int dModel) {
        int[] ids = ints("lit.control.read_ids");
        float[] all = floats("lit.control.read_activations");
        float[] activations = new float[ids.length * dModel];
        System.arraycopy(all, 0, activations, 0, Math.min(all.length, activations.length));
        return new ActivationEvent(modelId, digest, new int[] {READ_LAYER}, Positions.ALL, ActivationEvent.Source.TRAFFIC,
                requestId, Instant.now(), null, ids, ids.length, dModel, activations);
    }
}
