package io.latentqa.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentqa.core.lit.LitRecord;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * QA records from dataset-service: {@code GET /v1/records?split=&recordKind=&source=&labelPrefix=&page=&size=},
 * paged until {@code total} items are read. Each item is
 * {@code {"id","label","kind","recordKind","control","dialog","question","answer","split","source"}} where
 * {@code dialog} is the list of chat messages {@code [{"role","content"}, ...]} (dataset-service's layout;
 * {@code {"messages": [...]}} and the LatentQA record fields are read too). The filter's kinds are record
 * kinds (system, system_completion, control, text_completion, stimulus, stimulus_completion), dataset-service's
 * {@code recordKind}; its {@code kind} is the label's kind (goal, persona, ...). Several kinds or sources are asked for one at a time.
 */
public final class HttpQaRecords implements QaRecordSource {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE_SIZE = 500;

    private final URI baseUri;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** @param baseUri dataset-service's root, e.g. {@code http://127.0.0.1:8085} */
    public HttpQaRecords(URI baseUri) {
        this.baseUri = baseUri;
    }

    @Override
    public List<QaRecord> find(QaFilter filter) {
        List<String> kinds = filter.kinds().isEmpty() ? java.util.Collections.singletonList(null)
                : filter.kinds().stream().map(QaFilter::kindName).sorted().toList();
        List<String> sources = filter.sources().isEmpty() ? java.util.Collections.singletonList(null)
                : filter.sources().stream().sorted().toList();
        List<QaRecord> out = new ArrayList<>();
        for (String kind : kinds) {
            for (String source : sources) {
                for (int page = 0; ; page++) {
                    JsonNode body = get(filter, kind, source, page);
                    JsonNode items = body.path("items");
                    for (JsonNode item : items) {
                        QaRecord record = parse(item, filter.split());
                        if (filter.matches(record)) {
                            out.add(record);
                            if (filter.limit() > 0 && out.size() == filter.limit()) {
                                return out;
                            }
                        }
                    }
                    long total = body.path("total").asLong(0);
                    if (items.isEmpty() || (long) (page + 1) * PAGE_SIZE >= total) {
                        break;
                    }
                }
            }
        }
        return out;
    }

    private JsonNode get(QaFilter filter, String kind, String source, int page) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("split", filter.split());
        if (kind != null) {
            query.put("recordKind", kind);
        }
        if (source != null) {
            query.put("source", source);
        }
        if (!filter.labelPrefix().isEmpty()) {
            query.put("labelPrefix", filter.labelPrefix());
        }
        query.put("page", Integer.toString(page));
        query.put("size", Integer.toString(PAGE_SIZE));
        StringBuilder url = new StringBuilder(baseUri.toString().replaceAll("/+$", "")).append("/v1/records?");
        query.forEach((k, v) -> url.append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)).append('&'));
        URI uri = URI.create(url.substring(0, url.length() - 1));
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("dataset-service answered " + response.statusCode() + " to GET " + uri + ": "
                        + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read QA records from dataset-service at " + uri + ": " + e.getMessage()
                    + " (is dataset-service up? check latentqa.trainer.records-url)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading QA records from " + uri, e);
        }
    }

    /** One item of the records API as a QA record. */
    static QaRecord parse(JsonNode item, String split) {
        JsonNode dialog = item.path("dialog");
        if (dialog.isTextual()) {
            try {
                dialog = JSON.readTree(dialog.asText());
            } catch (IOException e) {
                throw new IllegalStateException("record " + item.path("id").asText() + " has a dialog that is not JSON", e);
            }
        }
        String label = item.path("label").asText("");
        String recordKind = item.path("recordKind").asText("");
        LitRecord record = dialog.isArray() ? fromMessages(dialog, recordKind, label)
                : dialog.has("messages") ? fromMessages(dialog.get("messages"), recordKind, label)
                : fromFields(dialog, item.path("control").asText(""), label);
        return new QaRecord(item.path("id").asText(), label, record, item.path("question").asText(),
                item.path("answer").asText(), item.path("split").asText(split), item.path("source").asText(""));
    }

    private static LitRecord fromFields(JsonNode dialog, String control, String label) {
        Map<String, Object> fields = new LinkedHashMap<>();
        dialog.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : null));
        fields.putIfAbsent("label", label);
        LitRecord record = LitRecord.fromJson(fields);
        return record;
    }

    /**
     * A chat as a LatentQA record: system → {@code system}; the first user turn → {@code control_user}
     * (or {@code stimulus_user} after a system turn); the first assistant turn → {@code control_model} (or
     * {@code stimulus_model} after a system turn: system_completion); the second user turn →
     * {@code stimulus_user}; the second assistant turn → {@code stimulus_model}. A {@code text_completion}
     * (user(opening), [user(story prompt)], assistant(continuation)) → {@code control_user},
     * [{@code stimulus_user}], {@code stimulus_model}.
     */
    static LitRecord fromMessages(JsonNode messages, String recordKind, String label) {
        String system = "";
        List<String> users = new ArrayList<>();
        List<String> assistants = new ArrayList<>();
        for (JsonNode m : messages) {
            String content = m.path("content").asText("");
            switch (m.path("role").asText()) {
                case "system" -> system = content;
                case "user" -> users.add(content);
                case "assistant" -> assistants.add(content);
                default -> throw new IllegalStateException("unexpected role '" + m.path("role").asText() + "' in record "
                        + label + "; expected system, user or assistant");
            }
        }
        String firstAssistant = assistants.isEmpty() ? "" : assistants.get(0);
        if (!system.isEmpty()) {
            return new LitRecord(system, "", "", users.isEmpty() ? "" : users.get(0), firstAssistant, label);
        }
        if ("text_completion".equals(recordKind)) {
            return new LitRecord("", users.isEmpty() ? "" : users.get(0), "", users.size() > 1 ? users.get(1) : "",
                    firstAssistant, label);
        }
        return new LitRecord("", users.isEmpty() ? "" : users.get(0), assistants.isEmpty() ? "" : assistants.get(0),
                users.size() > 1 ? users.get(1) : "", assistants.size() > 1 ? assistants.get(1) : "", label);
    }
}
