/** Grammars: structured controls (story openings) for models that follow no system prompt, with their QA templates. */
package io.latentqa.core.grammar;
