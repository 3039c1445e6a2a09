package io.latentqa.decoder.rest;

import java.util.ArrayList;
import java.util.List;

import io.latentqa.core.generate.GenerationSettings;
import io.latentqa.decoder.DecoderConfig;
import io.latentqa.decoder.adapter.DecoderAdapters;
import io.latentqa.decoder.adapter.DecoderChoice;
import io.latentqa.decoder.reading.ReadItem;
import io.latentqa.decoder.reading.ReadVectors;
import io.latentqa.decoder.reading.Reading;
import io.latentqa.decoder.runtime.ModelHolder;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** Asks the decoder questions about activations (method doc §5): answers with per-token log-probabilities. */
@Path("/v1/read")
@Produces(MediaType.APPLICATION_JSON)
public class ReadResource {

    private final ActivationSource source;
    private final DecoderAdapters adapters;
    private final ModelHolder holder;
    private final DecoderConfig.Read limits;

    ReadResource(ActivationSource source, DecoderAdapters adapters, ModelHolder holder, DecoderConfig config) {
        this.source = source;
        this.adapters = adapters;
        this.holder = holder;
        this.limits = config.read();
    }

    /** Reads an event from the stream cache, or a dialog captured first. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public ReadResponse read(ReadRequest request) {
        if (request == null) {
            throw ProblemException.badRequest("the body must be a read request: {\"activationId\" or \"dialog\","
                    + " \"question\" or \"questions\", ...}");
        }
        try (DecoderAdapters.Lease lease = lease(request.adapter())) {
            ReadVectors vectors = source.resolve(request.activationId(), request.dialog(), lease.choice().readLayer());
            return answer(vectors, request.activationId(), questions(request.question(), request.questions()), request,
                    lease.choice());
        }
    }

    /** Reads an uploaded activation event (safetensors bytes); the settings come as query parameters. */
    @POST
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    public ReadResponse readUpload(byte[] body, @QueryParam("question") List<String> question,
            @QueryParam("maxNewTokens") Integer maxNewTokens, @QueryParam("temperature") Float temperature,
            @QueryParam("topP") Float topP, @QueryParam("seed") Long seed, @QueryParam("adapter") String adapter) {
        ReadRequest request = new ReadRequest(null, null, null, question, maxNewTokens, temperature, topP, seed, adapter);
        try (DecoderAdapters.Lease lease = lease(adapter)) {
            ReadVectors vectors = source.upload(body, lease.choice().readLayer());
            return answer(vectors, vectors.activationId(), questions(null, question), request, lease.choice());
        }
    }

    private ReadResponse answer(ReadVectors vectors, String activationId, List<String> questions, ReadRequest request,
            DecoderChoice choice) {
        long start = System.nanoTime();
        List<ReadItem> items = questions.stream().map(q -> new ReadItem(vectors, q)).toList();
        List<Reading> readings;
        try {
            readings = holder.reader().read(items, settings(request), choice.modelAdapter(), choice.writeLayer());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw ProblemException.badRequest("cannot read: " + e.getMessage());
        }
        List<ReadResponse.Answer> answers = new ArrayList<>();
        for (Reading r : readings) {
            List<ReadResponse.Token> tokens = new ArrayList<>();
            for (int i = 0; i < r.tokenIds().length; i++) {
                tokens.add(new ReadResponse.Token(r.tokenIds()[i], r.tokens()[i], r.logProbs()[i]));
            }
            answers.add(new ReadResponse.Answer(r.question(), r.answer(), r.stopReason().name(), tokens));
        }
        return new ReadResponse(activationId, vectors.modelId(), choice.label(), choice.readLayer(), choice.writeLayer(),
                vectors.count(), answers, (System.nanoTime() - start) / 1_000_000);
    }

    private GenerationSettings settings(ReadRequest r) {
        int max = r.maxNewTokens() == null ? limits.maxNewTokens() : r.maxNewTokens();
        if (max < 1 || max > limits.maxNewTokensLimit()) {
            throw ProblemException.badRequest("maxNewTokens must be between 1 and " + limits.maxNewTokensLimit()
                    + ", got " + max);
        }
        float temperature = r.temperature() == null ? 0f : r.temperature();
        float topP = r.topP() == null ? 1f : r.topP();
        try {
            return new GenerationSettings(max, temperature, topP, r.seed() == null ? 0L : r.seed(),
                    holder.reader().stopTokens());
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest(e.getMessage());
        }
    }

    private List<String> questions(String question, List<String> questions) {
        List<String> all = new ArrayList<>();
        if (question != null) {
            all.add(question);
        }
        if (questions != null) {
            all.addAll(questions);
        }
        if (all.isEmpty() || all.stream().anyMatch(q -> q == null || q.isBlank())) {
            throw ProblemException.badRequest("ask at least one non-empty question (question or questions)");
        }
        if (all.size() > limits.maxQuestions()) {
            throw ProblemException.badRequest("at most " + limits.maxQuestions() + " questions per request, got "
                    + all.size());
        }
        return all;
    }

    private DecoderAdapters.Lease lease(String adapter) {
        try {
            return adapters.acquire(adapter);
        } catch (IllegalArgumentException e) {
            throw new ProblemException("adapter-not-found", "Decoder adapter not available", 404, e.getMessage());
        }
    }
}
