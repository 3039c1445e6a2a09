package io.latentqa.dataset;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** Submits jobs through the REST API and waits for them, for the behaviour tests. */
public final class TestJobs {

    static final Set<String> FINISHED = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

    private TestJobs() {
    }

    /** @return the new job's id (asserts a 202) */
    public static String submit(String type, Map<String, ?> params) {
        return given().contentType(ContentType.JSON).body(Map.of("type", type, "params", params))
                .when().post("/v1/jobs")
                .then().statusCode(202).extract().path("id");
    }

    public static JsonPath get(String id) {
        return given().when().get("/v1/jobs/" + id).then().statusCode(200).extract().jsonPath();
    }

    /** Waits until the job finished; @return the job */
    public static JsonPath awaitFinished(String id) {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
                .until(() -> FINISHED.contains(get(id).getString("status")));
        return get(id);
    }

    /** Submits a job and waits until it finished. */
    public static JsonPath run(String type, Map<String, ?> params) {
        return awaitFinished(submit(type, params));
    }

    /** Every QA record matching the query (e.g. "labelPrefix=story-&amp;split=train"), all pages. */
    public static List<Map<String, Object>> records(String query) {
        List<Map<String, Object>> all = new ArrayList<>();
        for (int page = 0;; page++) {
            JsonPath body = given().when().get("/v1/records?" + query + "&size=1000&page=" + page)
                    .then().statusCode(200).extract().jsonPath();
            List<Map<String, Object>> items = body.getList("items");
            all.addAll(items);
            if (items.size() < 1000) {
                return all;
            }
        }
    }

    /** @return the total of QA records matching the query */
    public static long total(String query) {
        return given().when().get("/v1/records?" + query + "&size=1").then().statusCode(200).extract().jsonPath()
                .getLong("total");
    }
}
