package io.latentqa.trainer.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.latentqa.core.io.ModelLoader;
import io.latentqa.core.lora.AdapterFile;
import io.latentqa.core.lora.LoraConfig;
import io.latentqa.trainer.TrainerConfig;
import io.latentqa.trainer.data.QaFilter;
import io.latentqa.trainer.data.QaRecord;
import io.latentqa.trainer.data.QaRecordSource;
import io.latentqa.trainer.lit.LitTrainer;
import io.latentqa.trainer.lit.TrainingConfig;
import io.latentqa.trainer.messaging.ModelEventProducer;
import io.latentqa.trainer.runtime.ModelHolder;

import jakarta.enterprise.context.ApplicationScoped;

/** Queues training runs from requests (Kafka records or REST calls) and reads them back. */
@ApplicationScoped
public class RunService {

    /**
     * Run ids: what Kafka keys, URLs and file names can all carry, short enough that the adapter ids made from
     * them ({@code decoder-<run>-step-<step>}) stay within the 128 characters of an adapter id.
     */
    public static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private final RunRepository repository;
    private final ObjectMapper json;
    private final RunSpecParser parser;
    private final ModelHolder models;
    private final QaRecordSource records;
    private final ModelEventProducer events;
    private final Path adaptersDir;
    private final Path shippedDecoders;

    RunService(RunRepository repository, ObjectMapper json, TrainerConfig config, ModelHolder models, QaRecordSource records,
               ModelEventProducer events) {
        this.repository = repository;
        this.json = json;
        this.parser = new RunSpecParser(config.defaultModel(), config.defaultSplit(), config.defaultEvalSplit());
        this.models = models;
        this.records = records;
        this.events = events;
        this.adaptersDir = Path.of(config.stateDir()).resolve("adapters").toAbsolutePath();
        this.shippedDecoders = Path.of(config.shippedDecoders()).toAbsolutePath().normalize();
    }

    /**
     * Parses and checks a spec: the model exists, the layers are blocks of it, the LoRA shape and the
     * hyperparameters are valid, and the data filter matches at least one QA record.
     *
     * @throws InvalidRunRequestException saying what to fix
     */
    public RunSpec check(JsonNode spec) {
        String model = parser.model(spec);
        int layers;
        try {
            layers = models.layers(model);
        } catch (IllegalArgumentException e) {
            throw new InvalidRunRequestException("model: " + e.getMessage(), e);
        }
        RunSpec parsed = parser.parse(spec, layers);
        List<QaRecord> found;
        try {
            found = records.find(parsed.data().withLimit(1));
        } catch (RuntimeException e) {
            throw new InvalidRunRequestException("cannot check the data filter: " + e.getMessage(), e);
        }
        if (found.isEmpty()) {
            throw new InvalidRunRequestException("no QA records match data " + describe(parsed.data())
                    + "; widen the filter (split, kinds, sources, labelPrefix) or import records into dataset-service first");
        }
        if (parsed.init() != null) {
            checkInit(parsed, initAdapter(parsed).orElseThrow());
        }
        return parsed;
    }

    /**
     * The folder of the adapter a spec starts from ({@code init}): an adapter published by a run of this service
     * ({@code <state>/adapters/<id>}), else one shipped with the product ({@code decoders/<id>}); empty when the
     * spec starts from PEFT's initialisation.
     *
     * @throws InvalidRunRequestException if there is no adapter of that id
     */
    public Optional<Path> initAdapter(RunSpec spec) {
        if (spec.init() == null) {
            return Optional.empty();
        }
        for (Path dir : List.of(adaptersDir.resolve(spec.init()), shippedDecoders.resolve(spec.init()))) {
            if (Files.isRegularFile(dir.resolve(AdapterFile.WEIGHTS_FILE))) {
                return Optional.of(dir);
            }
        }
        throw new InvalidRunRequestException("init: no decoder adapter '" + spec.init() + "' among the adapters published by"
                + " training runs or shipped with the product (" + shippedIds() + ")");
    }

