package io.latentqa.steering.adapter;

import io.latentqa.core.events.AdapterCatalog;
import io.latentqa.core.events.ModelEvent;

import javax.sql.DataSource;

import jakarta.inject.Singleton;

/** Steering's view of the decoder adapters it can use as a loss, kept up to date from latentqa.model-events. */
@Singleton
public class DecoderAdapterCatalog extends AdapterCatalog {

    DecoderAdapterCatalog(DataSource dataSource) {
        super(dataSource, ModelEvent.DECODER, "decoder_adapters");
    }
}
