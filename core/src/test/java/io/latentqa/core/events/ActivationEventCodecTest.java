package io.latentqa.core.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentqa.core.io.SafetensorsDType;
import io.latentqa.core.io.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ActivationEventCodecTest {

    private static final Instant CREATED = Instant.parse("2026-11-29T10:15:30.123Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Ly = 2, N = 3, d = 4; values of very different magnitudes, like a residual with an attention sink. */
    private static ActivationEvent sample() {
        Random random = new Random(7);
        float[] values = new float[2 * 3 * 4];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(6) - 2));
        }
        values[0] = 25_000.5f;
        values[1] = -1e-3f;
        return new ActivationEvent("SmolLM2-135M-Instruct", "b179c952", new int[]{7, 15}, Positions.last(3),
                ActivationEvent.Source.TRAFFIC, "req-1", CREATED, "[{\"role\":\"user\",\"content\":\"hi\"}]",
                new int[]{1, 9148, 2}, 3, 4, values);
    }

    @Test
    void f32RoundTripIsExact() {
        ActivationEvent event = sample();
        ActivationEvent back = ActivationEventCodec.decode(ActivationEventCodec.encode(event, SafetensorsDType.F32));
        assertArrayEquals(event.activations(), back.activations());
        assertMetadataEqual(event, back);
    }

    @Test
    void bf16RoundTripIsWithinBf16Rounding() {
        ActivationEvent event = sample();
        ActivationEvent back = ActivationEventCodec.decode(ActivationEventCodec.encode(event));
        double worst = worstRelativeError(event.activations(), back.activations());
        // round to nearest with an 8-bit significand: relative error at most 2^-9 (tested against 2^-8)
        assertTrue(worst <= 0x1p-8, "BF16 relative error " + worst);
        assertTrue(worst > 0, "BF16 must actually round");
        assertMetadataEqual(event, back);
    }

    @Test
    void f16RoundTripIsWithinF16Rounding() {
        ActivationEvent event = sample();
        ActivationEvent back = ActivationEventCodec.decode(ActivationEventCodec.encode(event, SafetensorsDType.F16));
        float[] a = event.activations();
        float[] b = back.activations();
        for (int i = 0; i < a.length; i++) {
            // 11-bit significand: relative 2^-11 for normals; absolute 2^-25 below the normal range
            assertTrue(Math.abs(a[i] - b[i]) <= Math.max(Math.abs(a[i]) * 0x1p-11, 0x1p-25), i + ": " + a[i] + " vs " + b[i]);
        }
        assertMetadataEqual(event, back);
    }

    @Test
    void bytesFollowTheSafetensorsFormat() throws Exception {
        ActivationEvent event = sample();
        byte[] bytes = ActivationEventCodec.encode(event, SafetensorsDType.F32);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = buf.getLong(0);
        assertEquals(0, headerLength % 8, "header padded to 8 bytes");
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        JsonNode root = JSON.readTree(header);

        JsonNode meta = root.get("__metadata__");
        assertEquals("latentqa.activation/1", meta.get("schema").asText());
        assertEquals("7,15", meta.get("layers").asText());
        assertEquals("last:3", meta.get("positions").asText());
        assertEquals("traffic", meta.get("source").asText());
        assertEquals("2026-11-29T10:15:30.123Z", meta.get("created_at").asText());
        assertEquals(event.dialog(), meta.get("dialog").asText());

        JsonNode act = root.get("activations");
        assertEquals("F32", act.get("dtype").asText());
        assertEquals("[2,3,4]", act.get("shape").toString());
        JsonNode ids = root.get("token_ids");
        assertEquals("I32", ids.get("dtype").asText());
        assertEquals("[3]", ids.get("shape").toString());
        // F32 sorts before I32 in the safetensors layout: activations first, then token ids, no gaps
        assertEquals("[0,96]", act.get("data_offsets").toString());
        assertEquals("[96,108]", ids.get("data_offsets").toString());
        int dataStart = 8 + (int) headerLength;
        assertEquals(dataStart + 108, bytes.length);
        for (int i = 0; i < 24; i++) {
            assertEquals(event.activations()[i], buf.getFloat(dataStart + 4 * i), "little-endian float " + i);
        }
        assertEquals(9148, buf.getInt(dataStart + 96 + 4));
        // first float 25000.5f = 0x46C35100, stored least significant byte first
        assertEquals((byte) 0x00, bytes[dataStart]);
        assertEquals((byte) 0x51, bytes[dataStart + 1]);
        assertEquals((byte) 0xC3, bytes[dataStart + 2]);
        assertEquals((byte) 0x46, bytes[dataStart + 3]);
    }

    @Test
    void bf16BytesAreTheTopHalfOfTheFloat() throws Exception {
        ActivationEvent event = sample();
        byte[] bytes = ActivationEventCodec.encode(event);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int dataStart = 8 + (int) buf.getLong(0);
        JsonNode root = JSON.readTree(new String(bytes, 8, dataStart - 8, StandardCharsets.UTF_8));
        assertEquals("BF16", root.get("activations").get("dtype").asText());
        // I32 sorts before BF16: token ids first (12 bytes), then 24 BF16 values (48 bytes)
        assertEquals("[0,12]", root.get("token_ids").get("data_offsets").toString());
        assertEquals("[12,60]", root.get("activations").get("data_offsets").toString());
        // 25000.5f = 0x46C35100: round to nearest even of the top half gives 0x46C3
        assertEquals((short) 0x46C3, buf.getShort(dataStart + 12));
    }

    @Test
    void meanEventKeepsTheAveragedIds() {
        float[][] residual = {{1, 2, 3, 4, 5, 6}}; // one layer, T = 3, d = 2
        ActivationEvent event = ActivationEvent.capture("m", "d", new int[]{15}, Positions.MEAN,
                ActivationEvent.Source.EVAL, "r", CREATED, null, residual, new int[]{4, 5, 6}, 2);
        ActivationEvent back = ActivationEventCodec.decode(ActivationEventCodec.encode(event, SafetensorsDType.F32));
        assertArrayEquals(new float[]{3, 4}, back.activations());
        assertArrayEquals(new int[]{4, 5, 6}, back.tokenIds());
        assertEquals(1, back.tokens());
        assertNull(back.dialog());
    }

    // ------------------------------------------------------------------------------------------
    // malformed inputs

    @Test
    void garbageIsRejectedAsNotSafetensors() {
        assertRejected(new byte[]{1, 2, 3}, "not a valid safetensors file");
        byte[] hugeHeader = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array();
        assertRejected(hugeHeader, "header length");
        byte[] badJson = withHeader("{\"activations\": ");
        assertRejected(badJson, "not valid JSON");
    }

    @Test
    void missingMetadataIsRejected() {
        for (String key : new String[]{"schema", "model_id", "model_digest", "layers", "positions", "source",
                "request_id", "created_at"}) {
            Map<String, String> meta = ActivationEventCodec.metadata(sample());
            meta.remove(key);
            assertRejected(file(meta, sample().activations(), new long[]{2, 3, 4}, new int[]{1, 2, 3}),
                    "missing '" + key + "'");
        }
        assertRejected(file(Map.of(), sample().activations(), new long[]{2, 3, 4}, new int[]{1, 2, 3}),
                "missing 'schema'");
    }

    @Test
    void wrongSchemaAndMalformedFieldsAreRejected() {
        assertRejected(withMeta("schema", "latentqa.activation/2"), "unsupported schema");
        assertRejected(withMeta("positions", "first:3"), "positions 'first:3'");
        assertRejected(withMeta("source", "prod"), "source 'prod'");
        assertRejected(withMeta("created_at", "yesterday"), "malformed activation event metadata");
        assertRejected(withMeta("layers", "7,x"), "comma list");
    }

    @Test
    void shapeMismatchesAreRejected() {
        assertRejected(withMeta("layers", "15"), "names 1 layers but tensor activations has 2");
        assertRejected(file(ActivationEventCodec.metadata(sample()), sample().activations(), new long[]{2, 3, 4},
                new int[]{1, 2}), "token_ids has 2 ids but activations have 3 rows");
        assertRejected(file(ActivationEventCodec.metadata(sample()), sample().activations(), new long[]{6, 4},
                new int[]{1, 2, 3}), "shape [layers, tokens, d_model]");
        Map<String, String> meta = ActivationEventCodec.metadata(sample());
        meta.put("positions", "last:2");
        assertRejected(file(meta, sample().activations(), new long[]{2, 3, 4}, new int[]{1, 2, 3}),
                "allows at most 2 rows");
    }

    @Test
    void offsetsThatDoNotMatchTheShapeAreRejected() {
        String header = "{\"activations\":{\"dtype\":\"F32\",\"shape\":[1,1,2],\"data_offsets\":[0,4]}}";
        byte[] bytes = withHeader(header, new byte[4]);
        assertRejected(bytes, "span 4");
    }

    @Test
    void nanAndInfinityAreRejected() {
        float[] values = sample().activations().clone();
        values[13] = Float.NaN;
        byte[] bytes = file(ActivationEventCodec.metadata(sample()), values, new long[]{2, 3, 4}, new int[]{1, 2, 3});
        assertRejected(bytes, "holds NaN at flat index 13 (layer slot 1, row 0)");
        values[13] = Float.POSITIVE_INFINITY;
        assertRejected(file(ActivationEventCodec.metadata(sample()), values, new long[]{2, 3, 4}, new int[]{1, 2, 3}),
                "Infinity");
        ActivationEvent bad = new ActivationEvent("m", "d", new int[]{7, 15}, Positions.ALL,
                ActivationEvent.Source.EVAL, "r", CREATED, null, new int[]{1, 2, 3}, 3, 4, values);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ActivationEventCodec.encode(bad));
        assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
    }

    @Test
    void f16OverflowIsRefusedAtEncode() {
        float[] values = sample().activations().clone();
        values[2] = 70_000f;
        ActivationEvent big = new ActivationEvent("m", "d", new int[]{7, 15}, Positions.ALL,
                ActivationEvent.Source.EVAL, "r", CREATED, null, new int[]{1, 2, 3}, 3, 4, values);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ActivationEventCodec.encode(big, SafetensorsDType.F16));
        assertTrue(e.getMessage().contains("overflows F16"), e.getMessage());
    }

    @Test
    void extraOrWronglyTypedTensorsAreRejected() {
        byte[] extra = new SafetensorsWriter().metadata(ActivationEventCodec.metadata(sample()))
                .putFloats("activations", SafetensorsDType.F32, new long[]{2, 3, 4}, sample().activations())
                .putInts("token_ids", new long[]{3}, new int[]{1, 2, 3})
                .putInts("secret", new long[]{1}, new int[]{42}).toBytes();
        assertRejected(extra, "unexpected tensor 'secret'");
        byte[] intActs = new SafetensorsWriter().metadata(ActivationEventCodec.metadata(sample()))
                .putInts("activations", new long[]{2, 3, 4}, new int[24])
                .putInts("token_ids", new long[]{3}, new int[]{1, 2, 3}).toBytes();
        assertRejected(intActs, "dtype I32, expected BF16, F16 or F32");
        byte[] noIds = new SafetensorsWriter().metadata(ActivationEventCodec.metadata(sample()))
                .putFloats("activations", SafetensorsDType.F32, new long[]{2, 3, 4}, sample().activations()).toBytes();
        assertRejected(noIds, "must hold tensors activations and token_ids");
    }

    // ------------------------------------------------------------------------------------------
    // claim check

    @Test
    void smallEventsStayInline(@TempDir Path dir) throws Exception {
        ClaimCheck claims = new ClaimCheck(new LocalBlobStore(dir));
        byte[] bytes = ActivationEventCodec.encode(sample());
        assertSame(bytes, claims.toValue(bytes));
        assertFalse(ClaimCheck.isClaimCheck(bytes));
        assertSame(bytes, claims.resolve(bytes));
    }

    @Test
    void largeEventsGoThroughTheBlobStore(@TempDir Path dir) throws Exception {
        ActivationEvent event = sample();
        byte[] bytes = ActivationEventCodec.encode(event, SafetensorsDType.F32);
        ClaimCheck claims = new ClaimCheck(new LocalBlobStore(dir), 100); // the event is larger than 100 bytes
        byte[] value = claims.toValue(bytes);

        assertTrue(ClaimCheck.isClaimCheck(value));
        assertTrue(value.length < bytes.length + 600, "claim check is small: " + value.length);
        Map<String, String> meta = ActivationEventCodec.readMetadata(value);
        assertEquals("req-1", meta.get("request_id"));
        assertFalse(meta.containsKey("dialog"), "the dialog stays in the blob");
        assertTrue(Files.exists(Path.of(java.net.URI.create(meta.get("blob_uri")))));
        assertRejected(value, "is a claim check");

        ActivationEvent back = ActivationEventCodec.decode(claims.resolve(value));
        assertArrayEquals(event.activations(), back.activations());
        assertMetadataEqual(event, back);

        // a replaced blob is detected
        Files.write(Path.of(java.net.URI.create(meta.get("blob_uri"))), ActivationEventCodec.encode(event));
        InvalidActivationEventException e = assertThrows(InvalidActivationEventException.class, () -> claims.resolve(value));
        assertTrue(e.getMessage().contains("sha256"), e.getMessage());
    }

    @Test
    void blobStoreRefusesUrisOutsideItsDirectory(@TempDir Path dir) throws Exception {
        LocalBlobStore store = new LocalBlobStore(dir.resolve("blobs"));
        Files.writeString(dir.resolve("other"), "x");
        assertThrows(IllegalArgumentException.class, () -> store.get(dir.resolve("other").toUri()));
        assertThrows(IllegalArgumentException.class, () -> store.put("../escape", new byte[1]));
        assertThrows(java.io.IOException.class, () -> store.get(dir.resolve("blobs/missing").toUri()));
    }

    // ------------------------------------------------------------------------------------------

    private static void assertMetadataEqual(ActivationEvent expected, ActivationEvent actual) {
        assertEquals(expected.modelId(), actual.modelId());
        assertEquals(expected.modelDigest(), actual.modelDigest());
        assertArrayEquals(expected.layers(), actual.layers());
        assertEquals(expected.positions(), actual.positions());
        assertEquals(expected.source(), actual.source());
        assertEquals(expected.requestId(), actual.requestId());
        assertEquals(expected.createdAt(), actual.createdAt());
        assertEquals(expected.dialog(), actual.dialog());
        assertArrayEquals(expected.tokenIds(), actual.tokenIds());
        assertEquals(expected.tokens(), actual.tokens());
        assertEquals(expected.dModel(), actual.dModel());
    }

    private static double worstRelativeError(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.abs(a[i]));
        }
        return worst;
    }

    private static void assertRejected(byte[] bytes, String messagePart) {
        InvalidActivationEventException e = assertThrows(InvalidActivationEventException.class,
                () -> ActivationEventCodec.decode(bytes));
        assertTrue(e.getMessage().contains(messagePart), "expected '" + messagePart + "' in: " + e.getMessage());
    }

    private static byte[] withMeta(String key, String value) {
        Map<String, String> meta = ActivationEventCodec.metadata(sample());
        meta.put(key, value);
        return file(meta, sample().activations(), new long[]{2, 3, 4}, new int[]{1, 2, 3});
    }

    private static byte[] file(Map<String, String> meta, float[] activations, long[] shape, int[] ids) {
        return new SafetensorsWriter().metadata(new LinkedHashMap<>(meta))
                .putFloats("activations", SafetensorsDType.F32, shape, activations)
                .putInts("token_ids", new long[]{ids.length}, ids).toBytes();
    }

    private static byte[] withHeader(String header, byte[]... data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        int dataLength = data.length == 0 ? 0 : data[0].length;
        ByteBuffer buf = ByteBuffer.allocate(8 + json.length + dataLength).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(json.length).put(json);
        if (dataLength > 0) {
            buf.put(data[0]);
        }
        return buf.array();
    }
}
