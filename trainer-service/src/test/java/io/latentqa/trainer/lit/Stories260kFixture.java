package io.latentqa.trainer.lit;

import ai.djl.ndarray.types.DataType;
import io.latentqa.core.io.ModelFiles;
import io.latentqa.core.io.ModelLoader;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.model.Llama;

/**
 * Test helper: stories260K (5 blocks, dim 64, tok512) from the shared folder, float32, with its LIT prompt
 * builder for text models. Loaded once per test JVM.
 */
public final class Stories260kFixture {

    private static ModelFiles files;
    private static Llama model;
    private static LitPromptBuilder builder;

    private Stories260kFixture() {
    }

    public static synchronized Llama model() {
        if (model == null) {
            files = ModelLoader.load(SmolLm2Fixture.shared().resolve("models/stories260K/stories260K.bin"));
            model = Llama.load(files.weights(), DataType.FLOAT32);
            builder = LitPromptBuilder.create(files.tokenizer(), files.chatTemplate()); // no template: the text layout
        }
        return model;
    }

    public static synchronized LitPromptBuilder builder() {
        model();
        return builder;
    }
}
