package io.latentqa.capture.adapter;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

/** Capture's view of the steering adapters: kept up to date from latentqa.model-events. */
@ApplicationScoped
public class SteeringAdapterRegistry {

    private final ModelEventReader reader;
    private final SteeringAdapterRepository repository;

    SteeringAdapterRegistry(ModelEventReader reader, SteeringAdapterRepository repository) {
        this.reader = reader;
        this.repository = repository;
    }

    /**
     * Applies one model event; events about other kinds of adapter are skipped.
     *
     * @return true if the registry changed
     * @throws InvalidModelEventException if the record does not follow the topic's contract
     */
    public boolean apply(String key, byte[] value) {
        ModelEvent event = reader.read(key, value);
        if (!ModelEvent.STEERING.equals(event.kind())) {
            return false;
        }
        if (event.published()) {
            repository.upsertPublished(event);
        } else {
            repository.upsertRetired(event);
        }
        return true;
    }

    public Optional<SteeringAdapter> find(String adapterId) {
        return repository.find(adapterId);
    }

    public List<SteeringAdapter> list(boolean includeRetired) {
        return repository.list(includeRetired);
    }
}
