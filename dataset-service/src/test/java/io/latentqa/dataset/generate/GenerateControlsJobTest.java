package io.latentqa.dataset.generate;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.latentqa.core.grammar.GrammarControl;
import io.latentqa.core.grammar.Grammars;
import io.latentqa.core.grammar.StoryGrammar;
import io.latentqa.dataset.TestJobs;
import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class GenerateControlsJobTest {

    @Test
    void storyControlsAreGrammarOpeningsWithTheirAttributesRecorded() {
        JsonPath job = TestJobs.run("generate-controls", Map.of("grammar", "stories", "count", 12, "seed", 42));
        assertEquals("SUCCEEDED", job.getString("status"), job.prettify());
        assertEquals(12, job.getInt("result.count"));
        assertEquals(12, job.getInt("progress.done"));
        assertEquals(12, job.getInt("result.controls.inserted") + job.getInt("result.controls.unchanged"));

        List<Map<String, Object>> controls = given().when().get("/v1/controls?labelPrefix=story-&size=1000")
                .then().statusCode(200).extract().jsonPath().getList("items");
        Set<String> expected = Grammars.drawDistinct(new StoryGrammar(), 12, 42).stream()
                .map(GrammarControl::label).collect(Collectors.toSet());
        List<Map<String, Object>> drawn = controls.stream().filter(control -> expected.contains(control.get("label")))
                .toList();
        assertEquals(12, drawn.size(), "every drawn control is stored");
        for (Map<String, Object> control : drawn) {
            assertEquals("story", control.get("kind"));
            assertEquals("grammar", control.get("source"));
            assertEquals("stories", control.get("grammar"));
            @SuppressWarnings("unchecked")
            Map<String, String> attributes = (Map<String, String>) control.get("attributes");
            Matcher opening = StoryGrammar.OPENING.matcher((String) control.get("text"));
            assertTrue(opening.matches(), control.toString());
            assertEquals(List.of(attributes.get("mood"), attributes.get("character"), attributes.get("name"),
                    attributes.get("color"), attributes.get("object")),
                    List.of(opening.group(1), opening.group(2), opening.group(3), opening.group(5), opening.group(6)));
            assertEquals(!Set.of("girl", "boy").contains(attributes.get("character")), attributes.containsKey("animal"));

            // the control record: the model reads the opening itself
            List<Map<String, Object>> dialogs = given().when().get("/v1/dialogs?labelPrefix=" + control.get("label"))
                    .then().statusCode(200).extract().jsonPath().getList("");
            Map<String, Object> dialog = dialogs.stream().filter(d -> d.get("label").equals(control.get("label")))
                    .filter(d -> "grammar".equals(d.get("source"))).findFirst().orElseThrow();
            assertEquals("control", dialog.get("recordKind"));
            assertEquals(List.of(Map.of("role", "user", "content", control.get("text"))), dialog.get("messages"));
        }

        JsonPath again = TestJobs.run("generate-controls", Map.of("count", 12, "seed", 42));
        assertEquals(0, again.getInt("result.controls.inserted"), "the same seed draws the same controls");
        assertEquals(12, again.getInt("result.controls.unchanged"));
    }
}
