package io.latentqa.core.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpreterFactory;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import io.latentqa.core.io.GgufFile;
import jinjava.javax.el.CompositeELResolver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A model's own Jinja chat template, rendered the way Hugging Face transformers renders it
 * ({@code apply_chat_template}): Jinja with {@code trim_blocks} and {@code lstrip_blocks}, loop
 * controls, the helpers {@code raise_exception} and {@code strftime_now}, a {@code tojson} filter that
 * writes like Python's {@code json.dumps} (non-ASCII kept), the special tokens ({@code bos_token},
 * {@code eos_token}, ...) as variables, and the Python string and dict methods templates call
 * ({@code .strip()}, {@code .startswith()}, {@code .get(k, default)}, ...). Rendering uses Jinjava.
 *
 * <p>The text is tokenized afterwards with special tokens parsed and none added: whatever the
 * template writes (a BOS, a default system turn) is kept as is.
 *
 * <p>Checked against Python jinja2 configured as transformers configures it, on seven templates
 * (SmolLM2, Llama 3.2, Mistral, Gemma 2, Qwen 2.5, Phi-3, Zephyr) and one of Python idioms. Known
 * difference: transformers passes {@code tools=None} and {@code documents=None}; Jinjava cannot hold a
 * defined None, so here they are undefined ({@code tools is defined} is false where Python says true;
 * {@code tools is none}, {@code if tools} and {@code tools is not none} agree).
 */
public final class ChatTemplate {

    /** Content of the extra message {@link #renderOpenTurn} renders; the text is cut where it appears. */
    public static final String OPEN_TURN_SENTINEL = "\u27e6LATENTQA-OPEN-TURN-SENTINEL\u27e7";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String source;
    private final Map<String, String> specialTokens;
    private final Jinjava jinjava;

