package io.latentqa.steering.control;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.latentqa.core.io.ModelLoader;
import io.latentqa.core.lit.LitExample;
import io.latentqa.core.lit.LitPromptBuilder;
import io.latentqa.core.lora.AdapterFile;
import io.latentqa.core.lora.LoraConfig;
import io.latentqa.core.lora.LoraTarget;
import io.latentqa.core.steer.Steerer;
import io.latentqa.core.steer.SteeringConfig;
import io.latentqa.core.steer.SteeringDraw;
import io.latentqa.steering.SteeringServiceConfig;
import io.latentqa.steering.adapter.SteeringAdapterRepository;
import io.latentqa.steering.adapter.SteeringAdapterRepository.SteeringAdapter;
import io.latentqa.steering.messaging.ControlProgressProducer;
import io.latentqa.steering.messaging.ModelEventProducer;
import io.latentqa.steering.runtime.ModelHolder;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Runs queued control jobs one at a time on one thread (method doc §6):
 * <ol>
 *   <li>the prompt pool is split into prompts to steer on and held-out prompts ({@link PromptPool});</li>
 *   <li>the samples are drawn ({@link SteeringDraw}); the target answers the prompts whose (b) read needs its
 *       answer;</li>
 *   <li>the control loss on the held-out prompts and greedy generations on the evaluation prompts are measured
 *       with the target as it is;</li>
 *   <li>{@link Steerer} takes one Adam step per sample, recording the loss of each step;</li>
 *   <li>the loss and the generations are measured again with the steering adapter on, the adapter is saved in
 *       PEFT layout and published on latentqa.model-events, where capture-service picks it up.</li>
 * </ol>
 * A job left RUNNING by a process that died ends FAILED at the next start; it does not resume.
 */
@ApplicationScoped
public class ControlRunner {

