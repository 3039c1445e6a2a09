package io.latentqa.dataset.imports;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.latentqa.dataset.DatasetConfig;
import io.latentqa.dataset.job.InvalidParamsException;
import io.latentqa.dataset.job.Jdbc;
import io.latentqa.dataset.job.JobContext;
import io.latentqa.dataset.job.JobHandler;
import io.latentqa.dataset.job.JobOutcome;
import io.latentqa.dataset.job.JobParams;
import io.latentqa.dataset.job.JobType;
import io.latentqa.dataset.record.ControlRepository;
import io.latentqa.dataset.record.Dialog;
import io.latentqa.dataset.record.DialogRepository;
import io.latentqa.dataset.record.Labels;
import io.latentqa.dataset.record.QaPair;
import io.latentqa.dataset.record.QaPairRepository;
import io.latentqa.dataset.record.Upserts;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * import-latentqa: reads LatentQA files (any subset of the data folder) and writes one control per label, one
 * dialog per behaviour record and one QA pair per [question, answer], joined later by label (method doc §1.2).
 * <p>
 * Everything is read and checked first; then all writes happen in one transaction, so a job commits all its
 * records or none (a cancel or a shutdown rolls back; a resumed import simply runs again). Rows have natural
 * keys (file + label + n-th record of the label in the file; file + label + pair index), so importing twice
 * adds nothing and a changed record is updated in place.
 * <p>
 * Params: {@code dataDir} (default {@code latentqa.dataset.data-dir}), {@code files} (paths relative to it;
 * default every *.json in its eval/ and train/ folders), {@code skipInvalid} (default false: any invalid record
 * fails the job with nothing written; true: valid records are imported and invalid ones reported).
 */
@ApplicationScoped
public class ImportJob implements JobHandler {

    static final Set<String> PARAMS = Set.of("dataDir", "files", "skipInvalid");
    static final List<String> DEFAULT_FOLDERS = List.of("eval", "train");
    /** Rows per round trip to the database. */
    static final int BATCH = 500;

    private final DataSource dataSource;
    private final ControlRepository controls;
    private final DialogRepository dialogs;
    private final QaPairRepository qaPairs;
    private final ObjectMapper json;
    private final DatasetConfig config;

    ImportJob(DataSource dataSource, ControlRepository controls, DialogRepository dialogs, QaPairRepository qaPairs,
            ObjectMapper json, DatasetConfig config) {
        this.dataSource = dataSource;
        this.controls = controls;
        this.dialogs = dialogs;
        this.qaPairs = qaPairs;
        this.json = json;
        this.config = config;
    }

    @Override
    public JobType type() {
        return JobType.IMPORT_LATENTQA;
    }

    /** The files of a job, resolved and checked. */
    record Plan(Path root, List<String> files, boolean skipInvalid) {
    }

    @Override
    public void validate(JsonNode params) {
        plan(params);
    }

