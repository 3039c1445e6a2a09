package io.latentqa.trainer.lit;

import ai.djl.ndarray.types.DataType;
import io.latentqa.core.io.ModelFiles;
import io.latentqa.core.io.ModelLoader;
import io.latentqa.core.lit.LitExample;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.lit.RecordKind;
import io.latentqa.core.model.Llama;
import io.latentqa.trainer.data.FileQaRecords;
import io.latentqa.trainer.data.QaFilter;
import io.latentqa.trainer.data.QaRecord;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Test helper: SmolLM2-135M-Instruct (shared GGUF, float32), its LIT prompt builder, and short
 * examples from the shared eval data. Loaded once per test JVM.
 */
public final class SmolLm2Fixture {

    private static ModelFiles files;
    private static Llama model;
    private static LitPromptBuilder builder;

    private SmolLm2Fixture() {
    }

    /** The shared folder (system property latentqa.shared, set by surefire). */
    public static Path shared() {
        String property = System.getProperty("latentqa.shared");
        Path dir = property != null ? Path.of(property) : Path.of(System.getProperty("user.dir")).resolve("../../shared");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("shared folder not found at " + dir.toAbsolutePath() + " (system property latentqa.shared)");
        }
        return dir.toAbsolutePath().normalize();
    }

    public static Path gguf() {
        return shared().resolve("models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf");
    }

    public static Path data() {
        return shared().resolve("data/latentqa");
    }

    public static synchronized Llama model() {
        if (model == null) {
            files = ModelLoader.load(gguf());
            model = Llama.load(files.weights(), DataType.FLOAT32);
            builder = LitPromptBuilder.create(files.tokenizer(), files.chatTemplate());
        }
        return model;
    }

    public static synchronized LitPromptBuilder builder() {
        model();
        return builder;
    }

    public static synchronized ModelFiles files() {
        model();
        return files;
    }

    /** The {@code count} shortest examples among the first 40 control-kind sqa records of the eval split. */
    public static List<LitExample> shortExamples(int count) {
        List<QaRecord> records = new FileQaRecords(data()).find(new QaFilter("eval", Set.of(RecordKind.CONTROL),
                Set.of("control"), "sqa-", 40));
        return LitExamples.build(builder(), records).examples().stream()
                .sorted(Comparator.comparingInt((LitExample e) -> e.read().length() + e.write().length()))
                .limit(count)
                .toList();
    }
}
