package io.latentqa.capture.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.capture.rest.ProblemException;
import io.latentqa.core.tokenizer.ChatMessage;

class ChatRequestParserTest {

    final ChatRequestParser parser = new ChatRequestParser(new ObjectMapper());

    ChatRequest parse(String body) {
        return parser.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    ProblemException refused(String body) {
        return assertThrows(ProblemException.class, () -> parse(body));
    }

    @Test
    void openAiRequestIsRead() {
        ChatRequest request = parse("{\"model\": \"m\", \"messages\": [{\"role\": \"developer\", \"content\": \"Be brief.\"},"
                + " {\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"Hi \"}, {\"type\": \"text\","
                + " \"text\": \"there\"}]}], \"max_tokens\": 5, \"max_completion_tokens\": 7, \"temperature\": 0.5,"
                + " \"top_p\": 0.9, \"seed\": 3, \"stop\": \"\\n\", \"stream\": true, \"stream_options\":"
                + " {\"include_usage\": true}, \"user\": \"ignored\", \"latentqa\": {\"steering\": \"s1\", \"redact\": true}}");
        assertEquals(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi there")), request.messages());
        assertEquals(7, request.maxTokens(), "max_completion_tokens wins over the deprecated max_tokens");
        assertEquals(0.5f, request.temperature());
        assertEquals(0.9f, request.topP());
        assertEquals(3L, request.seed());
        assertEquals(List.of("\n"), request.stop());
        assertTrue(request.stream());
        assertTrue(request.includeUsage());
        assertEquals("s1", request.steering());
    }

    @Test
    void defaultsAreOpenAis() {
        ChatRequest request = parse("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}");
        assertNull(request.maxTokens());
        assertEquals(1f, request.temperature());
        assertEquals(1f, request.topP());
        assertNull(request.seed());
        assertFalse(request.stream());
        assertNull(request.latentqa());
    }

    @Test
    void refusalsNameTheField() {
        assertEquals("urn:latentqa:problem:invalid-json", refused("not json").problem().type());
        assertEquals("urn:latentqa:problem:invalid-json", refused("").problem().type());
        assertTrue(refused("[]").getMessage().contains("must be a JSON object"));
        assertTrue(refused("{}").getMessage().contains("messages is missing"));
        assertTrue(refused("{\"messages\": \"hi\"}").getMessage().contains("non-empty array"));
        assertTrue(refused("{\"messages\": [{\"role\": \"tool\", \"content\": \"x\"}]}").getMessage()
                .contains("messages[0].role"));
        assertTrue(refused("{\"messages\": [{\"role\": \"user\", \"content\": 5}]}").getMessage()
                .contains("messages[0].content must be a string"));
        String ok = "\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]";
        assertTrue(refused("{" + ok + ", \"temperature\": 3}").getMessage().contains("temperature"));
        assertTrue(refused("{" + ok + ", \"top_p\": 0}").getMessage().contains("top_p"));
        assertTrue(refused("{" + ok + ", \"max_tokens\": 0}").getMessage().contains("max_tokens"));
        assertTrue(refused("{" + ok + ", \"n\": 2}").getMessage().contains("n must be 1"));
        assertTrue(refused("{" + ok + ", \"stop\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}").getMessage().contains("up to 4"));
        assertTrue(refused("{" + ok + ", \"latentqa\": {\"captur\": true}}").getMessage().contains("unknown field 'captur'"));
        assertTrue(refused("{" + ok + ", \"latentqa\": {\"steering\": 3}}").getMessage().contains("latentqa.steering"));
    }
}
