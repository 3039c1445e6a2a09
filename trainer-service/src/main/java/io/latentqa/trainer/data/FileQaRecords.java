package io.latentqa.trainer.data;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentqa.core.lit.LitRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * QA records read straight from the LatentQA data files (method doc §1.2): {@code <root>/<split>/qa.json}
 * (label → [[question, answer], ...]) joined by label with every record of the behaviour files beside it.
 * Files are taken in the reference's order (system, stimulus_completion, stimulus, then stimulus_v1 and
 * control); each record is paired with every QA pair of its label. The source of a record is its file
 * stem. For tests and offline use; the service reads dataset-service.
 */
public final class FileQaRecords implements QaRecordSource {

    /** Behaviour files in the order their examples are concatenated. */
    public static final List<String> FILES = List.of("system", "stimulus_completion", "stimulus", "stimulus_v1", "control");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;

    /** @param root the data folder holding one folder per split (e.g. {@code shared/data/latentqa}) */
    public FileQaRecords(Path root) {
        this.root = root;
    }

    @Override
    public List<QaRecord> find(QaFilter filter) {
        Path dir = root.resolve(filter.split());
        Path qaFile = dir.resolve("qa.json");
        if (!Files.isRegularFile(qaFile)) {
            // no QA pairs (e.g. the public train split): nothing can be trained on
            return List.of();
        }
        Map<String, List<List<String>>> qa = read(qaFile, new TypeReference<>() { });
        List<QaRecord> out = new ArrayList<>();
        for (String source : FILES) {
            Path file = dir.resolve(source + ".json");
            if (!Files.isRegularFile(file) || (!filter.sources().isEmpty() && !filter.sources().contains(source))) {
                continue;
            }
            List<Map<String, Object>> records = read(file, new TypeReference<>() { });
            for (int i = 0; i < records.size(); i++) {
                LitRecord record = LitRecord.fromJson(records.get(i));
                List<List<String>> pairs = qa.getOrDefault(record.label(), List.of());
                for (int p = 0; p < pairs.size(); p++) {
                    List<String> pair = pairs.get(p);
                    QaRecord qaRecord = new QaRecord(filter.split() + "/" + source + "/" + i + "/" + p, record.label(),
                            record, pair.get(0), pair.get(1), filter.split(), source);
                    if (filter.matches(qaRecord)) {
                        out.add(qaRecord);
                        if (filter.limit() > 0 && out.size() == filter.limit()) {
                            return out;
                        }
                    }
                }
            }
        }
        return out;
    }

    private static <T> T read(Path file, TypeReference<T> type) {
        try {
            return JSON.readValue(file.toFile(), type);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read LatentQA data file " + file, e);
        }
    }
}
