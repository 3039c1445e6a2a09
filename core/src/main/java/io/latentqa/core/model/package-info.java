/**
 * The Llama transformer in DJL NDArray ops: weights, forward pass, activation hooks and KV cache.
 *
 * <p>Dimension letters used throughout: B = rows of a batch, T = tokens of this call, S = keys
 * attended (cached + new), H = query heads, Hkv = key/value heads, hs = head size, dim = d_model,
 * hidden = feed-forward width, V = vocabulary, N = selected positions over all rows.
 */
package io.latentqa.core.model;
