package io.latentqa.core.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentqa.core.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChatTemplateTest {

    private static ChatTemplate smolLm2() {
        return ChatTemplate.fromHfFolder(SharedFiles.smollm2Dir());
    }

    @Test
    void smolLm2ReferenceChatsRenderExactlyAndTokenizeToTheReferenceIds() {
        ChatTemplate template = smolLm2();
        try (HfTokenizer tokenizer = HfTokenizer.load(SharedFiles.smollm2Dir().resolve("tokenizer.json"), List.of("<|im_end|>"))) {
            for (SmolLm2Reference.Chat chat : SmolLm2Reference.chats()) {
                String rendered = template.render(chat.messages(), true);
                assertEquals(chat.rendered(), rendered, chat.name());
                assertArrayEquals(chat.ids(), tokenizer.encode(rendered), chat.name());
            }
        }
    }

    @Test
    void openReflectTurnIsCutAtTheSentinel() {
        String text = smolLm2().renderOpenTurn(List.of(ChatMessage.user("? ? ?"),
                new ChatMessage("reflect", "Sure, I've analyzed the assistant."), ChatMessage.user("What?")), "reflect");
        assertEquals("<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
                + "<|im_start|>user\n? ? ?<|im_end|>\n<|im_start|>reflect\nSure, I've analyzed the assistant.<|im_end|>\n"
                + "<|im_start|>user\nWhat?<|im_end|>\n<|im_start|>reflect\n", text);
        // for role assistant the open turn equals the template's own generation prompt
        List<ChatMessage> chat = List.of(ChatMessage.system("S"), ChatMessage.user("U"));
        assertEquals(smolLm2().render(chat, true), smolLm2().renderOpenTurn(chat, "assistant"));
    }

    /** The LatentQA read and write texts of the reference (method §12) come out of the template as they did in Python. */
    @Test
    void litReadAndWriteTextsRenderExactly() {
        ChatTemplate template = smolLm2();
        JsonNode lit = SmolLm2Reference.json().get("lit");
        String sure = lit.get("sure_text").asText();
        for (SmolLm2Reference.LitCase c : SmolLm2Reference.litCases()) {
            List<ChatMessage> read = new ArrayList<>();
            for (JsonNode m : c.json().get("messages")) {
                read.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
            }
            assertEquals(c.readText(), template.render(read, c.json().get("generation_prompt").asBoolean()), c.kind() + " read");
            int n = c.json().get("n_vectors").asInt();
            List<ChatMessage> write = List.of(
                    ChatMessage.user(String.join(" ", java.util.Collections.nCopies(n, "?"))),
                    new ChatMessage("reflect", sure),
                    ChatMessage.user(c.json().get("question").asText()),
                    new ChatMessage("reflect", c.json().get("answer").asText()));
            assertEquals(c.writeText(), template.render(write, false), c.kind() + " write");
        }
    }

    @Test
    void specialTokensComeFromTokenizerConfig() {
        assertEquals("<|im_start|>", smolLm2().specialTokens().get("bos_token"));
        assertEquals("<|im_end|>", smolLm2().specialTokens().get("eos_token"));
    }

    /** Every case of expected.json: the same templates rendered by Python jinja2 as transformers configures it. */
    @Test
    void templatesRenderAsPythonJinjaDoes() throws IOException {
        JsonNode expected;
        try (InputStream in = getClass().getResourceAsStream("/chat-templates/expected.json")) {
            expected = new ObjectMapper().readTree(in);
        }
        Map<String, String> specials = new LinkedHashMap<>();
        expected.get("specials").properties().forEach(e -> specials.put(e.getKey(), e.getValue().asText()));
        Map<String, ChatTemplate> templates = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (JsonNode c : expected.get("cases")) {
            String name = c.get("template").asText();
            ChatTemplate template = templates.computeIfAbsent(name, n -> new ChatTemplate(resource("/chat-templates/" + n + ".jinja"), specials));
            List<ChatMessage> messages = new ArrayList<>();
            for (JsonNode m : expected.get("chats").get(c.get("chat").asText())) {
                messages.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
            }
            boolean generation = c.get("add_generation_prompt").asBoolean();
            String label = name + " / " + c.get("chat").asText() + " / generation " + generation;
            checked++;
            try {
                String rendered = template.render(messages, generation, Map.of("date_string", "26 Jul 2024"));
                if (c.has("error")) {
                    failures.add(label + ": expected error '" + c.get("error").asText() + "' but rendered " + rendered);
                } else if (!c.get("rendered").asText().equals(rendered)) {
                    failures.add(label + ":\n  expected " + quote(c.get("rendered").asText()) + "\n  rendered " + quote(rendered));
                }
            } catch (IllegalArgumentException e) {
                if (!c.has("error")) {
                    failures.add(label + ": unexpected error " + e.getMessage());
                } else if (!e.getMessage().equals("the chat template rejected the messages: " + c.get("error").asText())) {
                    failures.add(label + ": error message " + e.getMessage() + " instead of " + c.get("error").asText());
                }
            } catch (RuntimeException e) {
                failures.add(label + ": " + e);
            }
        }
        assertEquals(84, checked);
        assertTrue(failures.isEmpty(), failures.size() + " of " + checked + " differ:\n" + String.join("\n", failures));
    }

    private static String quote(String s) {
        return "'" + s.replace("\n", "\\n") + "'";
    }

    private static String resource(String name) {
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream(name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void raiseExceptionBecomesAClearError() {
        ChatTemplate mistral = new ChatTemplate(resource("/chat-templates/mistral.jinja"), Map.of("bos_token", "<s>", "eos_token", "</s>"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> mistral.render(List.of(ChatMessage.system("S"), ChatMessage.user("U")), true));
        assertEquals("the chat template rejected the messages: Conversation roles must alternate user/assistant/user/assistant/...",
                e.getMessage());
    }

    @Test
    void openTurnFailsClearlyWhenTheTemplateDropsTheRole() {
        ChatTemplate qwen = new ChatTemplate(resource("/chat-templates/qwen-2.5.jinja"), Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> qwen.renderOpenTurn(List.of(ChatMessage.user("U")), "reflect"));
        assertTrue(e.getMessage().contains("'reflect'"), e.getMessage());
    }

    @Test
    void strftimeNowFormatsTheCurrentDateLikePython() {
        ChatTemplate template = new ChatTemplate("{{ strftime_now('%d %b %Y') }}|{% if strftime_now is defined %}defined{% endif %}", Map.of());
        String expected = LocalDate.now().format(DateTimeFormatter.ofPattern("dd MMM yyyy", Locale.ENGLISH));
        String rendered = template.render(List.of(ChatMessage.user("x")), false);
        assertTrue(rendered.startsWith(expected), rendered + " vs " + expected);
        ZonedDateTime time = ZonedDateTime.of(2024, 7, 6, 15, 4, 5, 0, ZoneOffset.UTC);
        assertEquals("06 Jul 2024 Saturday July 15:04:05 03 PM 188 %", ChatTemplate.strftime(time, "%d %b %Y %A %B %H:%M:%S %I %p %j %%"));
    }

    @Test
    void templateSourcesFromTokenizerConfig(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": {\"content\": \"<s>\", \"lstrip\": false},"
                + "\"eos_token\": \"</s>\", \"chat_template\": [{\"name\": \"tool_use\", \"template\": \"T\"},"
                + "{\"name\": \"default\", \"template\": \"{{ bos_token }}{{ messages[0]['content'] }}{{ eos_token }}\"}]}");
        ChatTemplate template = ChatTemplate.fromHfFolder(dir);
        assertEquals("<s>hi</s>", template.render(List.of(ChatMessage.user("hi")), false));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"{{ messages | length }}\"}");
        assertEquals("1", ChatTemplate.fromHfFolder(dir).render(List.of(ChatMessage.user("hi")), true));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
        assertNull(ChatTemplate.fromHfFolder(dir), "no template in the folder");
        Files.writeString(dir.resolve("chat_template.jinja"), "J{{ eos_token }}");
        assertEquals("J</s>", ChatTemplate.fromHfFolder(dir).render(List.of(), false), "chat_template.jinja wins");
    }
}
