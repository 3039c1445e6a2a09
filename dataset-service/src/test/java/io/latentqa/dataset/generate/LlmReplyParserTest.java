package io.latentqa.dataset.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

class LlmReplyParserTest {

    final ObjectMapper json = new ObjectMapper();

    @Test
    void pairsAreReadFromTheLastJsonFence() {
        String reply = "Sure.\n```json\n[{\"question\": \"old\", \"answer\": \"x\"}]\n```\nBetter:\n"
                + "```json\n[{\"question\": \"Q?\", \"answer\": \"A.\"}, [\"Q2?\", \"A2.\"]]\n```\n";
        assertEquals(List.of(new LlmReplyParser.Pair("Q?", "A."), new LlmReplyParser.Pair("Q2?", "A2.")),
                LlmReplyParser.parse(reply, json));
    }

    @Test
    void withoutAFenceTheLastParagraphIsRead() {
        assertEquals(List.of(new LlmReplyParser.Pair("Q?", "A.")),
                LlmReplyParser.parse("Here they are.\n\n[[\"Q?\", \"A.\"]]", json));
    }

    @Test
    void aReplyWithoutPairsIsRefusedWithAReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LlmReplyParser.parse("I cannot help with that.", json));
        assertEquals(true, e.getMessage().contains("no JSON list of QA pairs"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LlmReplyParser.parse("```json\n[{\"question\": \"Q\"}]\n```", json));
    }
}
