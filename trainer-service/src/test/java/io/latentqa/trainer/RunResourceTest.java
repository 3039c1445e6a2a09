package io.latentqa.trainer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.latentqa.trainer.run.RunRepository;
import io.latentqa.trainer.run.RunStatus;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class RunResourceTest {

    @Inject
    RunRepository repository;

    @Test
    void postedRunIsQueuedAndReadable() {
        given().contentType(ContentType.JSON).body("{\"id\": \"run-rest-1\", \"spec\": {\"rank\": 16}}")
                .when().post("/v1/runs")
                .then().statusCode(201)
                .header("Location", containsString("/v1/runs/run-rest-1"))
                .body("status", is("QUEUED"))
                .body("source", is("rest"));

        given().when().get("/v1/runs/run-rest-1")
                .then().statusCode(200).body("spec.rank", is(16));
    }

    @Test
    void unknownRunIsProblem404() {
        given().when().get("/v1/runs/no-such-run")
                .then().statusCode(404)
                .contentType("application/problem+json")
                .body("type", is("urn:latentqa:problem:run-not-found"))
                .body("title", is("Run not found"))
                .body("status", is(404))
                .body("detail", containsString("no-such-run"));
    }

    @Test
    void specThatIsNotAnObjectIsProblem400() {
        given().contentType(ContentType.JSON).body("{\"spec\": [1, 2]}")
                .when().post("/v1/runs")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", startsWith("the spec of run run-"))
                .body("detail", containsString("must be a JSON object, got array"));
    }

    @Test
    void bodyThatIsNotJsonIsProblem400() {
        given().contentType(ContentType.JSON).body("{\"spec\": ")
                .when().post("/v1/runs")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", is("urn:latentqa:problem:invalid-json"))
                .body("status", is(400))
                .body("detail", containsString("send a JSON object such as"));
    }

    @Test
    void fieldOfTheWrongTypeIsProblem400NamingIt() {
        given().contentType(ContentType.JSON).body("{\"id\": [\"run-x\"], \"spec\": {}}").when().post("/v1/runs")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", is("urn:latentqa:problem:invalid-json"))
                .body("detail", startsWith("field 'id': Cannot deserialize value of type `java.lang.String`"));
    }

    @Test
    void takenRunIdIsProblem409() {
        String body = "{\"id\": \"run-twice\", \"spec\": {}}";
        given().contentType(ContentType.JSON).body(body).when().post("/v1/runs").then().statusCode(201);
        given().contentType(ContentType.JSON).body(body).when().post("/v1/runs")
                .then().statusCode(409).contentType("application/problem+json");
    }

    @Test
    void unknownLayerIsProblem400SayingWhichBlocksExist() {
        given().contentType(ContentType.JSON).body("{\"spec\": {\"readLayer\": 30}}")
                .when().post("/v1/runs")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("readLayer 30 does not exist: the model has blocks 0..29"));
    }

    @Test
    void rankZeroIsProblem400() {
        given().contentType(ContentType.JSON).body("{\"spec\": {\"lora\": {\"rank\": 0}}}")
                .when().post("/v1/runs")
                .then().statusCode(400)
                .body("detail", containsString("lora.rank must be >= 1"));
    }

    @Test
    void filterWithoutRecordsIsProblem400() {
        given().contentType(ContentType.JSON).body("{\"spec\": {\"data\": {\"labelPrefix\": \"no-such-label-\"}}}")
                .when().post("/v1/runs")
                .then().statusCode(400)
                .body("detail", containsString("no QA records match data {split eval, labelPrefix 'no-such-label-'}"));
    }

    @Test
    void queuedRunSaysWhereItIsInTheQueue() {
        given().contentType(ContentType.JSON).body("{\"id\": \"run-queue-a\", \"spec\": {}}").when().post("/v1/runs")
                .then().statusCode(201);
        given().contentType(ContentType.JSON).body("{\"id\": \"run-queue-b\", \"spec\": {}}").when().post("/v1/runs")
                .then().statusCode(201)
                .body("status", is("QUEUED"))
                .body("message", startsWith("queued behind"))
                .body("message", containsString("one run trains at a time"));
        given().when().post("/v1/runs/run-queue-b/cancel")
                .then().statusCode(200).body("status", is("CANCELLED"));
    }

    @Test
    void cancelledRunCanBeResumedOnceAndOnlyWhenStopped() {
        given().contentType(ContentType.JSON).body("{\"id\": \"run-resume-a\", \"spec\": {}}").when().post("/v1/runs")
                .then().statusCode(201);
        given().when().post("/v1/runs/run-resume-a/resume")
                .then().statusCode(409)
                .contentType("application/problem+json")
                .body("detail", containsString("run run-resume-a is QUEUED; only failed or cancelled runs can be resumed"));
        given().when().post("/v1/runs/run-resume-a/cancel").then().statusCode(200).body("status", is("CANCELLED"));
        given().when().post("/v1/runs/run-resume-a/resume")
                .then().statusCode(200)
                .body("status", is("QUEUED"))
                .body("message", is("queued; starts over (it wrote no checkpoint)"));
        given().when().post("/v1/runs/run-resume-a/cancel").then().statusCode(200).body("status", is("CANCELLED"));
        given().when().post("/v1/runs/no-such-run/resume").then().statusCode(404);
    }

    /** The runner is off in this profile: the run is driven to SUCCEEDED through the repository by hand. */
    @Test
    void onlySucceededConstantScheduleRunsExtendAndOnlyToMoreSteps() {
        given().contentType(ContentType.JSON).body("{\"id\": \"run-extend-a\", \"spec\": {\"rank\": 4,"
                + " \"hyperparameters\": {\"steps\": 3, \"seed\": 7}}}").when().post("/v1/runs").then().statusCode(201);
        given().contentType(ContentType.JSON).body("{\"steps\": 6}").when().post("/v1/runs/run-extend-a/extend")
                .then().statusCode(409)
                .contentType("application/problem+json")
                .body("detail", is("run run-extend-a is QUEUED; only succeeded runs can be extended"));
        succeed("run-extend-a", 3);

        given().contentType(ContentType.JSON).body("{}").when().post("/v1/runs/run-extend-a/extend")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("send {\"steps\": N}: the run's new total of optimizer steps, more than the 3"));
        given().contentType(ContentType.JSON).body("{\"steps\": \"many\"}").when().post("/v1/runs/run-extend-a/extend")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", startsWith("field 'steps': Cannot deserialize value of type `java.lang.Integer`"));
        given().contentType(ContentType.JSON).body("{\"steps\": 3}").when().post("/v1/runs/run-extend-a/extend")
                .then().statusCode(400)
                .body("detail", is("steps must be more than the 3 steps run run-extend-a has taken, got 3"));
        given().contentType(ContentType.JSON).body("{\"steps\": 6}").when().post("/v1/runs/run-extend-a/extend")
                .then().statusCode(200)
                .body("status", is("QUEUED"))
                .body("totalSteps", is(6))
                .body("step", is(3))
                .body("message", is("queued; extends from step 3 to 6 from its checkpoint /checkpoints/run-extend-a/step-000003"))
                .body("spec.hyperparameters.steps", is(6))
                .body("spec.hyperparameters.seed", is(7))
                .body("spec.rank", is(4));
        given().contentType(ContentType.JSON).body("{\"steps\": 9}").when().post("/v1/runs/run-extend-a/extend")
                .then().statusCode(409);
        given().when().post("/v1/runs/run-extend-a/cancel").then().statusCode(200);

        given().contentType(ContentType.JSON).body("{\"id\": \"run-extend-cosine\", \"spec\":"
                + " {\"hyperparameters\": {\"steps\": 3, \"schedule\": \"cosine\"}}}").when().post("/v1/runs").then().statusCode(201);
        succeed("run-extend-cosine", 3);
        given().contentType(ContentType.JSON).body("{\"steps\": 6}").when().post("/v1/runs/run-extend-cosine/extend")
                .then().statusCode(400)
                .body("detail", startsWith("run run-extend-cosine decays its learning rate with a cosine schedule over its 3 steps"));
        given().contentType(ContentType.JSON).body("{\"steps\": 6}").when().post("/v1/runs/no-such-run/extend")
                .then().statusCode(404);
    }

    /** The runner is off in this profile: the checkpoint is recorded by hand, without its files. */
    @Test
    void checkpointsAreListedAndPublishingOneSaysWhatIsMissing() {
        given().contentType(ContentType.JSON).body("{\"id\": \"run-publish-a\", \"spec\": {}}").when().post("/v1/runs")
                .then().statusCode(201);
        given().contentType(ContentType.JSON).body("{\"step\": 3}").when().post("/v1/runs/run-publish-a/publish")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", is("run run-publish-a has no checkpoint at step 3; run run-publish-a has none yet"));
        succeed("run-publish-a", 3);
        given().when().get("/v1/runs/run-publish-a/checkpoints").then().statusCode(200)
                .body("step", is(List.of(3)))
                .body("path", is(List.of("/checkpoints/run-publish-a/step-000003")));
        given().contentType(ContentType.JSON).body("{}").when().post("/v1/runs/run-publish-a/publish")
                .then().statusCode(400)
                .body("detail", is("send {\"step\": N}: the step of one of the run's checkpoints; run run-publish-a has 1"
                        + " checkpoint, at step 3 (GET /v1/runs/run-publish-a/checkpoints)"));
        given().contentType(ContentType.JSON).body("{\"step\": 3}").when().post("/v1/runs/run-publish-a/publish")
                .then().statusCode(409).contentType("application/problem+json")
                .body("detail", is("the checkpoint of run run-publish-a at step 3 has no adapter_model.safetensors in"
                        + " /checkpoints/run-publish-a/step-000003/adapter any more"));
        given().contentType(ContentType.JSON).body("{\"step\": 3}").when().post("/v1/runs/no-such-run/publish")
                .then().statusCode(404);
        given().when().get("/v1/runs/no-such-run/checkpoints").then().statusCode(404);
    }

    /** An extended or resumed run is new work: it queues behind the runs queued before it, whenever it was created. */
    @Test
    void runExtendedOrResumedByHandQueuesBehindTheRunsQueuedBeforeIt() {
        given().contentType(ContentType.JSON).body("{\"id\": \"run-order-a\", \"spec\": {\"hyperparameters\": {\"steps\": 3}}}")
                .when().post("/v1/runs").then().statusCode(201);
        succeed("run-order-a", 3);
        given().contentType(ContentType.JSON).body("{\"id\": \"run-order-b\", \"spec\": {}}").when().post("/v1/runs")
                .then().statusCode(201);

        given().contentType(ContentType.JSON).body("{\"steps\": 6}").when().post("/v1/runs/run-order-a/extend")
                .then().statusCode(200);
        assertEquals(runsAhead("run-order-b") + 1, runsAhead("run-order-a"), "extended a queues behind b");

        given().when().post("/v1/runs/run-order-b/cancel").then().statusCode(200);
        given().when().post("/v1/runs/run-order-b/resume").then().statusCode(200);
        assertEquals(runsAhead("run-order-a") + 1, runsAhead("run-order-b"), "resumed b queues behind a");

        given().when().post("/v1/runs/run-order-a/cancel").then().statusCode(200);
        given().when().post("/v1/runs/run-order-b/cancel").then().statusCode(200);
    }

    /** The place in the queue that a queued run's message gives: "queued; starts next" or "queued behind N runs". */
    private static int runsAhead(String id) {
        String message = given().when().get("/v1/runs/" + id).then().statusCode(200).body("status", is("QUEUED"))
                .extract().path("message");
        Matcher behind = Pattern.compile("queued behind (\\d+) runs?").matcher(message);
        if (behind.find()) {
            return Integer.parseInt(behind.group(1));
        }
        assertEquals("queued; starts next", message);
        return 0;
    }

    private void succeed(String id, int steps) {
        assertTrue(repository.begin(id));
        repository.training(id, steps, 0);
        for (int step = 1; step <= steps; step++) {
            repository.step(id, step, 2.0, 1e-4, 1.0, 100.0, 0.0);
        }
        repository.checkpoint(id, steps, steps, "/checkpoints/" + id + "/step-00000" + steps);
        repository.finish(id, RunStatus.SUCCEEDED, "trained " + steps + " steps", "decoder-" + id, "file:/adapters/decoder-" + id,
                "sha256:0", "/reports/" + id);
    }

    /** The runner is off in this profile: the repository calls it makes are driven by hand. */
    @Test
    void preparingRunSaysWhatItLoadsUntilCancelled() {
        given().contentType(ContentType.JSON).body("{\"id\": \"run-prepare-a\", \"spec\": {}}").when().post("/v1/runs")
                .then().statusCode(201);
        assertTrue(repository.begin("run-prepare-a"));
        assertFalse(repository.begin("run-prepare-a"), "a run begins once");
        given().when().get("/v1/runs/run-prepare-a").then().statusCode(200)
                .body("status", is("RUNNING"))
                .body("message", is("preparing: loading the model"));
        repository.preparing("run-prepare-a", "building LIT examples from 62752 QA records");
        given().when().get("/v1/runs/run-prepare-a").then()
                .body("message", is("preparing: building LIT examples from 62752 QA records"));
        given().when().post("/v1/runs/run-prepare-a/cancel").then().statusCode(200).body("message", is("cancelling"));
        repository.preparing("run-prepare-a", "fetching and building the eval QA records");
        repository.training("run-prepare-a", 10, 0);
        given().when().get("/v1/runs/run-prepare-a").then()
                .body("status", is("RUNNING"))
                .body("message", is("cancelling"));
    }
}
