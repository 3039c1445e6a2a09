package io.latentqa.decoder.adapter;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.latentqa.core.lora.AdapterFile;
import io.latentqa.decoder.runtime.ModelHolder;
import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * The decoder that ships in the repository ({@code decoders/}) becomes the default at start, and a damaged
 * or foreign one does not: the engine's PEFT reference adapter stands in for the foreign and damaged cases.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ShippedDecoderTest {

    /** The repository's shipped decoder, seen from this module's folder (where the tests run). */
    static final Path SHIPPED = Path.of("../decoders/latentqa-smollm2-135m-v1");

    @Inject
    ShippedDecoder shipped;

    @Inject
    DecoderAdapters adapters;

    @Inject
    ModelHolder holder;

    @TempDir
    Path temp;

    @AfterEach
    void backToTheBaseModel() {
        adapters.available().stream().filter(id -> !id.equals("base")).forEach(adapters::retire);
        assertNull(adapters.current().adapterId());
    }

    @Test
    void theRepositorysDecoderIsIntactAndBecomesTheDefault() {
        shipped.install(SHIPPED);
        DecoderChoice current = adapters.current();
        assertEquals("latentqa-smollm2-135m-v1", current.adapterId());
        Map<String, String> metadata = AdapterFile.readMetadata(SHIPPED);
        assertEquals(Integer.parseInt(metadata.get(AdapterFile.META_READ_LAYERS)), current.readLayer());
        assertEquals("sha256:" + holder.digest(), metadata.get(AdapterFile.META_BASE_MODEL_DIGEST));
        given().get("/v1/decoders").then().statusCode(200)
                .body("default", is("latentqa-smollm2-135m-v1"))
                .body("decoders.id", contains("base", "latentqa-smollm2-135m-v1"))
                .body("decoders[1].readLayer", is(current.readLayer()));
    }

    @Test
    void damagedWeightsStopTheServiceNamingBothDigests() throws Exception {
        Path dir = copyOfReference("damaged");
        Files.writeString(dir.resolve(ShippedDecoder.SUMS_FILE), "0".repeat(64) + "  " + AdapterFile.WEIGHTS_FILE + "\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> shipped.install(dir));
        assertTrue(e.getMessage().contains("is damaged") && e.getMessage().contains("0".repeat(64)), e.getMessage());
        assertNull(adapters.current().adapterId());
    }

    @Test
    void aDecoderOfAnotherBaseModelIsSkipped() throws Exception {
        Path reference = copyOfReference("reference");
        Path foreign = temp.resolve("foreign");
        try (var loaded = AdapterFile.load(reference, "foreign", holder.model().config(), holder.model().dataType()).adapter()) {
            AdapterFile.save(loaded, foreign, "other-model", Map.of(AdapterFile.META_BASE_MODEL_DIGEST, "sha256:" + "1".repeat(64)));
        }
        writeSums(foreign);
        shipped.install(foreign);
        assertNull(adapters.current().adapterId());
    }

    @Test
    void aMissingFolderLeavesTheBaseModelReading() {
        shipped.install(temp.resolve("absent"));
        assertNull(adapters.current().adapterId());
    }

    @Test
    void anIntactFolderIsRegisteredUnderItsName() throws Exception {
        Path dir = copyOfReference("reference-decoder");
        writeSums(dir);
        shipped.install(dir);
        assertEquals("reference-decoder", adapters.current().adapterId());
    }

    private Path copyOfReference(String name) throws Exception {
        Path from = Path.of(System.getProperty("latentqa.shared"), "models/smollm2-135m-instruct/reference/lora");
        Path dir = Files.createDirectories(temp.resolve(name));
        for (String file : new String[] {AdapterFile.WEIGHTS_FILE, AdapterFile.CONFIG_FILE}) {
            Files.copy(from.resolve(file), dir.resolve(file));
        }
        return dir;
    }

    private static void writeSums(Path dir) throws Exception {
        Files.writeString(dir.resolve(ShippedDecoder.SUMS_FILE),
                DecoderAdapters.sha256(dir.resolve(AdapterFile.WEIGHTS_FILE)) + "  " + AdapterFile.WEIGHTS_FILE + "\n");
    }
}
