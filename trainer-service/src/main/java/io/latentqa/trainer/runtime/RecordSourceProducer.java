package io.latentqa.trainer.runtime;

import io.latentqa.trainer.TrainerConfig;
import io.latentqa.trainer.data.FileQaRecords;
import io.latentqa.trainer.data.HttpQaRecords;
import io.latentqa.trainer.data.QaRecordSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import java.net.URI;
import java.nio.file.Path;

/** Chooses where QA records come from ({@code latentqa.trainer.records.source}). */
@ApplicationScoped
public class RecordSourceProducer {

    @Produces
    @ApplicationScoped
    QaRecordSource recordSource(TrainerConfig config) {
        return switch (config.records().source()) {
            case "http" -> new HttpQaRecords(URI.create(config.records().url()));
            case "file" -> new FileQaRecords(Path.of(config.records().dataDir().orElseThrow(() -> new IllegalStateException(
                    "latentqa.trainer.records.source=file needs latentqa.trainer.records.data-dir (e.g. ../shared/data/latentqa)"))));
            default -> throw new IllegalStateException("latentqa.trainer.records.source must be http or file, got "
                    + config.records().source());
        };
    }
}
