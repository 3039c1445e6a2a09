package io.latentqa.capture.adapter;

import io.latentqa.core.events.ModelEvent;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

/** Capture's view of the steering adapters: kept up to date from latentqa.model-events. */
@ApplicationScoped
public class SteeringAdapterRegistry {

    private final SteeringAdapterRepository repository;

    SteeringAdapterRegistry(SteeringAdapterRepository repository) {
        this.repository = repository;
    }

    /**
     * Applies one model event; events about other kinds of adapter are skipped.
     *
     * @return true if the registry changed
     */
    public boolean apply(ModelEvent event) {
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
