package io.latentqa.capture;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import org.junit.jupiter.api.Test;

import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class SteeringAdapterResourceTest {

    @Test
    void unknownAdapterIsProblem404() {
        given().when().get("/v1/steering-adapters/never-announced")
                .then().statusCode(404)
                .contentType("application/problem+json")
                .body("type", is("urn:latentqa:problem:adapter-not-found"))
                .body("status", is(404))
                .body("detail", containsString("never-announced"));
    }

    @Test
    void malformedAdapterIdIsProblem400() {
        given().when().get("/v1/steering-adapters/-bad*id")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("title", is("Invalid request"));
    }

    @Test
    void listAnswersJsonArray() {
        given().when().get("/v1/steering-adapters?includeRetired=true")
                .then().statusCode(200).contentType("application/json");
    }
}
