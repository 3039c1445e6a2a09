package io.latentqa.capture.adapter;

import io.latentqa.core.events.AdapterEntry;
import io.latentqa.core.events.ModelEvent;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import ai.djl.ndarray.types.DataType;
import io.latentqa.capture.generate.BatchWorker;
import io.latentqa.capture.runtime.ModelHolder;
import io.latentqa.core.io.ModelLoader;
import io.latentqa.core.lora.Adapter;
import io.latentqa.core.lora.AdapterFile;
import io.latentqa.core.model.Llama;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Keeps the model's steering adapters in step with the registry (hot loading): a published adapter is
 * read from its {@code uri} (a PEFT adapter folder, or its {@code adapter_model.safetensors}), checked
 * against the announced digest (sha256 of {@code adapter_model.safetensors}) and registered on the model
 * under its adapter id; a retired one is removed. Adapters are swapped on the model thread between two
 * batches, so a running generation never loses its adapter halfway. An adapter that cannot be loaded stays
 * in the registry and its reason is kept for the 400 that a request naming it gets.
 */
@ApplicationScoped
public class SteeringAdapterLoader {

    private static final Logger LOG = Logger.getLogger(SteeringAdapterLoader.class);

    private final ModelHolder holder;
    private final SteeringAdapterRegistry registry;
    private final BatchWorker worker;
    private final Map<String, String> loadedDigests = new ConcurrentHashMap<>();
    private final Map<String, String> failures = new ConcurrentHashMap<>();

    SteeringAdapterLoader(ModelHolder holder, SteeringAdapterRegistry registry, BatchWorker worker) {
        this.holder = holder;
        this.registry = registry;
        this.worker = worker;
    }

    /** Loads the adapters that were published before this process started. */
    void loadPublished(@Observes StartupEvent event) {
        try {
            for (AdapterEntry adapter : registry.list(false)) {
                sync(adapter.adapterId());
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "could not load the published steering adapters at start");
        }
    }

    /** Brings one adapter in line with the registry: load, replace or remove it. Never throws. */
    public void sync(String adapterId) {
        try {
            Optional<AdapterEntry> entry = registry.find(adapterId);
            if (entry.isEmpty() || !ModelEvent.PUBLISHED.equals(entry.get().status())) {
                failures.remove(adapterId);
                if (loadedDigests.remove(adapterId) != null) {
                    worker.betweenBatches(() -> swap(adapterId, null));
                    LOG.infof("steering adapter %s retired: removed from the model", adapterId);
                }
                return;
            }
            AdapterEntry adapter = entry.get();
            if (adapter.digest() != null && adapter.digest().equals(loadedDigests.get(adapterId))) {
                return;
            }
            Adapter loaded = load(adapter);
            loadedDigests.put(adapterId, adapter.digest());
            failures.remove(adapterId);
            worker.betweenBatches(() -> swap(adapterId, loaded));
            LOG.infof("steering adapter %s (%s) loaded from %s", adapterId, adapter.digest(), adapter.uri());
        } catch (RuntimeException e) {
            failures.put(adapterId, e.getMessage());
            LOG.errorf("steering adapter %s could not be loaded: %s", adapterId, e.getMessage());
        }
    }

    /** Adapter ids a request may name now. */
    public Set<String> known() {
        return new TreeSet<>(holder.model().adapterNames());
    }

    /** Why a published adapter is not loaded, if it failed. */
    public Optional<String> failure(String adapterId) {
        return Optional.ofNullable(failures.get(adapterId));
    }

    private Adapter load(AdapterEntry adapter) {
        if (adapter.uri() == null) {
            throw new IllegalArgumentException("the model event gives no uri to load the adapter from");
        }
        Path path = toPath(adapter.uri());
        Path folder = Files.isDirectory(path) ? path : path.getParent();
        Path weights = folder == null ? null : folder.resolve(AdapterFile.WEIGHTS_FILE);
        if (weights == null || !Files.isRegularFile(weights)) {
            throw new IllegalArgumentException("no PEFT adapter at " + adapter.uri() + ": expected a folder with "
                    + AdapterFile.WEIGHTS_FILE + " and " + AdapterFile.CONFIG_FILE);
        }
        String digest = "sha256:" + ModelLoader.sha256(List.of(weights));
        if (!digest.equals(adapter.digest())) {
            throw new IllegalArgumentException("adapter file " + weights + " has digest " + digest
                    + " but the model event announced " + adapter.digest());
        }
        if (adapter.baseModelDigest() != null && !adapter.baseModelDigest().isBlank()
                && !adapter.baseModelDigest().replace("sha256:", "").equals(holder.digest())) {
            throw new IllegalArgumentException("adapter was trained on base model " + adapter.baseModelDigest()
                    + " but this service serves " + holder.modelId() + " sha256:" + holder.digest());
        }
        Llama model = holder.model();
        AdapterFile.Loaded loaded = AdapterFile.load(folder, adapter.adapterId(), model.config(), model.dataType());
        String trainedOn = loaded.metadata().get(AdapterFile.META_BASE_MODEL_DIGEST);
        if (trainedOn != null && !trainedOn.isBlank() && !trainedOn.replace("sha256:", "").equals(holder.digest())) {
            loaded.adapter().close();
            throw new IllegalArgumentException("adapter metadata says base model digest " + trainedOn
                    + " but this service serves sha256:" + holder.digest());
        }
        return loaded.adapter();
    }

    /** Runs on the model thread: replaces (or, with null, removes) the adapter registered under the id. */
    private void swap(String adapterId, Adapter replacement) {
        Llama model = holder.model();
        Adapter old = model.removeAdapter(adapterId);
        if (old != null) {
            old.close();
        }
        if (replacement != null) {
            model.addAdapter(replacement);
        }
    }

    private static Path toPath(String uri) {
        if (uri.startsWith("file:")) {
            return Path.of(URI.create(uri));
        }
        if (uri.contains("://")) {
            throw new IllegalArgumentException("adapter uri " + uri + " is not a file: URI or a local path;"
                    + " this service loads adapters from the local file system only");
        }
        return Path.of(uri);
    }
}
