package io.latentqa.dataset.job;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Typed reads of a job's {@code params} object, with errors that name the parameter, what it must be and what
 * was sent. Unknown parameter names are refused, so a typo does not silently fall back to a default.
 */
public final class JobParams {

    private final JobType type;
    private final ObjectNode params;
    private final String prefix;

    private JobParams(JobType type, ObjectNode params, String prefix) {
        this.type = type;
        this.params = params;
        this.prefix = prefix;
    }

    /**
     * @param type the job type (for messages)
     * @param params the params object, or null / JSON null for none
     * @param allowed the parameter names this job type knows
     * @throws InvalidParamsException if params is not an object or names an unknown parameter
     */
    public static JobParams of(JobType type, JsonNode params, Set<String> allowed) {
        if (params == null || params.isNull() || params.isMissingNode()) {
            return new JobParams(type, JsonNodeFactory.instance.objectNode(), "");
        }
        if (!params.isObject()) {
            throw new InvalidParamsException("params of a " + type.wireName() + " job must be a JSON object, got "
                    + params.getNodeType().toString().toLowerCase());
        }
        for (Iterator<String> names = params.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new InvalidParamsException("a " + type.wireName() + " job has no parameter '" + name
                        + "'; allowed: " + String.join(", ", new TreeSet<>(allowed)));
            }
        }
        return new JobParams(type, (ObjectNode) params, "");
    }

    public ObjectNode node() {
        return params;
    }

    private JsonNode value(String name) {
        JsonNode value = params.get(name);
        return value == null || value.isNull() ? null : value;
    }

    private InvalidParamsException invalid(String name, String expected, JsonNode got) {
        return new InvalidParamsException("params." + prefix + name + " of a " + type.wireName() + " job must be " + expected
                + ", got " + got);
    }

    public Optional<String> string(String name) {
        JsonNode value = value(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw invalid(name, "a non-empty string", value);
        }
        return Optional.of(value.asText());
    }

    /** A string from a fixed set of choices. */
    public String choice(String name, String defaultValue, Set<String> choices) {
        String value = string(name).orElse(defaultValue);
        if (!choices.contains(value)) {
            throw new InvalidParamsException("params." + prefix + name + " of a " + type.wireName() + " job must be one of "
                    + String.join(", ", new TreeSet<>(choices)) + ", got '" + value + "'");
        }
        return value;
    }

    public int integer(String name, int defaultValue, int min, int max) {
        JsonNode value = value(name);
        if (value == null) {
            return defaultValue;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < min || value.asInt() > max) {
            throw invalid(name, "an integer from " + min + " to " + max, value);
        }
        return value.asInt();
    }

    public Optional<Integer> optionalInteger(String name, int min, int max) {
        return value(name) == null ? Optional.empty() : Optional.of(integer(name, 0, min, max));
    }

    public long longValue(String name, long defaultValue) {
        JsonNode value = value(name);
        if (value == null) {
            return defaultValue;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw invalid(name, "an integer", value);
        }
        return value.asLong();
    }

    public double number(String name, double defaultValue, double min, double max) {
        JsonNode value = value(name);
        if (value == null) {
            return defaultValue;
        }
        if (!value.isNumber() || value.asDouble() < min || value.asDouble() > max) {
            throw invalid(name, "a number from " + min + " to " + max, value);
        }
        return value.asDouble();
    }

    public boolean bool(String name, boolean defaultValue) {
        JsonNode value = value(name);
        if (value == null) {
            return defaultValue;
        }
        if (!value.isBoolean()) {
            throw invalid(name, "true or false", value);
        }
        return value.asBoolean();
    }

    /** A list of strings, sent as a JSON array or as one comma-separated string. Empty strings are kept. */
    public Optional<List<String>> strings(String name) {
        JsonNode value = value(name);
        if (value == null) {
            return Optional.empty();
        }
        List<String> strings = new ArrayList<>();
        if (value.isTextual()) {
            for (String part : value.asText().split(",")) {
                if (!part.isBlank()) {
                    strings.add(part.strip());
                }
            }
        } else if (value.isArray()) {
            for (JsonNode element : value) {
                if (!element.isTextual()) {
                    throw invalid(name, "an array of strings", value);
                }
                strings.add(element.asText());
            }
        } else {
            throw invalid(name, "an array of strings (or one comma-separated string)", value);
        }
        if (strings.isEmpty()) {
            throw invalid(name, "a non-empty list", value);
        }
        return Optional.of(strings);
    }

    public Optional<List<Integer>> integers(String name, int min, int max) {
        JsonNode value = value(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isArray() || value.isEmpty()) {
            throw invalid(name, "a non-empty array of integers", value);
        }
        List<Integer> integers = new ArrayList<>();
        for (JsonNode element : value) {
            if (!element.isIntegralNumber() || element.asInt() < min || element.asInt() > max) {
                throw invalid(name, "an array of integers from " + min + " to " + max, value);
            }
            integers.add(element.asInt());
        }
        return Optional.of(integers);
    }

    /**
     * A nested object parameter, read with its own allowed names (absent: an empty object).
     *
     * @throws InvalidParamsException if it is not an object or names an unknown parameter
     */
    public JobParams object(String name, Set<String> allowed) {
        JsonNode value = value(name);
        if (value == null) {
            return new JobParams(type, JsonNodeFactory.instance.objectNode(), prefix + name + ".");
        }
        if (!value.isObject()) {
            throw invalid(name, "a JSON object", value);
        }
        for (Iterator<String> names = value.fieldNames(); names.hasNext();) {
            String nested = names.next();
            if (!allowed.contains(nested)) {
                throw new InvalidParamsException("params." + prefix + name + " of a " + type.wireName()
                        + " job has no parameter '" + nested + "'; allowed: " + String.join(", ", new TreeSet<>(allowed)));
            }
        }
        return new JobParams(type, (ObjectNode) value, prefix + name + ".");
    }

    /** @return true when the parameter is present and not null */
    public boolean has(String name) {
        return value(name) != null;
    }
}
