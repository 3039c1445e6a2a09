package io.latentqa.core.model;

import ai.djl.ndarray.NDArray;

/**
 * Root-mean-square layer normalisation (Zhang and Sennrich 2019, https://arxiv.org/abs/1910.07467):
 * {@code y = x / sqrt(mean(x^2) + eps) * weight}, over the last axis. No mean subtraction, no bias.
 */
public final class RmsNorm {

    private RmsNorm() {
    }

    /**
     * Normalises the last axis of {@code x}.
     *
     * @param x      (..., dim)
     * @param weight (dim)
     * @param eps    added to the mean square before the root
     * @return (..., dim), in the manager of {@code x}
     */
    public static NDArray forward(NDArray x, NDArray weight, float eps) {
        // mean square over dim: (..., 1); DJL has no rsqrt, so pow(-0.5)
        NDArray inverseRms = x.square().mean(new int[] {-1}, true).add(eps).pow(-0.5);
        return x.mul(inverseRms).mul(weight);
    }
}
