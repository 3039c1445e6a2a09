package io.latentqa.core.io;

import io.latentqa.core.SharedFiles;
import io.latentqa.core.tokenizer.HfTokenizer;
import io.latentqa.core.tokenizer.Llama2cTokenizer;
import io.latentqa.core.tokenizer.SmolLm2Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelLoaderTest {

    @Test
    void ggufFileGivesWeightsTokenizerTemplateAndTheDocumentedDigest() {
        try (ModelFiles model = ModelLoader.load(GgufFileTest.smolLm2Gguf())) {
            assertEquals("SmolLM2-135M-Instruct.Q4_1", model.modelId());
            assertEquals("b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53", model.digest(), "sha256 in SOURCE.md");
            assertTrue(model.weights() instanceof GgufCheckpoint);
            assertTrue(model.tokenizer() instanceof HfTokenizer);
            assertEquals("<|im_start|>", model.chatTemplate().specialTokens().get("bos_token"));
            for (SmolLm2Reference.Chat chat : SmolLm2Reference.chats()) {
                String rendered = model.chatTemplate().render(chat.messages(), true);
                assertEquals(chat.rendered(), rendered, chat.name());
                assertArrayEquals(chat.ids(), model.tokenizer().encode(rendered), chat.name());
            }
        }
    }

    @Test
    void folderWithOneGgufOpensIt() {
        try (ModelFiles model = ModelLoader.load(SharedFiles.smollm2Dir())) {
            assertEquals("SmolLM2-135M-Instruct.Q4_1", model.modelId());
        }
    }

    @Test
    void llama2cCheckpointFindsItsTokenizer() {
        Path bin = SharedFiles.stories260kDir().resolve("stories260K.bin");
        try (ModelFiles model = ModelLoader.load(bin)) {
            assertEquals("stories260K", model.modelId());
            assertEquals("b0a507e7ad0f626624f17112325e66691f9076d622e1d3274d103d00299f2696", model.digest(), "sha256 in SOURCE.md");
            assertEquals(64, model.weights().config().dim());
            assertTrue(model.tokenizer() instanceof Llama2cTokenizer);
            assertEquals(512, model.tokenizer().vocabSize());
            assertNull(model.chatTemplate());
        }
    }

    @Test
    void unknownPathsFailClearly(@TempDir Path dir) throws IOException {
        assertThrows(IllegalArgumentException.class, () -> ModelLoader.load(dir.resolve("missing.gguf")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelLoader.load(dir));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello");
        e = assertThrows(IllegalArgumentException.class, () -> ModelLoader.load(text));
        assertTrue(e.getMessage().contains(".gguf"), e.getMessage());
        Path bin = Files.write(dir.resolve("model.bin"), new byte[28]);
        e = assertThrows(IllegalArgumentException.class, () -> ModelLoader.load(bin));
        assertTrue(e.getMessage().contains("tokenizer"), e.getMessage());
    }
}
