package io.latentqa.dataset.imports;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.dataset.TestJobs;
import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ImportJobTest {

    static final Path DATA = Path.of(System.getProperty("latentqa.shared"), "data", "latentqa");
    static final List<String> EVAL_SUBSET = List.of("eval/control.json", "eval/system.json", "eval/qa.json");

    final ObjectMapper json = new ObjectMapper();

    @Test
    void importOfEvalFilesGivesTheCountsTheJoinRulesPredictInTheReferenceLayoutAndImportingTwiceAddsNothing() throws Exception {
        // expectations straight from the files: every record of a label pairs with every QA pair of the label
        JsonNode qa = json.readTree(DATA.resolve("eval/qa.json").toFile());
        int pairs = 0;
        for (JsonNode list : qa) {
            pairs += list.size();
        }
        int records = 0;
        Set<String> labels = new HashSet<>();
        Map<String, Integer> examplesByKind = new HashMap<>();
        for (String file : List.of("eval/control.json", "eval/system.json")) {
            for (JsonNode record : json.readTree(DATA.resolve(file).toFile())) {
                String label = record.get("label").asText();
                records++;
                labels.add(label);
                examplesByKind.merge(label.substring(0, label.indexOf('-')), qa.path(label).size(), Integer::sum);
            }
        }
        assertEquals(Set.of("goal", "persona", "sqa"), examplesByKind.keySet());

        JsonPath first = TestJobs.run("import-latentqa", Map.of("files", EVAL_SUBSET));
        assertEquals("SUCCEEDED", first.getString("status"), first.prettify());
        assertEquals(records + pairs, first.getInt("progress.total"));
        assertEquals(records + pairs, first.getInt("progress.done"));
        assertEquals(records, first.getInt("result.dialogs.inserted"));
        assertEquals(pairs, first.getInt("result.qaPairs.inserted"));
        assertEquals(labels.size(), first.getInt("result.controls.inserted"));
        for (Map.Entry<String, Integer> kind : examplesByKind.entrySet()) {
            assertEquals(kind.getValue().longValue(), TestJobs.total("source=import&kind=" + kind.getKey()),
                    "QA records of kind " + kind.getKey());
        }
        systemRecordJoinsItsQaPairsWithTheReferenceLayout();

        JsonPath second = TestJobs.run("import-latentqa", Map.of("files", EVAL_SUBSET));
        assertEquals("SUCCEEDED", second.getString("status"), second.prettify());
        for (String table : List.of("dialogs", "qaPairs", "controls")) {
            assertEquals(0, second.getInt("result." + table + ".inserted"), table);
            assertEquals(0, second.getInt("result." + table + ".updated"), table);
        }
        assertEquals(records, second.getInt("result.dialogs.unchanged"));
        for (Map.Entry<String, Integer> kind : examplesByKind.entrySet()) {
            assertEquals(kind.getValue().longValue(), TestJobs.total("source=import&kind=" + kind.getKey()));
        }

        // then everything, by default: all files of eval/ and train/, on top of the subset already there
        int allRecords = 0;
        Set<String> allLabels = new HashSet<>();
        Map<String, Integer> allExamplesByKind = new HashMap<>();
        Map<String, Integer> recordsByFile = new HashMap<>();
        for (String folder : List.of("eval", "train")) {
            try (var files = Files.list(DATA.resolve(folder))) {
                for (Path file : files.filter(path -> path.toString().endsWith(".json")).toList()) {
                    if (file.getFileName().toString().equals("qa.json")) {
                        continue;
                    }
                    JsonNode array = json.readTree(file.toFile());
                    recordsByFile.put(folder + "/" + file.getFileName(), array.size());
                    for (JsonNode record : array) {
                        String label = record.get("label").asText();
                        allRecords++;
                        allLabels.add(label);
                        allExamplesByKind.merge(label.substring(0, label.indexOf('-')), qa.path(label).size(), Integer::sum);
                    }
                }
            }
        }
        JsonPath all = TestJobs.run("import-latentqa", Map.of());
        assertEquals("SUCCEEDED", all.getString("status"), all.prettify());
        assertEquals(0, all.getInt("result.errors"));
        for (Map.Entry<String, Integer> file : recordsByFile.entrySet()) {
            assertEquals(file.getValue(), all.getInt("result.files.find { it.file == '" + file.getKey() + "' }.records"),
                    file.getKey());
        }
        assertEquals(allRecords - records, all.getInt("result.dialogs.inserted"));
        assertEquals(records, all.getInt("result.dialogs.unchanged"));
        assertEquals(0, all.getInt("result.dialogs.updated"));
        assertEquals(pairs, all.getInt("result.qaPairs.unchanged"));
        assertEquals(allLabels.size() - labels.size(), all.getInt("result.controls.inserted"));
        assertEquals(0, all.getInt("result.controls.updated"), "system and control wording outranks stimulus files");
        for (Map.Entry<String, Integer> kind : allExamplesByKind.entrySet()) {
            assertEquals(kind.getValue().longValue(), TestJobs.total("source=import&kind=" + kind.getKey()),
                    "QA records of kind " + kind.getKey() + " after importing everything");
        }
    }

    /** The first system record of eval/system.json joined with its QA pairs, as the records API shows them. */
    void systemRecordJoinsItsQaPairsWithTheReferenceLayout() throws Exception {
        JsonNode system = json.readTree(DATA.resolve("eval/system.json").toFile()).get(0);
        JsonNode qa = json.readTree(DATA.resolve("eval/qa.json").toFile()).get(system.get("label").asText());

        List<Map<String, Object>> found = TestJobs.records("recordKind=system&labelPrefix=" + system.get("label").asText())
                .stream().filter(record -> record.get("label").equals(system.get("label").asText())).toList();
        assertEquals(qa.size(), found.size());
        for (int i = 0; i < qa.size(); i++) {
            Map<String, Object> record = found.get(i);
            assertEquals(qa.get(i).get(0).asText(), record.get("question"));
            assertEquals(qa.get(i).get(1).asText(), record.get("answer"));
            assertEquals(system.get("system").asText(), record.get("control"));
            assertEquals(List.of(Map.of("role", "system", "content", system.get("system").asText()),
                    Map.of("role", "user", "content", system.get("stimulus_user").asText())), record.get("dialog"));
        }
    }

    @Test
    void aChangedRecordIsUpdatedInPlace() throws Exception {
        Path root = Files.createTempDirectory("latentqa-inplace");
        Files.createDirectories(root.resolve("custom"));
        String before = """
                [{"label": "custom-inplace-a", "system": "Speak in haiku.", "stimulus_user": "How are you?"},
                 {"label": "custom-inplace-b", "system": "Speak in limericks.", "stimulus_user": "Hello!"}]""";
        Files.writeString(root.resolve("custom/system.json"), before);
        Files.writeString(root.resolve("custom/qa.json"), """
                {"custom-inplace-a": [["How does the assistant speak?", "In haiku."]],
                 "custom-inplace-b": [["How does the assistant speak?", "In limericks."]]}""");
        Map<String, Object> params = Map.of("dataDir", root.toString(), "files", "custom/system.json,custom/qa.json");
        assertEquals(2, TestJobs.run("import-latentqa", params).getInt("result.dialogs.inserted"));
        Map<String, Object> original = TestJobs.records("labelPrefix=custom-inplace-a").get(0);

        Files.writeString(root.resolve("custom/system.json"), before.replace("Speak in haiku.", "Speak in tanka."));
        JsonPath again = TestJobs.run("import-latentqa", params);
        assertEquals(0, again.getInt("result.dialogs.inserted"));
        assertEquals(1, again.getInt("result.dialogs.updated"));
        assertEquals(1, again.getInt("result.dialogs.unchanged"));
        assertEquals(1, again.getInt("result.controls.updated"));
        assertEquals(0, again.getInt("result.qaPairs.updated"));
        List<Map<String, Object>> now = TestJobs.records("labelPrefix=custom-inplace-a");
        assertEquals(1, now.size());
        assertEquals(original.get("id"), now.get(0).get("id"), "same dialog row, same QA pair row");
        assertEquals("Speak in tanka.", now.get(0).get("control"));
    }

    @Test
    void malformedFilesAndInvalidRecordsAreReportedWithFileAndPositionAndNothingIsWritten() throws Exception {
        Path root = Files.createTempDirectory("latentqa-bad");
        Files.createDirectories(root.resolve("bad"));
        Files.writeString(root.resolve("bad/control.json"), """
                [
                  {"label": "custom-bad-1", "control_user": "Talk like a pirate."},
                  {"control_user": "No label here."},
                  {"label": "custom-bad-2", "control_user": ""}
                ]
                """);
        Files.writeString(root.resolve("bad/system.json"), """
                [
                  {"label": "custom-bad-3", "system": "Be brief.", "stimulus_user": "Hi"},
                  {"label": "custom-bad-4", "system": "Be brief." "stimulus_user": "Hi"}
                ]
                """);
        Files.writeString(root.resolve("bad/qa.json"), """
                {
                  "custom-bad-1": [["What persona?", ""]]
                }
                """);
        JsonPath job = TestJobs.run("import-latentqa", Map.of("dataDir", root.toString(),
                "files", List.of("bad/control.json", "bad/system.json", "bad/qa.json")));

        assertEquals("FAILED", job.getString("status"), job.prettify());
        assertTrue(job.getString("message").contains("nothing was imported"), job.getString("message"));
        assertEquals(4, job.getInt("progress.errors"));
        List<Map<String, Object>> errors = job.getList("errors");
        assertEquals(4, errors.size(), errors.toString());
        Map<String, Object> noLabel = errors.get(0);
        assertEquals("bad/control.json", noLabel.get("file"));
        assertEquals(1, noLabel.get("index"));
        assertEquals(3, noLabel.get("line"));
        assertEquals(3, noLabel.get("column"));
        assertTrue(noLabel.get("message").toString().contains("no label"), noLabel.toString());
        Map<String, Object> empty = errors.get(1);
        assertEquals(List.of("bad/control.json", 2, 4, "custom-bad-2"),
                List.of(empty.get("file"), empty.get("index"), empty.get("line"), empty.get("label")));
        assertTrue(empty.get("message").toString().contains("\"control_user\" is empty"), empty.toString());
        Map<String, Object> malformed = errors.get(2);
        assertEquals("bad/system.json", malformed.get("file"));
        assertEquals(3, malformed.get("line"));
        assertTrue(malformed.get("message").toString().contains("not valid JSON"), malformed.toString());
        Map<String, Object> emptyAnswer = errors.get(3);
        assertEquals(List.of("bad/qa.json", "custom-bad-1", 0, 2), List.of(emptyAnswer.get("file"),
                emptyAnswer.get("label"), emptyAnswer.get("index"), emptyAnswer.get("line")));

        // not even the valid first record was written
        assertEquals(0, given().when().get("/v1/controls?labelPrefix=custom-bad-").then().statusCode(200)
                .extract().jsonPath().getInt("total"));
        assertEquals(0, TestJobs.total("labelPrefix=custom-bad-"));
    }

    @Test
    void withSkipInvalidTheValidRecordsAreImportedAndTheInvalidReported() throws Exception {
        Path root = Files.createTempDirectory("latentqa-skip");
        Files.createDirectories(root.resolve("skip"));
        Files.writeString(root.resolve("skip/control.json"), """
                [{"label": "custom-skip-1", "control_user": "Rhyme every line."},
                 {"label": "", "control_user": "An empty label."}]""");
        JsonPath job = TestJobs.run("import-latentqa", Map.of("dataDir", root.toString(),
                "files", List.of("skip/control.json"), "skipInvalid", true));
        assertEquals("SUCCEEDED", job.getString("status"), job.prettify());
        assertEquals(1, job.getInt("progress.errors"));
        assertEquals("the label is empty", job.getString("errors[0].message"));
        assertEquals(1, job.getInt("result.dialogs.inserted"));
        assertNotNull(given().when().get("/v1/controls?labelPrefix=custom-skip-1").then().statusCode(200)
                .extract().jsonPath().getString("items[0].text"));
    }

    @Test
    void aFileOutsideTheDataFolderIsRefusedBeforeTheJobIsQueued() {
        given().contentType("application/json")
                .body(Map.of("type", "import-latentqa", "params", Map.of("files", List.of("../secrets.json"))))
                .when().post("/v1/jobs")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", org.hamcrest.Matchers.is("urn:latentqa:problem:invalid-job-params"))
                .body("detail", org.hamcrest.Matchers.containsString("relative to the data folder"));
    }
}
