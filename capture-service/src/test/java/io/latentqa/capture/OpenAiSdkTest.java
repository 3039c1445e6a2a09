package io.latentqa.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;

import io.latentqa.core.events.ActivationEvent;
import io.latentqa.stack.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** The chat API through the official OpenAI Java SDK (com.openai:openai-java), unchanged. */
@QuarkusTest
@WithTestResource(RestartableKafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class OpenAiSdkTest {

    @TestHTTPResource("/v1")
    URL v1;

    OpenAIClient client;

    @BeforeEach
    void connect() {
        client = OpenAIOkHttpClient.builder()
                .baseUrl(v1.toString())
                .apiKey("not-needed")
                .timeout(Duration.ofMinutes(5))
                .maxRetries(0)
                .build();
    }

    @AfterEach
    void close() {
        client.close();
    }

    String modelId() {
        List<Model> models = client.models().list().data();
        assertEquals(1, models.size());
        return models.get(0).id();
    }

    @Test
    void sdkListsTheModelAndGetsAChatCompletion() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model(modelId())
                .addSystemMessage("Talk like a pirate.")
                .addUserMessage("Say hello to the crew.")
                .maxCompletionTokens(16)
                .temperature(0.0)
                .build();
        ChatCompletion completion = client.chat().completions().create(params);
        assertEquals(1, completion.choices().size());
        ChatCompletion.Choice choice = completion.choices().get(0);
        String text = choice.message().content().orElse("");
        assertFalse(text.isBlank());
        assertTrue(List.of(ChatCompletion.Choice.FinishReason.STOP, ChatCompletion.Choice.FinishReason.LENGTH)
                .contains(choice.finishReason()));
        var usage = completion.usage().orElseThrow();
        assertTrue(usage.promptTokens() > 10);
        assertEquals(usage.promptTokens() + usage.completionTokens(), usage.totalTokens());
        // the extension object comes through the SDK as an additional property
        JsonValue latentqa = completion._additionalProperties().get("latentqa");
        assertTrue(latentqa != null && latentqa.toString().contains("spooled"), String.valueOf(latentqa));
        ActivationEvent event = CaptureTests.event(completion.id());
        assertEquals(usage.totalTokens(), event.tokens());
        System.out.println("SDK chat: " + text);
    }

    @Test
    void sdkStreamsAChatCompletion() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model(modelId())
                .addUserMessage("Name three colours.")
                .maxCompletionTokens(16)
                .temperature(0.0)
                .seed(7)
                .streamOptions(com.openai.models.chat.completions.ChatCompletionStreamOptions.builder()
                        .includeUsage(true).build())
                .putAdditionalBodyProperty("latentqa", JsonValue.from(Map.of(
                        "capture", Map.of("layers", List.of(7, 15), "positions", "last:4", "dtype", "F32"))))
                .build();
        StringBuilder text = new StringBuilder();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                chunks.add(chunk);
                chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append));
            });
        }
        assertTrue(chunks.size() >= 3, "chunks: " + chunks.size());
        assertFalse(text.toString().isBlank());
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertTrue(last.choices().isEmpty(), "include_usage: the last chunk has no choices");
        int completionTokens = (int) last.usage().orElseThrow().completionTokens();
        assertTrue(completionTokens >= 1);
        ChatCompletionChunk finish = chunks.get(chunks.size() - 2);
        assertTrue(finish.choices().get(0).finishReason().isPresent());
        ActivationEvent event = CaptureTests.event(chunks.get(0).id());
        assertEquals(4, event.tokens());
        assertEquals(2, event.layerCount());
        System.out.println("SDK stream: " + text);
    }

    @Test
    void sdkSeesA400ForAnUnknownAdapter() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model(modelId())
                .addUserMessage("Hi")
                .putAdditionalBodyProperty("latentqa", JsonValue.from(Map.of("steering", "nope")))
                .build();
        BadRequestException error = assertThrows(BadRequestException.class,
                () -> client.chat().completions().create(params));
        assertTrue(error.getMessage().contains("nope"), error.getMessage());
    }
}
