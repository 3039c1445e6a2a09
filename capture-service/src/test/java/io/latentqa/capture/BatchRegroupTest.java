package io.latentqa.capture;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.latentqa.stack.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * The regroup window waits for the clients of the batch that just ended, never for clients that were not
 * in it: with a 30 s regroup window, one client's requests one after another each come back at once.
 */
@QuarkusTest
@TestProfile(BatchRegroupTest.LongRegroupWindow.class)
@WithTestResource(RestartableKafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class BatchRegroupTest {

    public static class LongRegroupWindow implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("latentqa.capture.batch.regroup-window", "30s");
        }
    }

    @Test
    void singleClientDoesNotWaitTheRegroupWindow() {
        long start = System.nanoTime();
        for (int n = 0; n < 3; n++) {
            JsonPath answer = given().contentType("application/json")
                    .body("{\"messages\": [{\"role\": \"user\", \"content\": \"Say a number, turn " + n + ".\"}],"
                            + " \"max_tokens\": 2, \"temperature\": 0}")
                    .when().post("/v1/chat/completions")
                    .then().statusCode(200).extract().jsonPath();
            assertEquals(1, answer.getInt("latentqa.batchRows"));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // a worker that waited the regroup window for this client's next request would take 60 s or more
        assertTrue(seconds < 30, "3 requests one after another took " + seconds + " s");
    }
}
