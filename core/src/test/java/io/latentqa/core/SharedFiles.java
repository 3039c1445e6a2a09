package io.latentqa.core;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where tests find the shared, read-only models and reference values.
 *
 * <p>Surefire passes the folder as system property {@code latentqa.shared}; when it is unset (a test
 * run from an IDE) the default is {@code ../shared} relative to the repository root, i.e.
 * {@code ../../shared} from the module folder. Nothing is skipped: a missing folder fails the test
 * with a message saying where it looked.
 */
public final class SharedFiles {

    private SharedFiles() {
    }

    /** The shared folder (holds {@code docs/}, {@code models/}, {@code data/}). */
    public static Path shared() {
        String property = System.getProperty("latentqa.shared");
        Path dir = property != null && !property.isBlank()
                ? Path.of(property)
                : Path.of(System.getProperty("user.dir")).resolve("../../shared");
        return existing(dir.toAbsolutePath().normalize(),
                "the shared folder (system property latentqa.shared = " + property + ")");
    }

    /** {@code models/smollm2-135m-instruct}: GGUF, tokenizer.json, chat template, reference/. */
    public static Path smollm2Dir() {
        return existing(shared().resolve("models/smollm2-135m-instruct"), "the SmolLM2 model folder");
    }

    /** {@code models/stories260K}: llama2.c checkpoint, tok512.bin, expected greedy text. */
    public static Path stories260kDir() {
        return existing(shared().resolve("models/stories260K"), "the stories260K model folder");
    }

    /** A file or folder inside the shared folder, which must exist. */
    public static Path file(String relative) {
        return existing(shared().resolve(relative), relative);
    }

    private static Path existing(Path path, String what) {
        if (!Files.exists(path)) {
            throw new IllegalStateException("missing " + what + ": looked at " + path
                    + " (set -Dlatentqa.shared=/path/to/shared or run from the module folder)");
        }
        return path;
    }
}