    Plan plan(JsonNode raw) {
        JobParams params = JobParams.of(type(), raw, PARAMS);
        Path root = params.string("dataDir").map(Path::of).orElse(config.dataDir()).toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new InvalidParamsException("the data folder " + root + " does not exist; set"
                    + " latentqa.dataset.data-dir (LATENTQA_DATA_DIR) or params.dataDir to the folder that holds"
                    + " eval/ and train/ of the LatentQA data");
        }
        List<String> files = params.strings("files").orElseGet(() -> discover(root));
        if (files.isEmpty()) {
            throw new InvalidParamsException("no *.json files under " + root + "/eval or /train; name them in"
                    + " params.files, relative to the data folder");
        }
        List<String> checked = new ArrayList<>();
        for (String file : files) {
            Path relative = Path.of(file).normalize();
            if (relative.isAbsolute() || relative.startsWith("..") || !file.endsWith(".json")) {
                throw new InvalidParamsException("params.files must name .json files relative to the data folder "
                        + root + " (e.g. eval/control.json), got '" + file + "'");
            }
            if (!Files.isRegularFile(root.resolve(relative))) {
                throw new InvalidParamsException("file '" + file + "' is not in the data folder " + root
                        + "; files there: " + String.join(", ", discover(root)));
            }
            String name = relative.toString().replace('\\', '/');
            if (!checked.contains(name)) {
                checked.add(name);
            }
        }
        return new Plan(root, checked, params.bool("skipInvalid", false));
    }

    /** @return every *.json in the eval/ and train/ folders of the data folder, sorted */
    static List<String> discover(Path root) {
        List<String> files = new ArrayList<>();
        for (String folder : DEFAULT_FOLDERS) {
            Path dir = root.resolve(folder);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> entries = Files.list(dir)) {
                entries.filter(path -> path.getFileName().toString().endsWith(".json") && Files.isRegularFile(path))
                        .map(path -> folder + "/" + path.getFileName())
                        .sorted()
                        .forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir, e);
            }
        }
        return files;
    }

    @Override
    public JobOutcome run(JobContext context) throws Exception {
        Plan plan = plan(context.params());
        List<ParsedFile> parsed = read(context, plan);
        int errors = parsed.stream().mapToInt(file -> file.errors().size()).sum();
        ObjectNode result = json.createObjectNode();
        result.put("dataDir", plan.root().toString());
        ArrayNode files = result.putArray("files");
        for (ParsedFile file : parsed) {
            files.addObject().put("file", file.file()).put("kind", file.qa() ? "qa" : "behaviour")
                    .put("records", file.records().size()).put("pairs", file.pairs().size())
                    .put("errors", file.errors().size());
        }
        result.put("errors", errors);
        if (errors > 0 && !plan.skipInvalid()) {
            result.put("written", false);
            return JobOutcome.failed(result, errors + " invalid record(s) in "
                    + parsed.stream().filter(file -> !file.errors().isEmpty()).count() + " file(s); nothing was"
                    + " imported. Fix them (file and position in errors) or import with skipInvalid=true");
        }
        Upserts controlCounts = new Upserts();
        Upserts dialogCounts = new Upserts();
        Upserts pairCounts = new Upserts();
        Jdbc.inTransaction(dataSource, connection -> {
            writeControls(connection, controlsByLabel(parsed), controlCounts, context);
            writeRecords(connection, parsed, dialogCounts, pairCounts, context);
            return null;
        });
        result.put("written", true);
        result.set("controls", json.valueToTree(controlCounts.asMap()));
        result.set("dialogs", json.valueToTree(dialogCounts.asMap()));
        result.set("qaPairs", json.valueToTree(pairCounts.asMap()));
        return JobOutcome.succeeded(result);
    }

    /** Reads and checks every file; reports the errors; sets the total to the valid records and pairs. */
    private List<ParsedFile> read(JobContext context, Plan plan) {
        LatentQaFiles reader = new LatentQaFiles(json);
        List<ParsedFile> parsed = new ArrayList<>();
        for (String file : plan.files()) {
            context.checkpoint();
            ParsedFile read = reader.read(plan.root(), file);
            parsed.add(read);
            read.errors().forEach(context::error);
        }
        context.total(parsed.stream().mapToInt(ParsedFile::units).sum());
        return parsed;
    }

    private void writeControls(Connection connection, Map<String, BehaviourRecord> controlOf, Upserts counts,
            JobContext context) throws SQLException {
        List<ControlRepository.Imported> batch = new ArrayList<>();
        for (BehaviourRecord record : controlOf.values()) {
            context.checkpoint();
            batch.add(new ControlRepository.Imported(record.label(), Labels.kindOf(record.label()),
                    record.controlText(), record.rank(), record.file(), record.position(), context.jobId()));
            if (batch.size() == BATCH) {
                controls.upsertImported(connection, batch).forEach(counts::count);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            controls.upsertImported(connection, batch).forEach(counts::count);
        }
    }

    private void writeRecords(Connection connection, List<ParsedFile> parsed, Upserts dialogCounts, Upserts pairCounts,
            JobContext context) throws SQLException {
        List<Dialog> dialogBatch = new ArrayList<>();
        List<QaPair> pairBatch = new ArrayList<>();
        for (ParsedFile file : parsed) {
            for (BehaviourRecord record : file.records()) {
                context.checkpoint();
                dialogBatch.add(Dialog.toWrite(
                        "import:" + record.file() + "#" + record.label() + "#" + record.nthOfLabel(), record.label(),
                        Labels.kindOf(record.label()), record.kind(), record.controlText(), record.stimulusText(),
                        json.valueToTree(record.messages()), "import", record.file(), record.position(),
                        context.jobId()));
                if (dialogBatch.size() == BATCH) {
                    writeDialogs(connection, dialogBatch, dialogCounts, context);
                }
            }
            for (QaEntry pair : file.pairs()) {
                context.checkpoint();
                pairBatch.add(new QaPair("import:" + pair.file() + "#" + pair.label() + "#" + pair.index(),
                        pair.label(), pair.question(), pair.answer(), "import", null, pair.file(), pair.position(),
                        context.jobId()));
                if (pairBatch.size() == BATCH) {
                    writePairs(connection, pairBatch, pairCounts, context);
                }
            }
        }
        writeDialogs(connection, dialogBatch, dialogCounts, context);
        writePairs(connection, pairBatch, pairCounts, context);
    }

    private void writeDialogs(Connection connection, List<Dialog> batch, Upserts counts, JobContext context)
            throws SQLException {
        if (!batch.isEmpty()) {
            dialogs.upsertAll(connection, batch).forEach(counts::count);
            context.done(context.doneCount() + batch.size());
            batch.clear();
        }
    }

    private void writePairs(Connection connection, List<QaPair> batch, Upserts counts, JobContext context)
            throws SQLException {
        if (!batch.isEmpty()) {
            qaPairs.upsertAll(connection, batch).forEach(counts::count);
            context.done(context.doneCount() + batch.size());
            batch.clear();
        }
    }

    /** One control per label: the best-ranked record's wording (system, control, stimulus_completion, stimulus). */
    static Map<String, BehaviourRecord> controlsByLabel(List<ParsedFile> parsed) {
        Comparator<BehaviourRecord> better = Comparator.comparingInt(BehaviourRecord::rank)
                .thenComparing(BehaviourRecord::file).thenComparingInt(BehaviourRecord::index);
        Map<String, BehaviourRecord> best = new LinkedHashMap<>();
        for (ParsedFile file : parsed) {
            for (BehaviourRecord record : file.records()) {
                best.merge(record.label(), record, (a, b) -> better.compare(a, b) <= 0 ? a : b);
            }
        }
        return best;
    }
}
