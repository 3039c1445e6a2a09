package io.latentqa.decoder.adapter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.jboss.logging.Logger;

import io.latentqa.core.lora.AdapterFile;
import io.latentqa.decoder.DecoderConfig;
import io.latentqa.decoder.runtime.ModelHolder;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Makes the decoder that ships with the product ({@code latentqa.decoder.shipped-adapter}, the repository's
 * {@code decoders/<id>/}) the default at start, under its folder name as adapter id. The folder's
 * {@code SHA256SUMS} must list the weights' digest: a truncated or replaced file (a Git LFS pointer, say)
 * stops the service instead of reading with something else. A shipped decoder trained on another base model
 * is skipped with a warning, and a missing folder too: the base model reads until one is published.
 */
@ApplicationScoped
public class ShippedDecoder {

    private static final Logger LOG = Logger.getLogger(ShippedDecoder.class);
    public static final String SUMS_FILE = "SHA256SUMS";

    private final DecoderAdapters adapters;
    private final ModelHolder holder;
    private final DecoderConfig config;

    ShippedDecoder(DecoderAdapters adapters, ModelHolder holder, DecoderConfig config) {
        this.adapters = adapters;
        this.holder = holder;
        this.config = config;
    }

    void onStart(@Observes StartupEvent start) {
        config.shippedAdapter().ifPresent(this::install);
    }

    /** Verifies and registers the folder; see the class comment for what is refused and what is skipped. */
    void install(Path dir) {
        if (!Files.isDirectory(dir)) {
            LOG.warnf("no shipped decoder at %s (latentqa.decoder.shipped-adapter): the base model reads until a decoder"
                    + " adapter is published", dir.toAbsolutePath());
            return;
        }
        String expected = listedDigest(dir.resolve(SUMS_FILE), AdapterFile.WEIGHTS_FILE);
        String actual = DecoderAdapters.sha256(dir.resolve(AdapterFile.WEIGHTS_FILE));
        if (!actual.equals(expected)) {
            throw new IllegalStateException("the shipped decoder " + dir + " is damaged: " + AdapterFile.WEIGHTS_FILE + " has sha256 "
                    + actual + " but " + SUMS_FILE + " lists " + expected + " (a Git LFS pointer or a partial copy?)");
        }
        Map<String, String> metadata = AdapterFile.readMetadata(dir);
        String trainedOn = metadata.get(AdapterFile.META_BASE_MODEL_DIGEST);
        if (trainedOn != null && !trainedOn.equals("sha256:" + holder.digest())) {
            LOG.warnf("the shipped decoder %s was trained on %s (weights sha256 %s), not on the loaded %s (%s): skipped; the base"
                    + " model reads until a decoder of this model is published", dir, metadata.get(AdapterFile.META_BASE_MODEL_ID),
                    trainedOn, holder.modelId(), holder.digest());
            return;
        }
        adapters.register(dir.getFileName().toString(), dir, firstLayer(metadata.get(AdapterFile.META_READ_LAYERS)),
                firstLayer(metadata.get(AdapterFile.META_WRITE_LAYERS)));
        LOG.infof("shipped decoder %s (sha256 %s, trained by run %s) is the default", dir.getFileName(), actual,
                metadata.get(AdapterFile.META_TRAINING_RUN_ID));
    }

    /** The digest {@code sums} lists for {@code fileName}, in {@code sha256sum}'s format ({@code <hex>  <name>}). */
    static String listedDigest(Path sums, String fileName) {
        try {
            for (String line : Files.readAllLines(sums)) {
                String[] parts = line.trim().split("\\s+\\*?", 2);
                if (parts.length == 2 && parts[1].equals(fileName)) {
                    return parts[0];
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the shipped decoder has no readable " + sums + ": " + e.getMessage(), e);
        }
        throw new IllegalStateException(sums + " lists no digest for " + fileName);
    }

    private static Integer firstLayer(String layers) {
        return layers == null || layers.isBlank() ? null : Integer.valueOf(layers.split(",")[0].trim());
    }
}
