/**
 * Low-rank adaptation (LoRA, Hu et al. 2021, https://arxiv.org/abs/2106.09685) of a {@link
 * io.latentqa.core.model.Llama}: named adapters on one base model, PEFT-compatible files.
 */
package io.latentqa.core.lora;