    /**
     * The adapter's LoRA shape must be the spec's (the run trains those matrices on), and so must its layers: a
     * decoder trained to read block 15 does not read block 20.
     */
    private static void checkInit(RunSpec spec, Path dir) {
        LoraConfig found = AdapterFile.readConfig(dir);
        LoraConfig wanted = spec.training().lora();
        if (found.rank() != wanted.rank() || found.alpha() != wanted.alpha() || !found.targets().equals(wanted.targets())) {
            throw new InvalidRunRequestException("init: decoder adapter '" + spec.init() + "' has LoRA rank " + found.rank()
                    + ", alpha " + found.alpha() + ", targets " + found.targets() + "; the run asks for rank " + wanted.rank()
                    + ", alpha " + wanted.alpha() + ", targets " + wanted.targets() + ": set lora to the adapter's");
        }
        Map<String, String> metadata = AdapterFile.readMetadata(dir);
        String read = metadata.get(AdapterFile.META_READ_LAYERS);
        String write = metadata.get(AdapterFile.META_WRITE_LAYERS);
        if ((read != null && !read.equals(Integer.toString(spec.training().readLayer())))
                || (write != null && !write.equals(Integer.toString(spec.training().writeLayer())))) {
            throw new InvalidRunRequestException("init: decoder adapter '" + spec.init() + "' reads after block " + read
                    + " and writes after block " + write + "; the run asks for " + spec.training().readLayer() + " and "
                    + spec.training().writeLayer() + ": set readLayer and writeLayer to the adapter's");
        }
    }

    private String shippedIds() {
        try (var dirs = Files.list(shippedDecoders)) {
            List<String> ids = dirs.filter(d -> Files.isRegularFile(d.resolve(AdapterFile.WEIGHTS_FILE)))
                    .map(d -> d.getFileName().toString()).sorted().toList();
            return ids.isEmpty() ? "none shipped" : "shipped: " + String.join(", ", ids);
        } catch (IOException e) {
            return "none shipped";
        }
    }

    /** How many runs train before this one, and a message saying so. */
    public String queueMessage(String runId) {
        int ahead = repository.ahead(runId);
        return ahead == 0 ? "queued; starts next" : "queued behind " + ahead + " run" + (ahead == 1 ? "" : "s")
                + " (one run trains at a time)";
    }

    /** Asks a run to stop. */
    public Run cancel(String runId) {
        requireRunId(runId, "the run id");
        Run run = repository.find(runId).orElseThrow();
        if (!repository.requestCancel(runId)) {
            throw new InvalidRunRequestException("run " + runId + " is " + run.status() + "; only queued or running runs can be"
                    + " cancelled");
        }
        return repository.find(runId).orElseThrow();
    }

    /**
     * Queues a failed or cancelled run again; it resumes from its last checkpoint (the same steps an
     * uninterrupted run takes), or starts over if it wrote none.
     */
    public Run resume(String runId) {
        requireRunId(runId, "the run id");
        Run run = repository.find(runId).orElseThrow();
        String from = repository.lastCheckpoint(runId)
                .map(path -> "queued; resumes from its checkpoint " + path)
                .orElse("queued; starts over (it wrote no checkpoint)");
        if (!repository.requeue(runId, from)) {
            throw new RunStateException("run " + runId + " is " + run.status() + "; only failed or cancelled runs can be resumed");
        }
        return repository.find(runId).orElseThrow();
    }

