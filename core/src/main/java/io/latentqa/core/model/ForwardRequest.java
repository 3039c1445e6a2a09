package io.latentqa.core.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What one {@link Llama#forward} call computes: which tokens, which logits, which residuals to read,
 * which residuals to patch, with which adapter, and whether to fill a KV cache.
 *
 * <p>The forward pass runs only as deep as needed: with no logits and no cache it stops after the
 * deepest block that is read or patched and never touches the output head.
 *
 * @param tokens        the batch (left-padded internally)
 * @param logits        positions whose logits are wanted ({@link RowPositions#none()} for none)
 * @param readLayers    blocks whose output residual is returned (empty for none)
 * @param readPositions positions of each read (ALL, LAST or AT)
 * @param patches       edits of the residual stream, applied in order after their block
 * @param adapter       name of a LoRA adapter registered on the model, or null for the base model
 * @param cache         KV cache to fill and attend over, or null
 * @param training      true turns LoRA dropout on (the only train/eval difference in this model)
 * @param detachBlocks  true cuts the gradient between blocks: each block reads the stream after the previous
 *                      block detached, so a loss on block l's output trains only block l (per-layer
 *                      steering, method doc §6); reads and patches see the stream before the cut
 */
public record ForwardRequest(
        TokenBatch tokens,
        RowPositions logits,
        SortedSet<Integer> readLayers,
        RowPositions readPositions,
        List<ResidualPatch> patches,
        String adapter,
        KvCache cache,
        boolean training,
        boolean detachBlocks) {

    public ForwardRequest {
        if (tokens == null) {
            throw new IllegalArgumentException("a forward request needs tokens");
        }
        logits = logits == null ? RowPositions.none() : logits;
        readLayers = Collections.unmodifiableSortedSet(new TreeSet<>(readLayers == null ? List.of() : readLayers));
        readPositions = readPositions == null ? RowPositions.all() : readPositions;
        if (!readLayers.isEmpty() && readPositions.isNone()) {
            throw new IllegalArgumentException("residuals of blocks " + readLayers + " are requested at no positions");
        }
        patches = List.copyOf(patches == null ? List.of() : patches);
    }

    /** Logits at {@code positions}, base model, no cache. */
    public static ForwardRequest logits(TokenBatch tokens, RowPositions positions) {
        return builder().setTokens(tokens).optLogits(positions).build();
    }

    /** Residuals after {@code layers} at {@code positions}; stops after the deepest of them. */
    public static ForwardRequest read(TokenBatch tokens, Collection<Integer> layers, RowPositions positions) {
        return builder().setTokens(tokens).optRead(layers).optReadPositions(positions).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The deepest block this request needs. */
    public int lastLayer(int nLayers) {
        if (!logits.isNone() || cache != null) {
            return nLayers - 1;
        }
        int last = readLayers.isEmpty() ? -1 : readLayers.last();
        for (ResidualPatch patch : patches) {
            last = Math.max(last, patch.layer());
        }
        if (last < 0) {
            throw new IllegalArgumentException("the forward request asks for nothing: no logits, no reads, no patches, no cache");
        }
        return last;
    }

    /** Builds a {@link ForwardRequest}; {@code setTokens} is required, everything else optional. */
    public static final class Builder {
        private TokenBatch tokens;
        private RowPositions logits = RowPositions.none();
        private final SortedSet<Integer> readLayers = new TreeSet<>();
        private RowPositions readPositions = RowPositions.all();
        private final List<ResidualPatch> patches = new ArrayList<>();
        private String adapter;
        private KvCache cache;
        private boolean training;
        private boolean detachBlocks;

        private Builder() {
        }

        /** The tokens (required). */
        public Builder setTokens(TokenBatch tokens) {
            this.tokens = tokens;
            return this;
        }

        /** Positions whose logits are wanted; default none. */
        public Builder optLogits(RowPositions positions) {
            this.logits = positions;
            return this;
        }

        /** Read the residual stream after these blocks; default none. */
        public Builder optRead(Collection<Integer> layers) {
            readLayers.addAll(layers);
            return this;
        }

        /** Read the residual stream after these blocks. */
        public Builder optRead(int... layers) {
            for (int layer : layers) {
                readLayers.add(layer);
            }
            return this;
        }

        /** Positions of every read; default all. */
        public Builder optReadPositions(RowPositions positions) {
            this.readPositions = positions;
            return this;
        }

        /** Adds a residual patch (applied in the order added). */
        public Builder optPatch(ResidualPatch patch) {
            patches.add(patch);
            return this;
        }

        /** Adds residual patches. */
        public Builder optPatches(Collection<ResidualPatch> more) {
            patches.addAll(more);
            return this;
        }

        /** A registered adapter to run with; default none (the base model). */
        public Builder optAdapter(String name) {
            this.adapter = name;
            return this;
        }

        /** A KV cache to fill and attend over; default none. */
        public Builder optCache(KvCache cache) {
            this.cache = cache;
            return this;
        }

        /** Turns LoRA dropout on; default false. */
        public Builder optTraining(boolean training) {
            this.training = training;
            return this;
        }

        /** Cuts the gradient between blocks (per-layer steering); default false. */
        public Builder optDetachBlocks(boolean detach) {
            this.detachBlocks = detach;
            return this;
        }

        public ForwardRequest build() {
            return new ForwardRequest(tokens, logits, readLayers, readPositions, patches, adapter, cache, training, detachBlocks);
        }
    }
}
