package io.latentqa.trainer.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.latentqa.core.io.ModelLoader;
import io.latentqa.core.lora.AdapterFile;
import io.latentqa.trainer.TrainerConfig;
import io.latentqa.trainer.data.QaRecord;
import io.latentqa.trainer.data.QaRecordSource;
import io.latentqa.trainer.eval.EvalResult;
import io.latentqa.trainer.eval.LitEvaluator;
import io.latentqa.trainer.lit.LitExamples;
import io.latentqa.trainer.lit.LitTrainer;
import io.latentqa.trainer.lit.StepResult;
import io.latentqa.trainer.messaging.ModelEventProducer;
import io.latentqa.trainer.report.FidelityChart;
import io.latentqa.trainer.report.LossCurve;
import io.latentqa.trainer.runtime.ModelHolder;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Trains queued runs one at a time on one thread (one gradient collector per JVM): the oldest queued run
 * first; a run left RUNNING by a killed process is queued again at start and resumes from its newest
 * checkpoint. Per step it records the loss, throughput and ETA; it checkpoints every N steps and at the
 * end, evaluates, writes the loss curve, saves the adapter in PEFT layout and publishes it on
 * latentqa.model-events.
 */
@ApplicationScoped
public class TrainingRunner {

    private static final Logger LOG = Logger.getLogger(TrainingRunner.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Steps the ETA averages over. */
    private static final int ETA_WINDOW = 20;
    /** Multiple-choice items: the true answer among 9 answers of other labels (issue 6). */
    private static final int CHOICES = 10;

    private final RunRepository repository;
    private final RunService service;
    private final ModelHolder models;
    private final QaRecordSource records;
    private final ModelEventProducer events;
    private final TrainerConfig config;
    private volatile boolean stopping;
    private Thread thread;

    TrainingRunner(RunRepository repository, RunService service, ModelHolder models, QaRecordSource records,
                   ModelEventProducer events, TrainerConfig config) {
        this.repository = repository;
        this.service = service;
        this.models = models;
        this.records = records;
        this.events = events;
        this.config = config;
    }

    void onStart(@Observes StartupEvent start) {
        if (!config.runner().enabled()) {
            LOG.info("training runner disabled (latentqa.trainer.runner.enabled=false): runs are only queued");
            return;
        }
        int requeued = repository.requeueInterrupted();
        if (requeued > 0) {
            LOG.infof("%d interrupted run(s) queued again; they resume from their last checkpoint", requeued);
        }
        thread = new Thread(this::loop, "lit-trainer");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent stop) {
        stopping = true;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void loop() {
        while (!stopping) {
            try {
                Optional<Run> next = repository.nextQueued();
                if (next.isPresent()) {
                    train(next.get());
                } else {
                    Thread.sleep(config.runner().pollMillis());
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("training runner: " + e.getMessage(), e);
                sleepQuietly();
            }
        }
    }

    /**
     * Trains one run to its end (or to a cancel request); failures end the run as FAILED with the reason. Only a
     * failure to record that (the database is gone) leaves it RUNNING, and the next start queues it again.
     */
    void train(Run run) {
        String id = run.id();
        if (!repository.begin(id)) {
            return; // cancelled while queued
        }
        try {
            RunSpec spec = service.check(run.spec());
            ModelHolder.Loaded model = models.get(spec.model());
            repository.preparing(id, "fetching the training QA records");
            List<QaRecord> trainRecords = records.find(spec.data());
            repository.preparing(id, "building LIT examples from " + trainRecords.size() + " QA records");
            LitExamples.Built data = LitExamples.build(model.builder(), trainRecords);
            if (data.examples().isEmpty()) {
                throw new InvalidRunRequestException("none of the matching QA records could be built into LIT examples, e.g. "
                        + data.skipped().stream().findFirst().orElse("?"));
            }
            repository.preparing(id, "fetching and building the eval QA records");
            LitExamples.Built eval = LitExamples.build(model.builder(), records.find(spec.eval()));
            Path runDir = Path.of(config.stateDir()).resolve("runs").resolve(id).toAbsolutePath();
            Optional<String> last = repository.lastCheckpoint(id);
            String adapterName = "run:" + id;
            Optional<Path> init = service.initAdapter(spec);
            String initDigest = init.map(dir -> AdapterFile.readMetadata(dir).get(AdapterFile.META_BASE_MODEL_DIGEST)).orElse(null);
            if (initDigest != null && !initDigest.equals("sha256:" + model.files().digest())) {
                throw new InvalidRunRequestException("init: decoder adapter '" + spec.init() + "' was trained on weights " + initDigest
                        + ", not on this run's model (sha256:" + model.files().digest() + ")");
            }
            try (LitTrainer trainer = last.isPresent()
                    ? LitTrainer.resume(model.model(), spec.training(), data.examples(), adapterName, Path.of(last.get()))
                    : init.isPresent() ? LitTrainer.startFrom(model.model(), spec.training(), data.examples(), adapterName, init.get())
                    : LitTrainer.start(model.model(), spec.training(), data.examples(), adapterName)) {
                if (repository.cancelRequested(id)) {
                    repository.finish(id, RunStatus.CANCELLED, "cancelled before its first step", null, null, null, null);
                    return;
                }
                repository.training(id, trainer.totalSteps(), trainer.steps());
                LOG.infof("run %s: %d examples (%d skipped), %d steps%s", id, data.examples().size(), data.skipped().size(),
                        trainer.totalSteps(), last.map(p -> ", resumed from " + p)
                                .orElse(init.map(p -> ", starting from adapter " + p.getFileName()).orElse("")));
                Map<String, String> metadata = metadata(id, model, spec);
                LitEvaluator evaluator = new LitEvaluator(model.model(), model.builder(), model.files().tokenizer(),
                        spec.training().readLayer(), spec.training().writeLayer());
                // the ETA uses the recent steps: the machine's load changes during a long run
                ArrayDeque<Double> recent = new ArrayDeque<>();
                double recentSeconds = 0;
                while (!trainer.isDone()) {
                    if (repository.cancelRequested(id)) {
                        repository.finish(id, RunStatus.CANCELLED, "cancelled at step " + trainer.steps(), null, null, null, null);
                        return;
                    }
                    StepResult step = trainer.step();
                    recent.addLast(step.seconds());
                    recentSeconds += step.seconds();
                    if (recent.size() > ETA_WINDOW) {
                        recentSeconds -= recent.removeFirst();
                    }
                    double eta = recentSeconds / recent.size() * (trainer.totalSteps() - trainer.steps());
                    repository.step(id, step.step(), step.loss(), step.learningRate(), step.gradientNorm(), step.tokensPerSecond(), eta);
                    if (config.publishProgress()) {
                        events.progress(id, step.step(), trainer.totalSteps(), step.loss(), step.tokensPerSecond(), eta);
                    }
                    int every = spec.training().checkpointEvery();
                    if (every > 0 && step.step() % every == 0 && !trainer.isDone()) {
                        checkpoint(id, trainer, runDir, model, metadata);
                    }
                    if (spec.evalEvery() > 0 && step.step() % spec.evalEvery() == 0 && !trainer.isDone() && !eval.examples().isEmpty()) {
                        evaluate(id, trainer, evaluator, eval, spec, false);
                    }
                }
                checkpoint(id, trainer, runDir, model, metadata);
                EvalResult result = eval.examples().isEmpty() ? null : evaluate(id, trainer, evaluator, eval, spec, true);
                publish(id, trainer, runDir, model, spec, metadata, result);
            }
        } catch (InvalidRunRequestException | IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            LOG.errorf(e, "run %s failed", id);
            repository.finish(id, RunStatus.FAILED, e.getMessage(), null, null, null, null);
        } catch (RuntimeException | OutOfMemoryError e) {
            // a bug or an engine failure: the run ends FAILED with its cause instead of staying RUNNING until a restart
            LOG.errorf(e, "run %s failed unexpectedly", id);
            String hint = e instanceof OutOfMemoryError ? " (try a smaller batchSize with more gradAccum)" : "";
            repository.finish(id, RunStatus.FAILED, "internal error: " + e + hint, null, null, null, null);
        }
    }

    private void checkpoint(String id, LitTrainer trainer, Path runDir, ModelHolder.Loaded model, Map<String, String> metadata) {
        Path dir = runDir.resolve("checkpoints").resolve(String.format("step-%06d", trainer.steps()));
        trainer.save(dir, model.files().modelId(), metadata);
        repository.checkpoint(id, trainer.steps(), trainer.microSteps(), dir.toString());
    }

    private EvalResult evaluate(String id, LitTrainer trainer, LitEvaluator evaluator, LitExamples.Built eval, RunSpec spec,
                                boolean last) {
        LitEvaluator.Settings settings = new LitEvaluator.Settings(spec.evalLimit() == 0 ? eval.examples().size() : spec.evalLimit(),
                last ? spec.mcItems() : Math.min(spec.mcItems(), 4), CHOICES, last ? spec.generate() : 0, 48,
                spec.training().seed());
        EvalResult r = evaluator.evaluate(eval.records(), eval.examples(), trainer.adapter().name(), settings);
        repository.evaluation(id, trainer.steps(), r);
        LOG.infof("run %s step %d eval: %s", id, trainer.steps(), r);
        return r;
    }

    private void publish(String id, LitTrainer trainer, Path runDir, ModelHolder.Loaded model, RunSpec spec,
                         Map<String, String> metadata, EvalResult eval) {
        String adapterId = "decoder-" + id;
        Path adapterDir = Path.of(config.stateDir()).resolve("adapters").resolve(adapterId).toAbsolutePath();
        AdapterFile.save(trainer.adapter(), adapterDir, model.files().modelId(), metadata);
        String digest = "sha256:" + ModelLoader.sha256(List.of(adapterDir.resolve(AdapterFile.WEIGHTS_FILE)));
        Path report = runDir.resolve("report");
        writeReport(id, report, spec, trainer, eval);
        String uri = "file:" + adapterDir;
        repository.finish(id, RunStatus.SUCCEEDED, "trained " + trainer.steps() + " steps; adapter " + adapterId + " published",
                adapterId, uri, digest, report.toString());
        events.published(adapterId, digest, model.files().modelId(), "sha256:" + model.files().digest(), id, uri,
                spec.training().readLayer(), spec.training().writeLayer());
    }

    private void writeReport(String id, Path report, RunSpec spec, LitTrainer trainer, EvalResult eval) {
        List<LossCurve.Point> train = new ArrayList<>();
        for (double[] p : repository.losses(id, trainer.steps())) {
            train.add(new LossCurve.Point((int) p[0], p[1]));
        }
        List<LossCurve.Point> evalPoints = new ArrayList<>();
        for (double[] p : repository.evalLosses(id)) {
            evalPoints.add(new LossCurve.Point((int) p[0], p[1]));
        }
        LossCurve.write(report.resolve("loss-curve.png"), "run " + id + ": LIT training loss", train, evalPoints);
        if (eval != null && eval.mcItems() > 0) {
            FidelityChart.write(report.resolve("fidelity.svg"), eval.choice(), CHOICES, "run " + id + " at step "
                    + trainer.steps() + ": multiple choice on " + eval.mcItems() + " eval items, decoder and controls");
        }
        ObjectNode json = JSON.createObjectNode().put("runId", id).put("steps", trainer.steps()).put("model", spec.model());
        if (eval != null) {
            json.set("eval", JSON.valueToTree(eval));
        }
        try {
            Files.writeString(report.resolve("report.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + report.resolve("report.json"), e);
        }
    }

    private static Map<String, String> metadata(String id, ModelHolder.Loaded model, RunSpec spec) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(AdapterFile.META_BASE_MODEL_ID, model.files().modelId());
        metadata.put(AdapterFile.META_BASE_MODEL_DIGEST, "sha256:" + model.files().digest());
        metadata.put(AdapterFile.META_READ_LAYERS, Integer.toString(spec.training().readLayer()));
        metadata.put(AdapterFile.META_WRITE_LAYERS, Integer.toString(spec.training().writeLayer()));
        metadata.put(AdapterFile.META_TRAINING_RUN_ID, id);
        if (spec.init() != null) {
            metadata.put(AdapterFile.META_INIT_ADAPTER, spec.init());
        }
        return metadata;
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(config.runner().pollMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
