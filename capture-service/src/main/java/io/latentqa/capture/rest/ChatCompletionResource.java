package io.latentqa.capture.rest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.capture.activation.CapturePolicy;
import io.latentqa.capture.activation.CaptureSpec;
import io.latentqa.capture.activation.CapturedEvent;
import io.latentqa.capture.chat.ChatCompletionChunk;
import io.latentqa.capture.chat.ChatCompletionResponse;
import io.latentqa.capture.chat.ChatCompletionResponse.LatentQa;
import io.latentqa.capture.chat.ChatCompletionResponse.Usage;
import io.latentqa.capture.chat.ChatRequest;
import io.latentqa.capture.chat.ChatRequestParser;
import io.latentqa.capture.chat.ChatService;
import io.latentqa.capture.generate.GenerationJob;
import io.latentqa.capture.generate.GenerationResult;
import io.latentqa.core.events.ActivationEvent;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

/**
 * OpenAI-compatible chat completions on the served model, with activation capture. The body is read as
 * bytes whatever its content type (curl's {@code -d} sends a form type), so every body that is not a
 * JSON object gets the same clear 400 problem. {@code "stream": true} answers with server-sent events in
 * OpenAI's chunk format, ending with {@code data: [DONE]}.
 */
@Path("/v1/chat/completions")
public class ChatCompletionResource {

    private static final Logger LOG = Logger.getLogger(ChatCompletionResource.class);
    private static final String EVENT_STREAM = "text/event-stream";

    private final ChatService chat;
    private final CapturePolicy policy;
    private final ChatRequestParser parser;
    private final ObjectMapper json;

    ChatCompletionResource(ChatService chat, CapturePolicy policy, ObjectMapper json) {
        this.chat = chat;
        this.policy = policy;
        this.parser = new ChatRequestParser(json);
        this.json = json;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response complete(byte[] body) {
        try {
            return answer(body);
        } catch (ProblemException e) {
            return openAiProblem(e.problem());
        }
    }

    /**
     * A problem+json body that also carries OpenAI's {@code error} object, so that OpenAI clients show the
     * detail (the SDKs read {@code error.message}).
     */
    private static Response openAiProblem(Problem problem) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", problem.type());
        body.put("title", problem.title());
        body.put("status", problem.status());
        body.put("detail", problem.detail());
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", problem.detail());
        error.put("type", problem.status() < 500 ? "invalid_request_error" : "server_error");
        error.put("param", null);
        error.put("code", problem.type().substring(problem.type().lastIndexOf(':') + 1));
        body.put("error", error);
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(body).build();
    }

    private Response answer(byte[] body) {
        ChatRequest request = parser.parse(body);
        String modelId = chat.holder().modelId();
        if (request.model() != null && !request.model().isBlank() && !request.model().equals(modelId)) {
            throw new ProblemException("model-not-found", "Model not found", 404, "this service serves '" + modelId
                    + "', not '" + request.model() + "' (see GET /v1/models)");
        }
        CaptureSpec capture = policy.resolve(request.latentqa());
        String requestId = ChatService.newRequestId();
        ChatService.Prepared prepared = chat.prepare(requestId, request.messages(), request.maxTokens(),
                request.temperature(), request.topP(), request.seed(), request.stop(), request.steering(), capture);
        long created = System.currentTimeMillis() / 1000;
        if (request.stream()) {
            return stream(request, prepared, created);
        }
        GenerationJob job = chat.submit(prepared, null);
        GenerationResult result = await(job);
        CapturedEvent event = chat.capture(prepared, result, ActivationEvent.Source.TRAFFIC);
        ChatCompletionResponse response = new ChatCompletionResponse(requestId, ChatCompletionResponse.OBJECT, created,
                modelId, fingerprint(), List.of(new ChatCompletionResponse.Choice(0,
                        new ChatCompletionResponse.Message("assistant", result.text(), null), null,
                        result.finishReason().wireName())),
                Usage.of(result.promptIds().length, result.completionIds().length),
                new LatentQa(requestId, prepared.adapter(), result.batchRows(), event));
        return Response.ok(response, MediaType.APPLICATION_JSON).header("X-Request-Id", requestId).build();
    }

