package io.latentqa.decoder.monitor;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Creates, lists, updates and deletes monitors, checking each against its rule, and keeps the current set in
 * memory for the evaluation of every event.
 */
@ApplicationScoped
public class MonitorService {

    private static final Set<String> SOURCES = Set.of("traffic", "dataset", "eval");

    private final MonitorRepository repository;
    private volatile List<Monitor> active;

    MonitorService(MonitorRepository repository) {
        this.repository = repository;
    }

    /** The monitors now, as evaluation sees them (read from the database once, then kept current by CRUD). */
    public List<Monitor> active() {
        List<Monitor> monitors = active;
        if (monitors == null) {
            refresh();
            monitors = active;
        }
        return monitors;
    }

    public List<Monitor> list() {
        return repository.list();
    }

    public Optional<Monitor> find(UUID id) {
        return repository.find(id);
    }

    /** @throws IllegalArgumentException saying which field is wrong */
    public Monitor create(MonitorSpec spec) {
        Monitor monitor = check(UUID.randomUUID(), spec);
        repository.insert(monitor);
        refresh();
        return repository.find(monitor.id()).orElseThrow();
    }

    /** @return the updated monitor, empty if there is none of that id */
    public Optional<Monitor> update(UUID id, MonitorSpec spec) {
        Monitor monitor = check(id, spec);
        if (!repository.update(monitor)) {
            return Optional.empty();
        }
        refresh();
        return repository.find(id);
    }

    /** @return whether there was such a monitor */
    public boolean delete(UUID id) {
        boolean deleted = repository.delete(id);
        refresh();
        return deleted;
    }

    private void refresh() {
        active = List.copyOf(repository.list());
    }

    static Monitor check(UUID id, MonitorSpec s) {
        if (s == null) {
            throw new IllegalArgumentException("the body must be a monitor: {\"question\", \"rule\": \"choice\"|\"regex\", ...}");
        }
        if (s.question() == null || s.question().isBlank()) {
            throw new IllegalArgumentException("question must be a non-empty string");
        }
        String rule = s.rule() == null ? (s.pattern() != null ? Monitor.REGEX : Monitor.CHOICE) : s.rule();
        if (s.sourceFilter() != null && !SOURCES.contains(s.sourceFilter())) {
            throw new IllegalArgumentException("sourceFilter must be one of traffic, dataset, eval (or absent), got '"
                    + s.sourceFilter() + "'");
        }
        String name = s.name() == null || s.name().isBlank() ? s.question() : s.name();
        switch (rule) {
            case Monitor.CHOICE -> {
                if (s.answers() == null || s.answers().size() < 2 || s.answers().stream().anyMatch(a -> a == null || a.isBlank())) {
                    throw new IllegalArgumentException("a choice monitor needs answers: at least 2 non-empty candidates");
                }
                if (s.flagAnswer() == null || !s.answers().contains(s.flagAnswer())) {
                    throw new IllegalArgumentException("flagAnswer must be one of the answers " + s.answers() + ", got "
                            + (s.flagAnswer() == null ? "nothing" : "'" + s.flagAnswer() + "'"));
                }
                if (s.threshold() == null || !(s.threshold() >= 0 && s.threshold() <= 1)) {
                    throw new IllegalArgumentException("threshold must be a probability in [0, 1], got " + s.threshold());
                }
                if (s.pattern() != null) {
                    throw new IllegalArgumentException("a choice monitor takes no pattern; use rule 'regex' for that");
                }
                return new Monitor(id, name, s.question(), rule, List.copyOf(s.answers()), s.flagAnswer(), s.threshold(),
                        Boolean.TRUE.equals(s.normalise()), null, s.modelFilter(), s.sourceFilter(), null, null);
            }
            case Monitor.REGEX -> {
                if (s.pattern() == null || s.pattern().isEmpty()) {
                    throw new IllegalArgumentException("a regex monitor needs a pattern (a Java regular expression)");
                }
                try {
                    Pattern.compile(s.pattern());
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("pattern is not a valid regular expression: " + e.getDescription()
                            + " near index " + e.getIndex());
                }
                if (s.answers() != null || s.flagAnswer() != null || s.threshold() != null) {
                    throw new IllegalArgumentException("a regex monitor takes no answers, flagAnswer or threshold; use"
                            + " rule 'choice' for those");
                }
                return new Monitor(id, name, s.question(), rule, null, null, null, false, s.pattern(), s.modelFilter(),
                        s.sourceFilter(), null, null);
            }
            default -> throw new IllegalArgumentException("rule must be 'choice' or 'regex', got '" + rule + "'");
        }
    }
}