    private static final Logger LOG = Logger.getLogger(ControlRunner.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Tokens of the target's own answer in a (b) read. */
    private static final int RESPONSE_TOKENS = 64;

    private final ControlRepository repository;
    private final SteeringAdapterRepository adapters;
    private final DecoderLoss decoders;
    private final ModelHolder models;
    private final ModelEventProducer events;
    private final ControlProgressProducer progress;
    private final SteeringServiceConfig config;
    private volatile boolean stopping;
    private Thread thread;

    ControlRunner(ControlRepository repository, SteeringAdapterRepository adapters, DecoderLoss decoders, ModelHolder models,
                  ModelEventProducer events, ControlProgressProducer progress, SteeringServiceConfig config) {
        this.repository = repository;
        this.adapters = adapters;
        this.decoders = decoders;
        this.models = models;
        this.events = events;
        this.progress = progress;
        this.config = config;
    }

    void onStart(@Observes StartupEvent start) {
        int failed = repository.failInterrupted();
        if (failed > 0) {
            LOG.infof("%d control job(s) were running when the service stopped: they ended FAILED", failed);
        }
        if (!config.runner().enabled()) {
            LOG.info("control runner disabled (latentqa.steering.runner.enabled=false): jobs are only queued");
            return;
        }
        thread = new Thread(this::loop, "control-runner");
        thread.setDaemon(true);
        thread.start();
    }

    /** Ends a running job FAILED at its next step and waits for it, so the model is not freed under it. */
    void onStop(@Observes ShutdownEvent stop) throws InterruptedException {
        stopping = true;
        if (thread != null) {
            thread.interrupt();
            thread.join(30_000);
        }
    }

    private void loop() {
        while (!stopping) {
            try {
                Optional<ControlJob> next = repository.nextQueued();
                if (next.isPresent()) {
                    run(next.get());
                } else {
                    Thread.sleep(config.runner().pollMillis());
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("control runner: " + e.getMessage(), e);
                try {
                    Thread.sleep(config.runner().pollMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** Runs one job to its end; every failure ends it FAILED with the reason. */
    void run(ControlJob job) {
        String id = job.id();
        if (!repository.begin(id)) {
            return; // cancelled while queued
        }
        LOG.infof("control job %s: started", id);
        progress.progress(id, ControlStatus.RUNNING.name(), 0, job.totalSteps(), null);
        try {
            Stored spec = Stored.of(job);
            DecoderLoss.Decoder decoder = decoders.load(spec.decoder);
            SteeringConfig steering = new SteeringConfig(decoder.readLayer(), decoder.writeLayer(), spec.lora, spec.learningRate,
                    spec.perLayer, spec.seed);
            PromptPool pool = spec.prompts == null ? PromptPool.builtIn(config.dataDir()) : PromptPool.split(spec.prompts);
            LitPromptBuilder builder = models.builder();

            repository.message(id, "drawing " + spec.samples + " samples and letting the target answer their prompts");
            List<SteeringDraw> draws = SteeringDraw.draw(pool.train().size(), spec.qa.size(), spec.samples, spec.seed);
            Map<Integer, String> responses = responses(pool.train(), draws);
            List<LitExample> samples = new ArrayList<>();
            for (SteeringDraw draw : draws) {
                ControlSpec.PoolPrompt prompt = pool.train().get(draw.prompt());
                samples.add(sample(builder, prompt.prompt(), draw.withResponse() ? responses.get(draw.prompt()) : null,
                        spec.qa.get(draw.qa())));
            }
            List<ControlSpec.PoolPrompt> heldOut = pool.heldOut().subList(0, Math.min(spec.heldOut, pool.heldOut().size()));
            List<LitExample> heldOutSamples = new ArrayList<>();
            for (ControlSpec.PoolPrompt prompt : heldOut) {
                for (String[] qa : spec.qa) {
                    heldOutSamples.add(sample(builder, prompt.prompt(), null, qa));
                }
            }
            List<String> evaluation = new ArrayList<>(PromptPool.evaluationPrompts(config.dataDir()));
            heldOut.forEach(p -> evaluation.add(p.prompt()));

            String adapterName = "steer:" + id;
            try (Steerer steerer = Steerer.start(models.model(), steering, adapterName, decoder.adapterName())) {
                repository.message(id, "measuring the target before steering");
                double lossBefore = steerer.loss(heldOutSamples, false);
                List<String> before = models.generate(evaluation, spec.maxNewTokens, null);
                for (int s = 0; s < spec.steps; s++) {
                    if (stopping) {
                        repository.finish(id, ControlStatus.FAILED, "the steering service stopped at step " + s + " of "
                                + spec.steps + "; submit the job again", null, null);
                        return;
                    }
                    if (repository.cancelRequested(id)) {
                        repository.finish(id, ControlStatus.CANCELLED, "cancelled at step " + s, null, null);
                        progress.progress(id, ControlStatus.CANCELLED.name(), s, spec.steps, null);
                        return;
                    }
                    Steerer.Step step = steerer.step(samples.get(s % samples.size()));
                    repository.step(id, step.step(), step.loss(), step.layerLosses(), step.gradientNorm(), step.seconds());
                    progress.progress(id, ControlStatus.RUNNING.name(), step.step(), spec.steps, step.loss());
                }
                repository.message(id, "measuring the steered target");
                double lossAfter = steerer.loss(heldOutSamples, true);
                List<String> after = models.generate(evaluation, spec.maxNewTokens, adapterName);
                String adapterId = publish(id, steerer, decoder);
                ObjectNode result = result(spec, decoder, pool, heldOut.size(), heldOutSamples.size(), lossBefore, lossAfter,
                        evaluation, before, after);
                repository.finish(id, ControlStatus.SUCCEEDED, String.format("steered %d steps; held-out control loss %.4f -> %.4f;"
                        + " adapter %s published", spec.steps, lossBefore, lossAfter, adapterId), result, adapterId);
                progress.progress(id, ControlStatus.SUCCEEDED.name(), spec.steps, spec.steps, null);
                LOG.infof("control job %s: loss %.4f -> %.4f, adapter %s", id, lossBefore, lossAfter, adapterId);
            }
        } catch (InvalidControlException | IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
            LOG.errorf(e, "control job %s failed", id);
            repository.finish(id, ControlStatus.FAILED, e.getMessage(), null, null);
            progress.progress(id, ControlStatus.FAILED.name(), 0, job.totalSteps(), null);
        } catch (RuntimeException | OutOfMemoryError e) {
            LOG.errorf(e, "control job %s failed unexpectedly", id);
            repository.finish(id, ControlStatus.FAILED, "internal error: " + e, null, null);
            progress.progress(id, ControlStatus.FAILED.name(), 0, job.totalSteps(), null);
        }
    }

    /** A pool prompt read (a) or (b) with one QA pair. */
    private static LitExample sample(LitPromptBuilder builder, String prompt, String response, String[] qa) {
        return builder.build(PromptPool.read(prompt, response), qa[0], qa[1]);
    }

    /** The target's greedy answers to the prompts whose (b) read is drawn (an uploaded response is used as it is). */
    private Map<Integer, String> responses(List<ControlSpec.PoolPrompt> prompts, List<SteeringDraw> draws) {
        Set<Integer> needed = new TreeSet<>();
        Map<Integer, String> responses = new HashMap<>();
        for (SteeringDraw draw : draws) {
            if (draw.withResponse()) {
                String given = prompts.get(draw.prompt()).response();
                if (given != null) {
                    responses.put(draw.prompt(), given);
                } else {
                    needed.add(draw.prompt());
                }
            }
        }
        List<Integer> order = new ArrayList<>(needed);
        List<String> answers = models.generate(order.stream().map(i -> prompts.get(i).prompt()).toList(), RESPONSE_TOKENS, null);
        for (int i = 0; i < order.size(); i++) {
            responses.put(order.get(i), answers.get(i));
        }
        return responses;
    }

    private String publish(String id, Steerer steerer, DecoderLoss.Decoder decoder) {
        String adapterId = "steer-" + id;
        Path dir = config.stateDir().resolve("adapters").resolve(adapterId).toAbsolutePath();
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(AdapterFile.META_BASE_MODEL_ID, models.modelId());
        metadata.put(AdapterFile.META_BASE_MODEL_DIGEST, "sha256:" + models.digest());
        metadata.put(AdapterFile.META_READ_LAYERS, Integer.toString(decoder.readLayer()));
        metadata.put(AdapterFile.META_TRAINING_RUN_ID, id);
        metadata.put("latentqa.decoder", decoder.id());
        AdapterFile.save(steerer.adapter(), dir, models.modelId(), metadata);
        String digest = "sha256:" + ModelLoader.sha256(List.of(dir.resolve(AdapterFile.WEIGHTS_FILE)));
        String uri = "file:" + dir;
        adapters.published(new SteeringAdapter(adapterId, id, "published", digest, uri, models.modelId(),
                "sha256:" + models.digest(), decoder.id(), null, null));
        events.published(adapterId, digest, models.modelId(), "sha256:" + models.digest(), id, uri, decoder.readLayer());
        return adapterId;
    }

    private ObjectNode result(Stored spec, DecoderLoss.Decoder decoder, PromptPool pool, int heldOutPrompts, int heldOutSamples,
                              double lossBefore, double lossAfter, List<String> prompts, List<String> before, List<String> after) {
        ObjectNode result = JSON.createObjectNode();
        result.put("decoder", decoder.id()).put("readLayer", decoder.readLayer()).put("writeLayer", decoder.writeLayer());
        result.put("trainPrompts", pool.train().size()).put("heldOutPrompts", heldOutPrompts).put("heldOutSamples", heldOutSamples);
        ObjectNode loss = result.putObject("controlLoss");
        loss.put("before", lossBefore).put("after", lossAfter);
        ArrayNode generations = result.putArray("generations");
        for (int i = 0; i < prompts.size(); i++) {
            generations.addObject().put("prompt", prompts.get(i)).put("before", before.get(i)).put("after", after.get(i));
        }
        return result;
    }

    /** A job's settings as stored (ControlService.specJson), read back. */
    private record Stored(List<String[]> qa, List<ControlSpec.PoolPrompt> prompts, int samples, int steps, double learningRate,
                          LoraConfig lora, boolean perLayer, String decoder, long seed, int heldOut, int maxNewTokens) {

        static Stored of(ControlJob job) {
            JsonNode s = job.spec();
            List<String[]> qa = new ArrayList<>();
            for (JsonNode pair : job.qa()) {
                qa.add(new String[] {pair.get(0).asText(), pair.get(1).asText()});
            }
            List<ControlSpec.PoolPrompt> prompts = null;
            if (s.path("prompts").isArray()) {
                prompts = new ArrayList<>();
                for (JsonNode p : s.get("prompts")) {
                    prompts.add(new ControlSpec.PoolPrompt(p.get("prompt").asText(), p.hasNonNull("response")
                            ? p.get("response").asText() : null));
                }
            }
            JsonNode l = s.get("lora");
            Set<LoraTarget> targets = EnumSet.noneOf(LoraTarget.class);
            l.get("targets").forEach(t -> targets.add(LoraTarget.parse(t.asText())));
            List<Integer> layers = new ArrayList<>();
            l.get("layers").forEach(layer -> layers.add(layer.asInt()));
            LoraConfig lora = LoraConfig.of(l.get("rank").asInt(), (float) l.get("alpha").asDouble(),
                    (float) l.get("dropout").asDouble(), targets).withLayers(layers);
            return new Stored(qa, prompts, s.get("samples").asInt(), s.get("steps").asInt(), s.get("learningRate").asDouble(),
                    lora, s.get("perLayer").asBoolean(), s.get("decoder").asText(), s.get("seed").asLong(),
                    s.get("heldOut").asInt(), s.get("maxNewTokens").asInt());
        }
    }
}
