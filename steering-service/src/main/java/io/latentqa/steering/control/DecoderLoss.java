package io.latentqa.steering.control;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.latentqa.core.events.AdapterEntry;
import io.latentqa.core.events.ModelEvent;
import io.latentqa.core.lora.AdapterFile;
import io.latentqa.steering.SteeringServiceConfig;
import io.latentqa.steering.adapter.DecoderAdapterCatalog;
import io.latentqa.steering.runtime.ModelHolder;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Finds the decoder a control names and registers it on the model: a decoder adapter published on
 * latentqa.model-events (its {@code file:} uri), else one shipped with the product ({@code decoders/<id>}), or
 * {@code base}, the model without an adapter (the control that asks whether the trained decoder matters).
 */
@ApplicationScoped
public class DecoderLoss {

    /**
     * A decoder ready to be a loss.
     *
     * @param id           as the control names it
     * @param adapterName  the adapter registered on the model, or null for the base model
     * @param readLayer    the block it reads
     * @param writeLayer   the block after which it writes
     */
    public record Decoder(String id, String adapterName, int readLayer, int writeLayer) {
    }

    private final DecoderAdapterCatalog catalog;
    private final ModelHolder models;
    private final SteeringServiceConfig config;
    private final Map<String, Decoder> loaded = new ConcurrentHashMap<>();

    DecoderLoss(DecoderAdapterCatalog catalog, ModelHolder models, SteeringServiceConfig config) {
        this.catalog = catalog;
        this.models = models;
        this.config = config;
    }

    /** The read layer of a decoder without loading it. @throws InvalidControlException naming the decoder field */
    public int readLayer(String id) {
        if (ControlSpec.BASE_DECODER.equals(id)) {
            return Math.min(config.baseReadLayer(), models.model().config().nLayers() - 1);
        }
        Path dir = folder(id);
        String read = AdapterFile.readMetadata(dir).get(AdapterFile.META_READ_LAYERS);
        try {
            return read == null ? config.baseReadLayer() : Integer.parseInt(read.split(",")[0].strip());
        } catch (NumberFormatException e) {
            throw new InvalidControlException("decoder: adapter '" + id + "' names read layers '" + read + "', not a block");
        }
    }

    /**
     * Loads the decoder onto the model and says how it reads and writes. Once per id: the control scores ask for every
     * control's decoder on every event, which must not cost a catalogue query and a file read each time (an adapter
     * registered on the model is not reloaded either).
     */
    public Decoder load(String id) {
        Decoder decoder = loaded.get(id);
        return decoder != null ? decoder : loadOnce(id);
    }

    private synchronized Decoder loadOnce(String id) {
        Decoder known = loaded.get(id);
        if (known != null) {
            return known;
        }
        Decoder decoder = resolve(id);
        loaded.put(id, decoder);
        return decoder;
    }

    private Decoder resolve(String id) {
        int read = readLayer(id);
        if (ControlSpec.BASE_DECODER.equals(id)) {
            return new Decoder(id, null, read, 0);
        }
        Path dir = folder(id);
        Map<String, String> metadata = AdapterFile.readMetadata(dir);
        String base = metadata.get(AdapterFile.META_BASE_MODEL_DIGEST);
        if (base != null && !base.equals("sha256:" + models.digest())) {
            throw new InvalidControlException("decoder: adapter '" + id + "' was trained on weights " + base + ", not on the"
                    + " model this service steers (sha256:" + models.digest() + ")");
        }
        String write = metadata.get(AdapterFile.META_WRITE_LAYERS);
        String name = "decoder:" + id;
        if (models.model().adapter(name) == null) {
            models.model().addAdapter(AdapterFile.load(dir, name, models.model().config(), models.model().dataType()).adapter());
        }
        return new Decoder(id, name, read, write == null ? 0 : Integer.parseInt(write.split(",")[0].strip()));
    }

    /** The adapter folder of a decoder id. @throws InvalidControlException if there is none */
    private Path folder(String id) {
        Optional<AdapterEntry> published = catalog.find(id).filter(e -> ModelEvent.PUBLISHED.equals(e.status()));
        String uri = published.map(AdapterEntry::uri).orElse(null);
        if (uri != null && uri.startsWith("file:/")) {
            try {
                Path dir = Path.of(URI.create(uri));
                dir = Files.isDirectory(dir) ? dir : dir.getParent();
                if (dir != null && Files.isRegularFile(dir.resolve(AdapterFile.WEIGHTS_FILE))) {
                    return dir;
                }
            } catch (IllegalArgumentException e) {
                // not a usable file URI: fall through to the shipped decoders
            }
        }
        Path shipped = config.shippedDecoders().resolve(id).normalize();
        if (shipped.startsWith(config.shippedDecoders().normalize()) && Files.isRegularFile(shipped.resolve(AdapterFile.WEIGHTS_FILE))) {
            return shipped;
        }
        throw new InvalidControlException("decoder: no decoder adapter '" + id + "' (published: " + publishedIds()
                + "; shipped: " + shippedIds() + "; or \"base\" for the model without an adapter)");
    }

    private List<String> publishedIds() {
        List<String> ids = new ArrayList<>();
        for (AdapterEntry entry : catalog.list(false)) {
            ids.add(entry.adapterId());
        }
        return ids.size() > 10 ? ids.subList(0, 10) : ids;
    }

    private List<String> shippedIds() {
        try (var dirs = Files.list(config.shippedDecoders())) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve(AdapterFile.WEIGHTS_FILE)))
                    .map(d -> d.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
