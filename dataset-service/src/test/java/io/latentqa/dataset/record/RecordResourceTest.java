package io.latentqa.dataset.record;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.startsWith;
import static org.hamcrest.Matchers.is;

import org.junit.jupiter.api.Test;

import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class RecordResourceTest {

    @Test
    void badSplitIsA400ProblemThatListsTheAllowedValues() {
        given().when().get("/v1/records?split=dev")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", is("urn:latentqa:problem:invalid-filter"))
                .body("detail", is("split must be one of eval, test, train, unassigned; got 'dev'"));
    }

    @Test
    void badSourceIsA400ProblemThatListsTheAllowedValues() {
        given().when().get("/v1/records?source=human")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", is("source must be one of import, llm, template; got 'human'"));
    }

    @Test
    void badKindAndRecordKindAre400ProblemsThatListTheAllowedValues() {
        given().when().get("/v1/records?kind=poem")
                .then().statusCode(400).contentType("application/problem+json")
                // the built-in kinds, plus any other kind that tests before this one put in the database
                .body("detail", allOf(startsWith("kind must be one of "), containsString("goal, persona, sqa"),
                        containsString("story"), endsWith("(the built-in kinds and those in the data); got 'poem'")));
        given().when().get("/v1/records?recordKind=chat")
                .then().statusCode(400)
                .body("detail", is("recordKind must be one of control, stimulus, stimulus_completion, system,"
                        + " system_completion, text_completion; got 'chat'"));
    }

    @Test
    void badPageSizeIsA400Problem() {
        given().when().get("/v1/records?size=5000")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", is("size must be between 1 and 1000, got 5000"));
    }

    @Test
    void aFilterThatMatchesNothingGivesAnEmptyPage() {
        given().when().get("/v1/records?labelPrefix=no_such%25label&split=unassigned&page=2&size=10")
                .then().statusCode(200)
                .body("total", is(0)).body("page", is(2)).body("size", is(10)).body("items.size()", is(0));
    }
}
