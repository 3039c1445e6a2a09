package io.latentqa.decoder.monitor;

import java.util.List;

/**
 * What a client sends to create or replace a monitor (fields as in {@link Monitor}).
 */
public record MonitorSpec(String name, String question, String rule, List<String> answers, String flagAnswer,
        Double threshold, Boolean normalise, String pattern, String modelFilter, String sourceFilter) {
}
