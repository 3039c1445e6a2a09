/**
 * Tokenizers (Hugging Face tokenizer.json through DJL, GGUF metadata, llama2.c) and the model's own
 * Jinja chat template, rendered as transformers renders it.
 */
package io.latentqa.core.tokenizer;
