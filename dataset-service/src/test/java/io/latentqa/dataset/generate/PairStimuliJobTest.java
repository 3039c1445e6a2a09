package io.latentqa.dataset.generate;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.latentqa.dataset.TestJobs;
import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class PairStimuliJobTest {

    private static final Map<String, String[]> RECORDS = Map.of(
            "goal-pairtest-aa", new String[] {"Count every lighthouse you can.", "Where should I sail next summer?"},
            "goal-pairtest-ab", new String[] {"Answer only in questions.", "What is a good name for a cat?"},
            "goal-pairtest-ac", new String[] {"Mention the weather in every reply.", "How do I fix a flat tyre?"},
            "goal-pairtest-ba", new String[] {"Speak like a train announcer.", "Which book should I read?"},
            "goal-pairtest-bb", new String[] {"Always end with a proverb.", "How long do I boil an egg?"},
            "goal-pairtest-bc", new String[] {"Use exactly three sentences.", "Is it worth learning Latin?"});

    @Test
    void eachPromptGetsOtherLabelsUserTurnsFromItsOwnSplitOnly() throws IOException {
        StringBuilder file = new StringBuilder("[");
        RECORDS.forEach((label, r) -> file.append(file.length() > 1 ? "," : "").append(String.format(
                "{\"label\": \"%s\", \"system\": \"%s\", \"stimulus_user\": \"%s\"}", label, r[0], r[1])));
        String imported = GenerateQaJobTest.importSystemRecords("pair", file.append("]").toString());
        assertEquals("SUCCEEDED", TestJobs.run("generate-qa", Map.of("method", "template", "fromJob", imported))
                .getString("status"));
        assertEquals("SUCCEEDED", TestJobs.run("split", Map.of("labelPrefix", "goal-pairtest-a", "train", 0, "eval", 1))
                .getString("status"));
        assertEquals("SUCCEEDED", TestJobs.run("split", Map.of("labelPrefix", "goal-pairtest-b", "train", 0, "eval", 0,
                "test", 1)).getString("status"));

        JsonPath job = TestJobs.run("pair-stimuli", Map.of("labelPrefix", "goal-pairtest-", "perControl", 2, "seed", 4));
        assertEquals("SUCCEEDED", job.getString("status"), job.prettify());
        assertEquals(6, job.getInt("result.controls"));
        assertEquals(12, job.getInt("result.dialogs"));

        Map<String, String> labelOfUserTurn = new HashMap<>();
        RECORDS.forEach((label, r) -> labelOfUserTurn.put(r[1], label));
        Map<String, Set<String>> pairedTurns = new HashMap<>();
        for (Map<String, Object> record : TestJobs.records("labelPrefix=goal-pairtest-&recordKind=system")) {
            if (!"pairing".equals(record.get("dialogSource"))) {
                continue;
            }
            String label = (String) record.get("label");
            @SuppressWarnings("unchecked")
            List<Map<String, String>> dialog = (List<Map<String, String>>) record.get("dialog");
            assertEquals(List.of("system", "user"), dialog.stream().map(m -> m.get("role")).toList());
            assertEquals(RECORDS.get(label)[0], dialog.get(0).get("content"), "the label's own prompt");
            String userTurn = dialog.get(1).get("content");
            assertNotEquals(RECORDS.get(label)[1], userTurn, "another label's user turn");
            String from = labelOfUserTurn.get(userTurn);
            if (from != null) { // one of this test's turns: it must come from the same group, i.e. the same split
                assertEquals(label.substring(0, "goal-pairtest-a".length()), from.substring(0, "goal-pairtest-a".length()),
                        label + " was paired with " + from + ", a label of another split");
            }
            pairedTurns.computeIfAbsent(label, l -> new HashSet<>()).add(userTurn);
        }
        assertEquals(RECORDS.keySet(), pairedTurns.keySet());
        pairedTurns.forEach((label, turns) -> assertEquals(2, turns.size(), label + ": two distinct user turns"));

        JsonPath again = TestJobs.run("pair-stimuli", Map.of("labelPrefix", "goal-pairtest-", "perControl", 2, "seed", 4));
        assertEquals(0, again.getInt("result.dialogs"), "the same seed writes nothing new");
        assertEquals(12, again.getInt("result.unchanged"));
    }

    @Test
    void badParamsAreProblems() {
        given().contentType(ContentType.JSON).body(Map.of("type", "pair-stimuli", "params", Map.of("perControl", 0)))
                .when().post("/v1/jobs")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("perControl"));
        given().contentType(ContentType.JSON).body(Map.of("type", "pair-stimuli", "params", Map.of("labelPrefix", "no-such-")))
                .when().post("/v1/jobs")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("no controls with labels starting 'no-such-'"));
    }
}