    /**
     * @param source        the Jinja source of the template
     * @param specialTokens variables such as {@code bos_token -> "<|im_start|>"}, {@code eos_token}
     *                      (missing ones are simply undefined in the template)
     */
    public ChatTemplate(String source, Map<String, String> specialTokens) {
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("a chat template needs a non-empty Jinja source");
        }
        this.source = source;
        this.specialTokens = Map.copyOf(specialTokens);
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonMethodResolver());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        this.jinjava = new Jinjava(JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withFailOnUnknownTokens(false)
                .withElResolver(resolver)
                // Jinja's whitespace control on {{- -}} and {#- -#}, and Python-style printing of lists and dicts
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withUsePyishObjectMapper(true)
                        .build())
                .withInterperterFactory(new PythonInterpreterFactory())
                .build());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                ChatTemplate.class, "raiseException", String.class));
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now",
                ChatTemplate.class, "strftimeNow", String.class));
        jinjava.getGlobalContext().registerFilter(new PythonJsonFilter());
        jinjava.getGlobalContext().registerTag(new GenerationTag());
    }

    // ----------------------------------------------------------------------------------------------
    // sources

    /** A {@code chat_template.jinja} file. */
    public static ChatTemplate fromFile(Path jinjaFile, Map<String, String> specialTokens) {
        return new ChatTemplate(read(jinjaFile), specialTokens);
    }

    /**
     * The template of a Hugging Face model folder: {@code chat_template.jinja} if present, otherwise
     * the {@code chat_template} field of {@code tokenizer_config.json} (a string, or a list of named
     * templates of which {@code default} or else the first is used). Special tokens come from
     * {@code tokenizer_config.json}. Returns null when the folder has no template.
     */
    public static ChatTemplate fromHfFolder(Path folder) {
        Path config = folder.resolve("tokenizer_config.json");
        JsonNode root = null;
        if (Files.exists(config)) {
            try {
                root = JSON.readTree(config.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot parse " + config, e);
            }
        }
        Map<String, String> specials = root == null ? Map.of() : specialTokensOf(root);
        Path jinjaFile = folder.resolve("chat_template.jinja");
        if (Files.exists(jinjaFile)) {
            return new ChatTemplate(read(jinjaFile), specials);
        }
        String source = root == null ? null : templateField(root.get("chat_template"), config.toString());
        return source == null ? null : new ChatTemplate(source, specials);
    }

    /**
     * The template in a GGUF file's {@code tokenizer.chat_template} metadata, with {@code bos_token},
     * {@code eos_token}, {@code unk_token}, {@code pad_token} taken from the GGUF token ids. Returns
     * null when the file has no template.
     */
    public static ChatTemplate fromGguf(GgufFile gguf) {
        if (!gguf.has("tokenizer.chat_template")) {
            return null;
        }
        return new ChatTemplate(gguf.getString("tokenizer.chat_template"), GgufTokenizer.specialTokens(gguf));
    }

    /** The special tokens named in a tokenizer_config.json (plain strings or AddedToken objects). */
    public static Map<String, String> specialTokensOf(JsonNode tokenizerConfig) {
        Map<String, String> specials = new LinkedHashMap<>();
        for (String key : List.of("bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token", "mask_token")) {
            JsonNode node = tokenizerConfig.get(key);
            if (node == null || node.isNull()) {
                continue;
            }
            if (node.isTextual()) {
                specials.put(key, node.asText());
            } else if (node.isObject() && node.hasNonNull("content")) {
                specials.put(key, node.get("content").asText());
            }
        }
        return specials;
    }

    /** A {@code chat_template} value: a string, or a list of {@code {name, template}} objects. */
    static String templateField(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isArray()) {
            String first = null;
            for (JsonNode named : node) {
                String template = named.path("template").asText(null);
                if ("default".equals(named.path("name").asText())) {
                    return template;
                }
                if (first == null) {
                    first = template;
                }
            }
            return first;
        }
        throw new IllegalArgumentException(where + ": chat_template must be a string or a list of {name, template}, found "
                + node.getNodeType());
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read chat template " + path, e);
        }
    }

    // ----------------------------------------------------------------------------------------------
    // rendering

    /** The Jinja source. */
    public String source() {
        return source;
    }

    /** The special-token variables the template sees. */
    public Map<String, String> specialTokens() {
        return specialTokens;
    }

    /**
     * Renders a conversation.
     *
     * @param addGenerationPrompt whether to end with the opening of an assistant turn
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /**
     * Renders a conversation with extra template variables (for example {@code date_string} for
     * Llama 3 templates, or {@code enable_thinking}).
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> extraVariables) {
        Map<String, Object> context = new LinkedHashMap<>(specialTokens);
        List<Map<String, Object>> maps = new ArrayList<>(messages.size());
        for (ChatMessage message : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", message.role());
            map.put("content", message.content());
            maps.add(map);
        }
        context.put("messages", maps);
        context.put("add_generation_prompt", addGenerationPrompt);
        context.putAll(extraVariables);
        RenderResult result = jinjava.renderForResult(source, context);
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw failure(error);
            }
        }
        return result.getOutput();
    }

    /**
     * The text of {@code messages} followed by an open turn of {@code role}: the conversation plus a
     * message of that role whose content is a sentinel, cut where the sentinel begins (method §12).
     * With role {@code reflect} this is the decoder's generation prompt, whatever the template.
     *
     * @throws IllegalArgumentException if the template does not write the content of a {@code role}
     *                                  message (it drops or rejects unknown roles)
     */
    public String renderOpenTurn(List<ChatMessage> messages, String role) {
        List<ChatMessage> withOpen = new ArrayList<>(messages);
        withOpen.add(new ChatMessage(role, OPEN_TURN_SENTINEL));
        String text = render(withOpen, false);
        int at = text.indexOf(OPEN_TURN_SENTINEL);
        if (at < 0) {
            throw new IllegalArgumentException("this chat template does not write the content of a '" + role
                    + "' message, so no open '" + role + "' turn can be cut from it; use a template that renders"
                    + " any role (ChatML, Llama 3) or map the role before rendering");
        }
        return text.substring(0, at);
    }

    private static RuntimeException failure(TemplateError error) {
        for (Throwable t = error.getException(); t != null; t = t.getCause()) {
            if (t instanceof TemplateRaisedException raised) {
                return new IllegalArgumentException("the chat template rejected the messages: " + raised.getMessage());
            }
        }
        String message = error.getMessage();
        String marker = TemplateRaisedException.PREFIX;
        if (message != null && message.contains(marker)) {
            return new IllegalArgumentException("the chat template rejected the messages: "
                    + message.substring(message.indexOf(marker) + marker.length()));
        }
        return new IllegalStateException("cannot render the chat template (line " + error.getLineno() + "): " + message
                + (error.getFieldName() != null ? " in '" + error.getFieldName() + "'" : ""));
    }

    // ----------------------------------------------------------------------------------------------
    // Hugging Face helpers

    /** What {@code raise_exception(message)} throws. */
    static final class TemplateRaisedException extends RuntimeException {
        static final String PREFIX = "raise_exception: ";

        TemplateRaisedException(String message) {
            super(PREFIX + message);
        }

        @Override
        public String getMessage() {
            return super.getMessage().substring(PREFIX.length());
        }
    }

    /** {@code raise_exception(message)}: the template refuses the conversation. */
    public static String raiseException(String message) {
        throw new TemplateRaisedException(message);
    }

    /** {@code strftime_now(format)}: the current local time in a Python strftime format. */
    public static String strftimeNow(String format) {
        return strftime(ZonedDateTime.now(), format);
    }

    /** Python's strftime for the common directives (%a %A %b %B %d %m %y %Y %H %I %M %S %p %j %f %z %Z %%). */
    static String strftime(ZonedDateTime time, String format) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            char d = format.charAt(++i);
            String pattern = switch (d) {
                case 'a' -> "EEE";
                case 'A' -> "EEEE";
                case 'b', 'h' -> "MMM";
                case 'B' -> "MMMM";
                case 'd' -> "dd";
                case 'm' -> "MM";
                case 'y' -> "yy";
                case 'Y' -> "yyyy";
                case 'H' -> "HH";
                case 'I' -> "hh";
                case 'M' -> "mm";
                case 'S' -> "ss";
                case 'p' -> "a";
                case 'j' -> "DDD";
                case 'f' -> "SSSSSS";
                case 'z' -> "xx";
                case 'Z' -> "zzz";
                default -> null;
            };
            if (d == '%') {
                out.append('%');
            } else if (pattern == null) {
                out.append('%').append(d); // Python keeps unknown directives too
            } else {
                out.append(DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH).format(time));
            }
        }
        return out.toString();
    }

    /** {@code tojson} as transformers defines it: Python json.dumps with ensure_ascii=False. */
    private static final class PythonJsonFilter implements Filter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return PythonJson.dumps(var, args.length > 0 && args[0] != null ? Integer.valueOf(args[0]) : null, false);
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indent = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
            boolean sortKeys = Boolean.TRUE.equals(kwargs.get("sort_keys"));
            return PythonJson.dumps(var, indent == null ? null : ((Number) (indent instanceof String s ? Integer.valueOf(s) : indent)).intValue(), sortKeys);
        }
    }

    /** Prints booleans as Python does ({@code True}/{@code False}); Jinjava would print {@code true}. */
    private static final class PythonInterpreterFactory implements InterpreterFactory {
        @Override
        public JinjavaInterpreter newInstance(JinjavaInterpreter parent) {
            return new PythonInterpreter(parent);
        }

        @Override
        public JinjavaInterpreter newInstance(Jinjava jinjava, Context context, JinjavaConfig config) {
            return new PythonInterpreter(jinjava, context, config);
        }
    }

    private static final class PythonInterpreter extends JinjavaInterpreter {
        PythonInterpreter(JinjavaInterpreter parent) {
            super(parent);
        }

        PythonInterpreter(Jinjava jinjava, Context context, JinjavaConfig config) {
            super(jinjava, context, config);
        }

        @Override
        public String getAsString(Object value) {
            if (value instanceof Boolean b) {
                return b ? "True" : "False";
            }
            return super.getAsString(value);
        }
    }

    /** {@code {% generation %}...{% endgeneration %}} (transformers' assistant-mask marker): renders its body. */
    private static final class GenerationTag implements Tag {
        @Override
        public String getName() {
            return "generation";
        }

        @Override
        public String getEndTagName() {
            return "endgeneration";
        }

        @Override
        public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
            StringBuilder out = new StringBuilder();
            for (Node child : tagNode.getChildren()) {
                out.append(child.render(interpreter).getValue());
            }
            return out.toString();
        }
    }

    @Override
    public String toString() {
        return "ChatTemplate[" + source.length() + " chars, specials " + specialTokens.keySet() + "]";
    }
}
