package io.latentqa.capture;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;

import ai.djl.ndarray.NDManager;
import io.latentqa.capture.runtime.ModelHolder;
import io.latentqa.core.events.ActivationEvent;
import io.latentqa.core.events.ClaimCheck;
import io.latentqa.core.model.ForwardRequest;
import io.latentqa.core.model.ForwardResult;
import io.latentqa.core.model.RowPositions;
import io.latentqa.core.model.TokenBatch;
import io.latentqa.core.tokenizer.ChatMessage;
import io.latentqa.stack.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/**
 * The published events hold the activations an in-process forward computes over the same tokens: the
 * reference here is one plain forward of the whole sequence (no cache, no batch), independent of the
 * service's prefill-and-decode path.
 */
@QuarkusTest
@WithTestResource(RestartableKafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ActivationEventTest {

    static final String QUESTION = "Tell me one fact about owls.";

    /**
     * float32 reordering between a cached decode step and a full forward: per row, relative to the row's
     * largest value (position 0 is the attention sink, ~25,000 against ~200 elsewhere).
     */
    static final float F32_RELATIVE = 1e-5f;

    @Inject
    ModelHolder holder;

    JsonPath chat(String latentqa, int maxTokens) {
        return given().contentType("application/json")
                .body("{\"messages\": [{\"role\": \"user\", \"content\": \"" + QUESTION + "\"}], \"max_tokens\": "
                        + maxTokens + ", \"temperature\": 0, \"latentqa\": " + latentqa + "}")
                .when().post("/v1/chat/completions")
                .then().statusCode(200).extract().jsonPath();
    }

    /** Residuals of an in-process forward over {@code ids}: [layer slot][t][d]. */
    float[][][] forward(int[] ids, int[] layers) {
        try (NDManager manager = NDManager.newBaseManager()) {
            ForwardResult result = holder.model().forward(ForwardRequest.read(TokenBatch.of(ids),
                    Arrays.stream(layers).boxed().toList(), RowPositions.all()), manager);
            int d = holder.config().dim();
            float[][][] out = new float[layers.length][ids.length][];
            for (int l = 0; l < layers.length; l++) {
                float[] flat = result.residual(layers[l]).toFloatArray(); // (1, T, d)
                for (int t = 0; t < ids.length; t++) {
                    out[l][t] = Arrays.copyOfRange(flat, t * d, (t + 1) * d);
                }
            }
            return out;
        }
    }

    @Test
    void f32EventEqualsAnInProcessForwardOverTheSameTokens() {
        JsonPath answer = chat("{\"capture\": {\"layers\": [0, 15, 29], \"positions\": \"all\", \"dtype\": \"F32\"}}", 8);
        ActivationEvent event = CaptureTests.event(answer.getString("id"));
        int[] ids = event.tokenIds();
        int promptTokens = answer.getInt("usage.prompt_tokens");
        assertEquals(promptTokens + answer.getInt("usage.completion_tokens"), ids.length,
                "one row per prompt and completion token");
        assertArrayEquals(holder.promptIds(List.of(ChatMessage.user(QUESTION))), Arrays.copyOf(ids, promptTokens),
                "the event's prompt ids are the rendered, tokenized dialog");
        assertArrayEquals(new int[] {0, 15, 29}, event.layers());
        assertEquals("all", event.positions().toString());
        assertEquals(ActivationEvent.Source.TRAFFIC, event.source());
        assertEquals(holder.digest(), event.modelDigest());

        float[][][] captured = event.toArray();
        float[][][] reference = forward(ids, event.layers());
        double worstPrompt = 0;
        double worstCompletion = 0;
        for (int l = 0; l < 3; l++) {
            for (int t = 0; t < ids.length; t++) {
                double relative = maxAbsDiff(captured[l][t], reference[l][t]) / maxAbs(reference[l][t]);
                assertTrue(relative <= F32_RELATIVE, String.format(Locale.ROOT,
                        "layer %d, token %d: max |captured - forward| is %.3g of the row's largest value (allowed %.1g)",
                        event.layers()[l], t, relative, F32_RELATIVE));
                if (t < promptTokens) {
                    worstPrompt = Math.max(worstPrompt, relative);
                } else {
                    worstCompletion = Math.max(worstCompletion, relative);
                }
            }
        }
        System.out.printf(Locale.ROOT, "F32 event vs in-process forward: worst row-relative difference %.3g over the"
                + " prompt, %.3g over the completion (%d + %d tokens, layers 0, 15, 29)%n", worstPrompt, worstCompletion,
                promptTokens, ids.length - promptTokens);
    }

    @Test
    void bf16EventIsTheF32ActivationsRoundedToNearestEven() {
        JsonPath f32 = chat("{\"capture\": {\"layers\": [15], \"dtype\": \"F32\"}}", 6);
        JsonPath bf16 = chat("{\"capture\": {\"layers\": [15]}}", 6);
        assertEquals("BF16", bf16.getString("latentqa.activationEvent.dtype"));
        ActivationEvent exact = CaptureTests.event(f32.getString("id"));
        ActivationEvent rounded = CaptureTests.event(bf16.getString("id"));
        assertArrayEquals(exact.tokenIds(), rounded.tokenIds(), "greedy: both requests ran the same tokens");
        // BF16 bytes are half the F32 ones (plus the same header and ids)
        assertTrue(bf16.getLong("latentqa.activationEvent.bytes") < f32.getLong("latentqa.activationEvent.bytes") * 0.6);
        float[] a = exact.activations();
        float[] b = rounded.activations();
        int exactMatches = 0;
        for (int i = 0; i < a.length; i++) {
            assertEquals(0, Float.floatToRawIntBits(b[i]) & 0xFFFF, "a BF16 value has no low mantissa bits");
            if (Float.floatToRawIntBits(b[i]) == roundToBf16(a[i])) {
                exactMatches++;
            }
        }
        // the two requests ran alone with the same shapes, so the float32 values are the same bits
        assertEquals(a.length, exactMatches, "every BF16 value is the round-to-nearest-even of the F32 one");

        // and against the independent in-process forward: within BF16 rounding (2^-9 relative) plus F32 noise
        float[][][] reference = forward(rounded.tokenIds(), rounded.layers());
        float[][][] values = rounded.toArray();
        for (int t = 0; t < values[0].length; t++) {
            float rowMax = maxAbs(reference[0][t]);
            for (int i = 0; i < values[0][t].length; i++) {
                float r = reference[0][t][i];
                float allowed = Math.abs(r) / 256f + F32_RELATIVE * rowMax;
                assertTrue(Math.abs(values[0][t][i] - r) <= allowed, "token " + t + " dim " + i + ": " + values[0][t][i]
                        + " vs " + r);
            }
        }
    }

    @Test
    void positionsSelectRowsOfTheSequence() {
        JsonPath all = chat("{\"capture\": {\"layers\": [15], \"dtype\": \"F32\"}}", 5);
        ActivationEvent full = CaptureTests.event(all.getString("id"));
        int n = full.tokens();
        int d = full.dModel();
        float[] rows = full.layer(0);

        ActivationEvent last = CaptureTests.event(chat("{\"capture\": {\"layers\": [15], \"positions\": \"last:3\","
                + " \"dtype\": \"F32\"}}", 5).getString("id"));
        assertEquals(3, last.tokens());
        assertArrayEquals(Arrays.copyOfRange(full.tokenIds(), n - 3, n), last.tokenIds());
        assertClose(Arrays.copyOfRange(rows, (n - 3) * d, n * d), last.layer(0));

        ActivationEvent range = CaptureTests.event(chat("{\"capture\": {\"layers\": [15], \"positions\": \"range:2:6\","
                + " \"dtype\": \"F32\"}}", 5).getString("id"));
        assertEquals("range:2:6", range.positions().toString());
        assertClose(Arrays.copyOfRange(rows, 2 * d, 6 * d), range.layer(0));

        ActivationEvent mean = CaptureTests.event(chat("{\"capture\": {\"layers\": [15], \"positions\": \"mean\","
                + " \"dtype\": \"F32\"}}", 5).getString("id"));
        assertEquals(1, mean.tokens());
        assertArrayEquals(full.tokenIds(), mean.tokenIds(), "mean lists the averaged ids");
        float[] expected = new float[d];
        for (int i = 0; i < d; i++) {
            double sum = 0;
            for (int t = 0; t < n; t++) {
                sum += rows[t * d + i];
            }
            expected[i] = (float) (sum / n);
        }
        assertClose(expected, mean.layer(0));
    }

    @Test
    void largeEventGoesToTheBlobStoreBehindAClaimCheck() {
        int[] all = new int[30];
        Arrays.setAll(all, i -> i);
        JsonPath answer = chat("{\"capture\": {\"layers\": " + Arrays.toString(all) + ", \"dtype\": \"F32\"}}", 4);
        assertTrue(answer.getBoolean("latentqa.activationEvent.claimCheck"));
        long bytes = answer.getLong("latentqa.activationEvent.bytes");
        assertTrue(bytes > (1 << 20), "over the 1 MiB inline limit: " + bytes);
        byte[] value = CaptureTests.eventValue(answer.getString("id"));
        assertTrue(ClaimCheck.isClaimCheck(value));
        assertTrue(value.length < 4096, "the claim check is small: " + value.length);
        ActivationEvent event = CaptureTests.event(answer.getString("id"));
        assertEquals(30, event.layerCount());
        float[][][] reference = forward(event.tokenIds(), new int[] {29});
        float[][][] captured = event.toArray();
        for (int t = 0; t < event.tokens(); t++) {
            assertTrue(maxAbsDiff(captured[29][t], reference[0][t]) <= F32_RELATIVE * maxAbs(reference[0][t]));
        }
    }

    @Test
    void redactionLeavesTheDialogOut() {
        JsonPath plain = chat("{}", 4);
        ActivationEvent withDialog = CaptureTests.event(plain.getString("id"));
        assertTrue(withDialog.dialog().contains(QUESTION), withDialog.dialog());
        assertTrue(withDialog.dialog().contains("\"assistant\""), "the answer is part of the dialog");
        assertFalse(plain.getBoolean("latentqa.activationEvent.redacted"));

        JsonPath redacted = chat("{\"redact\": true}", 4);
        assertTrue(redacted.getBoolean("latentqa.activationEvent.redacted"));
        assertNull(CaptureTests.event(redacted.getString("id")).dialog());
    }

    @Test
    void captureOffPublishesNoEvent() {
        JsonPath answer = chat("{\"capture\": false}", 3);
        assertNull(answer.get("latentqa.activationEvent"));
    }

    // ------------------------------------------------------------------------------------------------

    /** float32 -> bfloat16 bits (as float32 bits), round to nearest even. */
    static int roundToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int bias = 0x7FFF + ((bits >>> 16) & 1);
        return (bits + bias) & 0xFFFF0000;
    }

    static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        float scale = maxAbs(expected);
        assertTrue(maxAbsDiff(expected, actual) <= 1e-6f * scale, "max diff " + maxAbsDiff(expected, actual));
    }

    static float maxAbs(float[] values) {
        float max = 0;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    static float maxAbsDiff(float[] a, float[] b) {
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