    /**
     * Trains a succeeded run further, to {@code steps} optimizer steps in all, under the same id: it resumes
     * from the checkpoint of its last step (adapter, AdamW moments, data cursor, seeds), so the steps it adds
     * are the ones a run asked for {@code steps} from the start would have taken, and it publishes its
     * adapter again when done. That holds only for a constant learning rate after the warm-up; a cosine
     * schedule spreads its decay over the run's length, so such a run cannot be extended.
     *
     * @throws RunStateException if the run has not succeeded (resume a failed or cancelled one instead)
     * @throws InvalidRunRequestException if {@code steps} is missing or not past the run's last step, or the
     *                                    schedule is not constant
     */
    public Run extend(String runId, Integer steps) {
        requireRunId(runId, "the run id");
        Run run = repository.find(runId).orElseThrow();
        if (run.status() != RunStatus.SUCCEEDED) {
            throw new RunStateException("run " + runId + " is " + run.status() + "; only succeeded runs can be extended"
                    + (run.status() == RunStatus.FAILED || run.status() == RunStatus.CANCELLED ? " (resume this one)" : ""));
        }
        int taken = run.progress().step();
        if (steps == null) {
            throw new InvalidRunRequestException("send {\"steps\": N}: the run's new total of optimizer steps, more than the "
                    + taken + " it has taken");
        }
        if (steps <= taken) {
            throw new InvalidRunRequestException("steps must be more than the " + taken + " steps run " + runId
                    + " has taken, got " + steps);
        }
        ObjectNode extended = run.spec().deepCopy();
        extended.remove("steps"); // a top-level steps would be shadowed by hyperparameters.steps
        ObjectNode hyper = extended.get("hyperparameters") instanceof ObjectNode h ? h : extended.putObject("hyperparameters");
        hyper.put("steps", steps);
        RunSpec spec = check(extended);
        if (spec.training().schedule() != TrainingConfig.Schedule.CONSTANT) {
            throw new InvalidRunRequestException("run " + runId + " decays its learning rate with a "
                    + spec.training().schedule().name().toLowerCase(Locale.ROOT) + " schedule over its " + taken
                    + " steps, so more steps would not continue it; only constant-schedule runs can be extended."
                    + " Queue a new run with the steps you want");
        }
        String checkpoint = repository.lastCheckpoint(runId).orElseThrow(() -> new RunStateException("run " + runId
                + " has no checkpoint to continue from"));
        String message = "queued; extends from step " + taken + " to " + steps + " from its checkpoint " + checkpoint;
        if (!repository.requeueExtended(runId, extended.toString(), steps, message)) {
            throw new RunStateException("run " + runId + " changed state while being extended; read it and try again");
        }
        return repository.find(runId).orElseThrow();
    }

    /** A run's checkpoints, oldest first. */
    public List<Checkpoint> checkpoints(String runId) {
        return repository.checkpoints(runId).entrySet().stream().map(e -> new Checkpoint(e.getKey(), e.getValue())).toList();
    }

    /** A checkpoint folder of a run: adapter/, AdamW state, data cursor. */
    public record Checkpoint(int step, String path) {
    }

    /** The adapter of a checkpoint, published under its own id. */
    public record PublishedCheckpoint(String runId, int step, String adapterId, String adapterUri, String adapterDigest) {
    }

