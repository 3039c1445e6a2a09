package io.latentqa.steering.control;

import java.nio.file.Files;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.latentqa.core.grammar.TemplateQa;
import io.latentqa.steering.SteeringServiceConfig;
import io.latentqa.steering.runtime.ModelHolder;
import jakarta.enterprise.context.ApplicationScoped;

/** Queues control jobs from requests, and reads and cancels them. */
@ApplicationScoped
public class ControlService {

    private final ControlRepository repository;
    private final DecoderLoss decoders;
    private final ModelHolder models;
    private final SteeringServiceConfig config;
    private final ControlSpecParser parser;
    private final ObjectMapper json;

    ControlService(ControlRepository repository, DecoderLoss decoders, ModelHolder models, SteeringServiceConfig config,
                   ObjectMapper json) {
        this.repository = repository;
        this.decoders = decoders;
        this.models = models;
        this.config = config;
        this.parser = new ControlSpecParser(config.defaultDecoder());
        this.json = json;
    }

    /**
     * Checks a request completely (fields, decoder, layers, prompt pool) and queues it; nothing is stored when a check
     * fails.
     *
     * @throws InvalidControlException saying which field to fix
     * @throws ControlConflictException if a job of that id exists
     */
    public ControlJob create(JsonNode request) {
        String decoder = parser.decoder(request);
        int readLayer = decoders.readLayer(decoder);
        ControlSpec spec = parser.parse(request, "control-" + UUID.randomUUID().toString().substring(0, 8), readLayer,
                models.model().config().nLayers());
        if (spec.prompts() == null && !Files.isRegularFile(config.dataDir().resolve("train/system.json"))) {
            throw new InvalidControlException("prompts: the built-in pool (train/system.json) is not in this service's data"
                    + " folder; upload a JSONL pool");
        }
        if (!repository.insert(spec, qaJson(spec.qa()), specJson(spec))) {
            throw new ControlConflictException("a control job '" + spec.id() + "' exists; choose another id or leave id out");
        }
        return repository.find(spec.id()).orElseThrow();
    }

    /** Asks a queued or running job to stop. */
    public ControlJob cancel(String id) {
        ControlJob job = repository.find(id).orElseThrow(() -> new ControlNotFoundException(id));
        if (!repository.requestCancel(id)) {
            throw new ControlConflictException("control job " + id + " is " + job.status() + "; only queued or running jobs can be"
                    + " cancelled");
        }
        return repository.find(id).orElseThrow();
    }

    ArrayNode qaJson(List<TemplateQa> qa) {
        ArrayNode pairs = json.createArrayNode();
        for (TemplateQa pair : qa) {
            pairs.add(json.createArrayNode().add(pair.question()).add(pair.answer()));
        }
        return pairs;
    }

    /** The spec as stored: every setting, the uploaded pool included. */
    ObjectNode specJson(ControlSpec spec) {
        ObjectNode node = json.createObjectNode()
                .put("samples", spec.samples())
                .put("steps", spec.steps())
                .put("learningRate", spec.learningRate())
                .put("perLayer", spec.perLayer())
                .put("decoder", spec.decoder())
                .put("seed", spec.seed())
                .put("heldOut", spec.heldOut())
                .put("maxNewTokens", spec.maxNewTokens());
        ObjectNode lora = node.putObject("lora")
                .put("rank", spec.lora().rank())
                .put("alpha", spec.lora().alpha())
                .put("dropout", spec.lora().dropout());
        ArrayNode targets = lora.putArray("targets");
        spec.lora().targets().forEach(t -> targets.add(t.moduleName()));
        ArrayNode layers = lora.putArray("layers");
        spec.lora().layers().forEach(layers::add);
        if (spec.prompts() == null) {
            node.put("prompts", "built-in: the user turns of train/system.json");
        } else {
            ArrayNode prompts = node.putArray("prompts");
            for (ControlSpec.PoolPrompt p : spec.prompts()) {
                ObjectNode line = prompts.addObject().put("prompt", p.prompt());
                if (p.response() != null) {
                    line.put("response", p.response());
                }
            }
        }
        return node;
    }
}
