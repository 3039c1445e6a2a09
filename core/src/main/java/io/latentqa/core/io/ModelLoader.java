package io.latentqa.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import io.latentqa.core.tokenizer.ChatTemplate;
import io.latentqa.core.tokenizer.GgufTokenizer;
import io.latentqa.core.tokenizer.HfTokenizer;
import io.latentqa.core.tokenizer.Llama2cTokenizer;
import io.latentqa.core.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Opens a model from a path, whatever its format:
 * <ul>
 * <li>a {@code .gguf} file (or any file starting with the GGUF magic): weights, tokenizer and chat
 *     template all come from the file;
 * <li>a llama2.c {@code .bin} checkpoint with its {@code tokenizer.bin} (or the single
 *     {@code tok*.bin}) beside it, or given explicitly; no chat template;
 * <li>a Hugging Face folder ({@code config.json}, safetensors weights, {@code tokenizer.json},
 *     chat template from {@code chat_template.jinja} or {@code tokenizer_config.json});
 * <li>a folder holding exactly one {@code .gguf} file.
 * </ul>
 * The weights are hashed once (sha256, streamed) so services can tell models apart.
 */
public final class ModelLoader {

    private ModelLoader() {
    }

    /** Detects the format of {@code path} and opens the model. */
    public static ModelFiles load(Path path) {
        if (Files.isDirectory(path)) {
            if (Files.exists(path.resolve("config.json"))) {
                return loadHf(path);
            }
            List<Path> ggufs = list(path, ".gguf");
            if (ggufs.size() == 1) {
                return loadGguf(ggufs.get(0));
            }
            throw new IllegalArgumentException(path + " is a folder without config.json and with " + ggufs.size()
                    + " .gguf files; give a Hugging Face model folder, a .gguf file or a llama2.c .bin file");
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("no model at " + path);
        }
        if (path.getFileName().toString().endsWith(".gguf") || startsWithGgufMagic(path)) {
            return loadGguf(path);
        }
        if (path.getFileName().toString().endsWith(".bin")) {
            return loadLlama2c(path, findLlama2cTokenizer(path));
        }
        throw new IllegalArgumentException(path + " is neither a .gguf file, a llama2.c .bin checkpoint nor a Hugging Face folder");
    }

    /** A llama2.c checkpoint with an explicit tokenizer file. */
    public static ModelFiles load(Path llama2cBin, Path tokenizerBin) {
        return loadLlama2c(llama2cBin, tokenizerBin);
    }

    // ----------------------------------------------------------------------------------------------

    private static ModelFiles loadGguf(Path file) {
        GgufCheckpoint weights = GgufCheckpoint.open(file);
        try {
            GgufFile gguf = weights.gguf();
            HfTokenizer tokenizer = GgufTokenizer.load(gguf);
            ChatTemplate template = ChatTemplate.fromGguf(gguf);
            return new ModelFiles(stem(file), sha256(List.of(file)), weights, tokenizer, template);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    private static ModelFiles loadHf(Path folder) {
        HfCheckpoint weights = HfCheckpoint.open(folder);
        try {
            Path tokenizerJson = folder.resolve("tokenizer.json");
            if (!Files.exists(tokenizerJson)) {
                throw new IllegalArgumentException(folder + " has no tokenizer.json (a fast tokenizer is needed; save the model"
                        + " with a recent transformers)");
            }
            ChatTemplate template = ChatTemplate.fromHfFolder(folder);
            Set<String> stopTokens = new LinkedHashSet<>();
            Set<Integer> stopIds = new LinkedHashSet<>();
            Path tokenizerConfig = folder.resolve("tokenizer_config.json");
            if (Files.exists(tokenizerConfig)) {
                String eos = ChatTemplate.specialTokensOf(HfCheckpoint.readJson(tokenizerConfig)).get("eos_token");
                if (eos != null) {
                    stopTokens.add(eos);
                }
            }
            Path generationConfig = folder.resolve("generation_config.json");
            if (Files.exists(generationConfig)) {
                JsonNode eos = HfCheckpoint.readJson(generationConfig).get("eos_token_id");
                if (eos != null && eos.isArray()) {
                    eos.forEach(id -> stopIds.add(id.asInt()));
                } else if (eos != null && eos.canConvertToInt()) {
                    stopIds.add(eos.asInt());
                }
            }
            HfTokenizer tokenizer = HfTokenizer.load(tokenizerJson, stopTokens, stopIds);
            return new ModelFiles(folder.getFileName().toString(), sha256(weights.weightFiles()), weights, tokenizer, template);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    private static ModelFiles loadLlama2c(Path bin, Path tokenizerBin) {
        Llama2cCheckpoint weights = Llama2cCheckpoint.open(bin);
        try {
            Tokenizer tokenizer = Llama2cTokenizer.load(tokenizerBin);
            if (tokenizer.vocabSize() != weights.config().vocabSize()) {
                throw new IllegalArgumentException("tokenizer " + tokenizerBin + " has " + tokenizer.vocabSize()
                        + " tokens but checkpoint " + bin + " expects " + weights.config().vocabSize());
            }
            return new ModelFiles(stem(bin), sha256(List.of(bin)), weights, tokenizer, null);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    /** tokenizer.bin beside the checkpoint, else the single tok*.bin there. */
    static Path findLlama2cTokenizer(Path bin) {
        Path dir = bin.toAbsolutePath().getParent();
        Path standard = dir.resolve("tokenizer.bin");
        if (Files.exists(standard)) {
            return standard;
        }
        List<Path> candidates = new ArrayList<>();
        for (Path p : list(dir, ".bin")) {
            if (p.getFileName().toString().startsWith("tok") && !p.equals(bin.toAbsolutePath())) {
                candidates.add(p);
            }
        }
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        throw new IllegalArgumentException("found " + candidates.size() + " llama2.c tokenizer files (tokenizer.bin or tok*.bin)"
                + " beside " + bin + "; pass the tokenizer explicitly: ModelLoader.load(bin, tokenizerBin)");
    }

    // ----------------------------------------------------------------------------------------------

    /** sha256 of the files' bytes, one after the other, streamed in 1 MiB reads; lower-case hex. */
    public static String sha256(List<Path> files) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[1 << 20];
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, n);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot hash " + file, e);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static boolean startsWithGgufMagic(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 'G' && magic[1] == 'G' && magic[2] == 'U' && magic[3] == 'F';
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static List<Path> list(Path dir, String suffix) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix) && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
