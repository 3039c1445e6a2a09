/**
 * Generation jobs: grammar controls (generate-controls), dialogs completed by the target model through
 * capture-service (generate-dialogs), and QA pairs from templates or an LLM (generate-qa).
 */
package io.latentqa.dataset.generate;
