package io.latentqa.dataset.record;

import java.util.LinkedHashMap;
import java.util.Map;

/** Counts what writes by natural key did: a job's result reports them per table. */
public final class Upserts {

    /** What one write did. */
    public enum Outcome {
        INSERTED, UPDATED, UNCHANGED
    }

    private int inserted;
    private int updated;
    private int unchanged;

    public void count(Outcome outcome) {
        switch (outcome) {
            case INSERTED -> inserted++;
            case UPDATED -> updated++;
            case UNCHANGED -> unchanged++;
        }
    }

    public int inserted() {
        return inserted;
    }

    public int updated() {
        return updated;
    }

    public int unchanged() {
        return unchanged;
    }

    public Map<String, Integer> asMap() {
        Map<String, Integer> map = new LinkedHashMap<>();
        map.put("inserted", inserted);
        map.put("updated", updated);
        map.put("unchanged", unchanged);
        return map;
    }
}