    private Response stream(ChatRequest request, ChatService.Prepared prepared, long created) {
        BlockingQueue<Object> items = new LinkedBlockingQueue<>();
        GenerationJob job = chat.submit(prepared, items::add);
        job.result().whenComplete((result, error) -> items.add(result != null ? result : error));
        String id = prepared.requestId();
        String modelId = chat.holder().modelId();
        StreamingOutput output = out -> {
            try {
                send(out, chunk(id, created, modelId, new ChatCompletionChunk.Delta("assistant", ""), null, null, null));
                while (true) {
                    Object item = items.take();
                    if (item instanceof String delta) {
                        send(out, chunk(id, created, modelId, new ChatCompletionChunk.Delta(null, delta), null, null,
                                null));
                    } else if (item instanceof GenerationResult result) {
                        CapturedEvent event = chat.capture(prepared, result, ActivationEvent.Source.TRAFFIC);
                        Usage usage = Usage.of(result.promptIds().length, result.completionIds().length);
                        LatentQa latentqa = new LatentQa(id, prepared.adapter(), result.batchRows(), event);
                        send(out, chunk(id, created, modelId, new ChatCompletionChunk.Delta(null, null),
                                result.finishReason().wireName(), usage, latentqa));
                        if (request.includeUsage()) {
                            send(out, new ChatCompletionChunk(id, ChatCompletionChunk.OBJECT, created, modelId,
                                    fingerprint(), List.of(), usage, null));
                        }
                        break;
                    } else {
                        Throwable error = item instanceof Throwable t ? t : new IllegalStateException(String.valueOf(item));
                        LOG.errorf(error, "streamed request %s failed", id);
                        String message = json.writeValueAsString(Map.of("error", Map.of(
                                "message", "generation failed: " + error.getMessage(), "type", "server_error")));
                        out.write(("data: " + message + "\n\n").getBytes(StandardCharsets.UTF_8));
                        break;
                    }
                }
                out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                // the client went away: free its row of the batch
                job.cancel();
                throw e;
            } catch (InterruptedException e) {
                job.cancel();
                Thread.currentThread().interrupt();
            }
        };
        return Response.ok(output, EVENT_STREAM)
                .header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no")
                .header("X-Request-Id", id)
                .build();
    }

    private ChatCompletionChunk chunk(String id, long created, String modelId, ChatCompletionChunk.Delta delta,
            String finishReason, Usage usage, LatentQa latentqa) {
        return new ChatCompletionChunk(id, ChatCompletionChunk.OBJECT, created, modelId, fingerprint(),
                List.of(new ChatCompletionChunk.Choice(0, delta, null, finishReason)), usage, latentqa);
    }

    private void send(OutputStream out, ChatCompletionChunk chunk) throws IOException {
        try {
            out.write(("data: " + json.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    private static GenerationResult await(GenerationJob job) {
        try {
            return job.result().get();
        } catch (InterruptedException e) {
            job.cancel();
            Thread.currentThread().interrupt();
            throw new ProblemException("interrupted", "Interrupted", 503, "the request was interrupted; retry it");
        } catch (CancellationException e) {
            throw new ProblemException("cancelled", "Cancelled", 503, "the request was cancelled; retry it");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException) {
                throw ProblemException.badRequest(cause.getMessage());
            }
            throw new ProblemException("generation-failed", "Generation failed", 500,
                    "the model failed on this request: " + cause);
        }
    }

    /** {@code system_fingerprint}: the first 16 hex digits of the weights' sha256. */
    private String fingerprint() {
        return "fp_" + chat.holder().digest().substring(0, 16);
    }
}
