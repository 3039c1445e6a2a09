package io.latentqa.steering.adapter;

import io.latentqa.core.events.ModelEvent;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

/** Steering's view of the decoder adapters it can use as a loss: kept up to date from latentqa.model-events. */
@ApplicationScoped
public class DecoderAdapterCatalog {

    private final DecoderAdapterRepository repository;

    DecoderAdapterCatalog(DecoderAdapterRepository repository) {
        this.repository = repository;
    }

    /**
     * Applies one model event; events about other kinds of adapter are skipped.
     *
     * @return true if the catalogue changed
     */
    public boolean apply(ModelEvent event) {
        if (!ModelEvent.DECODER.equals(event.kind())) {
            return false;
        }
        if (event.published()) {
            repository.upsertPublished(event);
        } else {
            repository.upsertRetired(event);
        }
        return true;
    }

    public Optional<DecoderAdapter> find(String adapterId) {
        return repository.find(adapterId);
    }

    public List<DecoderAdapter> list(boolean includeRetired) {
        return repository.list(includeRetired);
    }
}
