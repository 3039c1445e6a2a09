package io.latentqa.dataset.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import io.latentqa.dataset.TestJobs;
import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class SplitJobTest {

    @Inject
    DataSource dataSource;

    /** The documented rule, computed here on its own: SHA-256("seed:label"), top 53 bits / 2^53. */
    static String expectedSplit(long seed, String label) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest((seed + ":" + label).getBytes(StandardCharsets.UTF_8));
        long bits = 0;
        for (int i = 0; i < 8; i++) {
            bits = (bits << 8) | (digest[i] & 0xff);
        }
        double u = (bits >>> 11) / Math.pow(2, 53);
        return u < 0.7 ? "train" : u < 0.85 ? "eval" : "test";
    }

    /** label → split over every QA record with the prefix, failing if a label shows up in two splits. */
    static Map<String, String> splitsOfRecords(String prefix) {
        Map<String, String> splitOf = new HashMap<>();
        for (String split : List.of("train", "eval", "test", "unassigned")) {
            for (Map<String, Object> record : TestJobs.records("labelPrefix=" + prefix + "&split=" + split)) {
                String previous = splitOf.put((String) record.get("label"), split);
                assertTrue(previous == null || previous.equals(split),
                        "label " + record.get("label") + " is in " + previous + " and " + split);
            }
        }
        return splitOf;
    }

    @Test
    void splitIsByLabelDeterministicBySeedAndRecorded() throws Exception {
        String controls = TestJobs.submit("generate-controls", Map.of("count", 40, "seed", 99));
        TestJobs.awaitFinished(controls);
        TestJobs.run("generate-qa", Map.of("fromJob", controls));
        Map<String, Object> params = Map.of("seed", 11, "train", 0.7, "eval", 0.15, "test", 0.15, "labelPrefix", "story-");

        JsonPath first = TestJobs.run("split", params);
        assertEquals("SUCCEEDED", first.getString("status"), first.prettify());
        int labels = first.getInt("result.labels");
        assertEquals(labels, first.getInt("result.train") + first.getInt("result.eval") + first.getInt("result.test"));

        Map<String, String> splitOf = splitsOfRecords("story-");
        assertTrue(splitOf.size() >= 40, "every story label with QA has records: " + splitOf.size());
        for (Map.Entry<String, String> label : splitOf.entrySet()) {
            assertEquals(expectedSplit(11, label.getKey()), label.getValue(), label.getKey());
        }

        JsonPath again = TestJobs.run("split", params);
        assertEquals(0, again.getInt("result.changed"), "the same seed gives the same splits");
        assertEquals(splitOf, splitsOfRecords("story-"));
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement("SELECT count(*), min(seed), max(seed),"
                        + " count(DISTINCT job_id), max(job_id) FROM label_splits WHERE label LIKE 'story-%'");
                ResultSet rows = query.executeQuery()) {
            rows.next();
            assertEquals(labels, rows.getInt(1), "one row per label");
            assertEquals(11, rows.getLong(2));
            assertEquals(11, rows.getLong(3));
            assertEquals(1, rows.getInt(4), "recorded by the last split job");
        }

        JsonPath reseeded = TestJobs.run("split", Map.of("seed", 12, "train", 0.7, "eval", 0.15, "labelPrefix", "story-"));
        assertTrue(reseeded.getInt("result.changed") > 0, "another seed moves some labels");
        for (Map.Entry<String, String> label : splitsOfRecords("story-").entrySet()) {
            assertEquals(expectedSplit(12, label.getKey()), label.getValue(), label.getKey());
        }
    }

    @Test
    void fractionsThatDoNotAddUpAreRefused() {
        io.restassured.RestAssured.given().contentType("application/json")
                .body(Map.of("type", "split", "params", Map.of("train", 0.8, "eval", 0.1, "test", 0.2)))
                .when().post("/v1/jobs")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.is("params.train + params.eval + params.test must be 1, got 0.8 + 0.1 + 0.2"));
    }
}
