package io.latentqa.core.lora;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The shape of a LoRA adapter, as PEFT's {@code LoraConfig}: {@code y = W x + (alpha / r) B A
 * dropout(x)} on each target layer.
 *
 * @param rank    r, the inner width of A (r, in) and B (out, r)
 * @param alpha   lora_alpha; the delta is scaled by alpha / r
 * @param dropout lora_dropout, applied to the adapter's input in training passes only
 * @param targets which linear layers are adapted
 * @param layers  which blocks are adapted (PEFT's layers_to_transform); empty = all blocks
 */
public record LoraConfig(int rank, float alpha, float dropout, Set<LoraTarget> targets, SortedSet<Integer> layers) {

    /** All seven projections of every block and the output head, as the LatentQA recipe adapts. */
    public static final Set<LoraTarget> ALL_LINEAR_AND_HEAD = Collections.unmodifiableSet(EnumSet.allOf(LoraTarget.class));

    public LoraConfig {
        if (rank <= 0) {
            throw new IllegalArgumentException("LoRA rank must be positive, got " + rank);
        }
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
        }
        if (targets == null || targets.isEmpty()) {
            throw new IllegalArgumentException("a LoRA config needs at least one target module");
        }
        targets = Collections.unmodifiableSet(EnumSet.copyOf(targets));
        layers = Collections.unmodifiableSortedSet(new TreeSet<>(layers == null ? List.of() : layers));
        if (layers.stream().anyMatch(l -> l < 0)) {
            throw new IllegalArgumentException("LoRA layers must be block indices >= 0, got " + layers);
        }
        if (!layers.isEmpty() && targets.contains(LoraTarget.LM_HEAD)) {
            // PEFT matches layers_to_transform against a block index in the module name; lm_head has none
            // and would silently stay unadapted when PEFT loads the file
            throw new IllegalArgumentException("lm_head cannot be combined with a layer subset " + layers
                    + ": PEFT would not adapt it; adapt all layers or drop lm_head");
        }
    }

    /** Every block, the given targets. */
    public static LoraConfig of(int rank, float alpha, float dropout, Collection<LoraTarget> targets) {
        return new LoraConfig(rank, alpha, dropout, EnumSet.copyOf(targets), new TreeSet<>());
    }

    /** The same adapter restricted to some blocks. */
    public LoraConfig withLayers(Collection<Integer> blocks) {
        return new LoraConfig(rank, alpha, dropout, targets, new TreeSet<>(blocks));
    }

    /** alpha / r. */
    public float scale() {
        return alpha / rank;
    }

    /** Whether block {@code layer} (or the head, for {@link LoraTarget#LM_HEAD}) carries this target. */
    public boolean adapts(int layer, LoraTarget target) {
        if (!targets.contains(target)) {
            return false;
        }
        return !target.inBlock() || layers.isEmpty() || layers.contains(layer);
    }
}
