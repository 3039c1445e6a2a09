package io.latentqa.dataset.job;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.latentqa.dataset.TestJobs;
import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class JobResourceTest {

    @Test
    void unknownJobTypeIsA400ProblemThatListsTheAllowedTypes() {
        given().contentType("application/json").body(Map.of("type", "make-dataset"))
                .when().post("/v1/jobs")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", is("urn:latentqa:problem:unknown-job-type"))
                .body("status", is(400))
                .body("detail", is("unknown job type 'make-dataset'; allowed: import-latentqa, generate-controls,"
                        + " generate-dialogs, generate-qa, pair-stimuli, split"));
    }

    @Test
    void missingJobTypeIsA400Problem() {
        given().contentType("application/json").body(Map.of("params", Map.of()))
                .when().post("/v1/jobs")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("needs a \"type\""));
    }

    @Test
    void jobTypeOfTheWrongJsonTypeIsA400ProblemNamingTheField() {
        given().contentType("application/json").body(Map.of("type", List.of("split")))
                .when().post("/v1/jobs")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", is("urn:latentqa:problem:invalid-json"))
                .body("detail", containsString("field 'type': Cannot deserialize value of type `java.lang.String`"));
    }

    @Test
    void unknownParameterIsA400ProblemThatListsTheAllowedOnes() {
        given().contentType("application/json").body(Map.of("type", "split", "params", Map.of("sed", 1)))
                .when().post("/v1/jobs")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", is("urn:latentqa:problem:invalid-job-params"))
                .body("detail", is("a split job has no parameter 'sed'; allowed: eval, labelPrefix, seed, test, train"));
    }

    @Test
    void badParameterValueIsA400ProblemThatSaysWhatItMustBe() {
        given().contentType("application/json")
                .body(Map.of("type", "generate-controls", "params", Map.of("count", "many")))
                .when().post("/v1/jobs")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", is("params.count of a generate-controls job must be an integer from 1 to 100000,"
                        + " got \"many\""));
        given().contentType("application/json")
                .body(Map.of("type", "generate-controls", "params", Map.of("grammar", "limericks")))
                .when().post("/v1/jobs")
                .then().statusCode(400)
                .body("detail", is("unknown grammar 'limericks'; allowed: stories"));
    }

    @Test
    void llmQaWithoutAnEndpointIsRefusedWithWhatToConfigure() {
        given().contentType("application/json").body(Map.of("type", "generate-qa", "params", Map.of("method", "llm")))
                .when().post("/v1/jobs")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("set latentqa.dataset.llm.base-url and latentqa.dataset.llm.model"));
    }

    @Test
    void unknownJobIsA404Problem() {
        given().when().get("/v1/jobs/no-such-job")
                .then().statusCode(404).contentType("application/problem+json")
                .body("type", is("urn:latentqa:problem:job-not-found"));
    }

    @Test
    void aFinishedJobCannotBeCancelled() {
        String id = TestJobs.submit("split", Map.of("labelPrefix", "nothing-has-this-prefix-"));
        TestJobs.awaitFinished(id);
        given().when().post("/v1/jobs/" + id + "/cancel")
                .then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("cannot be cancelled"));
    }

    @Test
    void aSubmittedJobIsListedWithItsProgressAndLocation() {
        String location = given().contentType("application/json")
                .body(Map.of("type", "split", "params", Map.of("labelPrefix", "nothing-has-this-prefix-either-")))
                .when().post("/v1/jobs")
                .then().statusCode(202).body("type", is("split")).body("progress.total", is(0))
                .extract().header("Location");
        String id = location.substring(location.lastIndexOf('/') + 1);
        TestJobs.awaitFinished(id);
        given().when().get("/v1/jobs?limit=500")
                .then().statusCode(200).body("find { it.id == '" + id + "' }.status", is("SUCCEEDED"));
    }
}
