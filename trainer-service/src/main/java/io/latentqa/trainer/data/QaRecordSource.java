package io.latentqa.trainer.data;

import java.util.List;

/** Where a run's QA records come from: dataset-service over HTTP, or the LatentQA JSON files. */
public interface QaRecordSource {

    /**
     * The records matching a filter, in a stable order (the same call gives the same list, which exact
     * resume relies on).
     *
     * @throws IllegalStateException if the source cannot be read
     */
    List<QaRecord> find(QaFilter filter);
}
