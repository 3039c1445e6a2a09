package io.latentqa.capture.adapter;

import io.latentqa.core.events.AdapterCatalog;
import io.latentqa.core.events.ModelEvent;

import javax.sql.DataSource;

import jakarta.inject.Singleton;

/** Capture's view of the steering adapters, kept up to date from latentqa.model-events. */
@Singleton
public class SteeringAdapterRegistry extends AdapterCatalog {

    SteeringAdapterRegistry(DataSource dataSource) {
        super(dataSource, ModelEvent.STEERING, "steering_adapters");
    }
}