    /**
     * Publishes the adapter of one of a run's checkpoints on latentqa.model-events under its own id,
     * {@code decoder-<run>-step-<step>}, so that a stage of a run stays servable after the run trains on (an
     * extended run publishes its own id again). A recorded checkpoint is complete, so any run state will do.
     *
     * @throws InvalidRunRequestException if {@code step} is missing or the run has no checkpoint there
     * @throws RunStateException if the checkpoint's adapter files are gone
     */
    public PublishedCheckpoint publishCheckpoint(String runId, Integer step) {
        requireRunId(runId, "the run id");
        SortedMap<Integer, String> checkpoints = repository.checkpoints(runId);
        if (step == null) {
            throw new InvalidRunRequestException("send {\"step\": N}: the step of one of the run's checkpoints; "
                    + describeCheckpoints(runId, checkpoints));
        }
        if (!checkpoints.containsKey(step)) {
            throw new InvalidRunRequestException("run " + runId + " has no checkpoint at step " + step + "; "
                    + describeCheckpoints(runId, checkpoints));
        }
        Path source = Path.of(checkpoints.get(step)).resolve(LitTrainer.ADAPTER_DIR);
        if (!Files.isRegularFile(source.resolve(AdapterFile.WEIGHTS_FILE))) {
            throw new RunStateException("the checkpoint of run " + runId + " at step " + step + " has no "
                    + AdapterFile.WEIGHTS_FILE + " in " + source + " any more");
        }
        String adapterId = "decoder-" + runId + "-step-" + step;
        Path target = adaptersDir.resolve(adapterId);
        try {
            Files.createDirectories(target);
            for (String file : List.of(AdapterFile.WEIGHTS_FILE, AdapterFile.CONFIG_FILE)) {
                Files.copy(source.resolve(file), target.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the adapter of " + source + " to " + target, e);
        }
        String digest = "sha256:" + ModelLoader.sha256(List.of(target.resolve(AdapterFile.WEIGHTS_FILE)));
        Map<String, String> metadata = AdapterFile.readMetadata(target);
        String uri = "file:" + target;
        events.published(adapterId, digest, metadata.get(AdapterFile.META_BASE_MODEL_ID),
                metadata.get(AdapterFile.META_BASE_MODEL_DIGEST), runId, uri,
                Integer.parseInt(metadata.get(AdapterFile.META_READ_LAYERS)), Integer.parseInt(metadata.get(AdapterFile.META_WRITE_LAYERS)));
        return new PublishedCheckpoint(runId, step, adapterId, uri, digest);
    }

    private static String describeCheckpoints(String runId, SortedMap<Integer, String> checkpoints) {
        if (checkpoints.isEmpty()) {
            return "run " + runId + " has none yet";
        }
        int count = checkpoints.size();
        String steps = count == 1 ? " checkpoint, at step " + checkpoints.firstKey()
                : count <= 10 ? " checkpoints, at steps " + checkpoints.keySet().stream().map(String::valueOf).collect(Collectors.joining(", "))
                : " checkpoints, from step " + checkpoints.firstKey() + " to " + checkpoints.lastKey();
        return "run " + runId + " has " + count + steps + " (GET /v1/runs/" + runId + "/checkpoints)";
    }

    private static String describe(QaFilter filter) {
        return "{split " + filter.split() + (filter.kinds().isEmpty() ? "" : ", kinds " + filter.kinds())
                + (filter.sources().isEmpty() ? "" : ", sources " + filter.sources())
                + (filter.labelPrefix().isEmpty() ? "" : ", labelPrefix '" + filter.labelPrefix() + "'") + "}";
    }


    /**
     * Queues the run a training request asks for; a request for a run id that exists is ignored.
     *
     * @param runId the record key
     * @param value the record value: the run spec, a JSON object
     * @return the stored run
     * @throws InvalidRunRequestException if the key or the value is not what the topic's contract says
     */
    public Run queue(String runId, byte[] value) {
        requireRunId(runId, "the record key");
        if (value == null || value.length == 0) {
            throw new InvalidRunRequestException("training request " + runId
                    + " has no value; expected a JSON object with the run spec");
        }
        JsonNode spec;
        try {
            spec = json.readTree(value);
        } catch (JsonProcessingException e) {
            throw new InvalidRunRequestException("training request " + runId
                    + " is not valid JSON (" + e.getOriginalMessage() + "); expected a JSON object with the run spec", e);
        } catch (IOException e) {
            throw new InvalidRunRequestException("training request " + runId + " cannot be read: " + e.getMessage(), e);
        }
        return queue(runId, spec, RunSource.KAFKA);
    }

    /**
     * Queues a run requested over REST.
     *
     * @param runId the run id, or null to have one made
     * @param spec the run spec, a JSON object
     * @return the stored run
     * @throws InvalidRunRequestException if the id or the spec is malformed, or the run id is taken
     */
    public Run create(String runId, JsonNode spec) {
        String id = runId == null ? "run-" + UUID.randomUUID() : runId;
        requireRunId(id, "id");
        if (repository.find(id).isPresent()) {
            throw new RunExistsException(id);
        }
        return queue(id, spec, RunSource.REST);
    }

    public Optional<Run> find(String runId) {
        requireRunId(runId, "the run id");
        return repository.find(runId);
    }

    public java.util.List<Run> list(int limit) {
        if (limit < 1 || limit > 1000) {
            throw new InvalidRunRequestException("limit must be between 1 and 1000, got " + limit);
        }
        return repository.list(limit);
    }

    private Run queue(String runId, JsonNode spec, RunSource source) {
        if (spec == null || !spec.isObject()) {
            throw new InvalidRunRequestException("the spec of run " + runId + " must be a JSON object, got "
                    + (spec == null || spec.isNull() ? "nothing" : spec.getNodeType().toString().toLowerCase()));
        }
        if (repository.find(runId).isPresent()) {
            return repository.find(runId).orElseThrow(); // a redelivered request changes nothing
        }
        check(spec);
        repository.insertQueued(runId, spec.toString(), source);
        return repository.find(runId).orElseThrow();
    }

    private static void requireRunId(String runId, String what) {
        if (runId == null || !RUN_ID.matcher(runId).matches()) {
            throw new InvalidRunRequestException(what + " must be a run id (1-100 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit), got " + (runId == null ? "none" : "'" + runId + "'"));
        }
    }

    /** A request the run's current status does not allow. */
    public static class RunStateException extends RuntimeException {
        public RunStateException(String message) {
            super(message);
        }
    }

    /** A REST request for a run id that is already taken. */
    public static class RunExistsException extends RuntimeException {
        public RunExistsException(String runId) {
            super("run " + runId + " exists already; choose another id or leave it out to have one made");
        }
    }
}
