/** import-latentqa: the LatentQA files (method doc §1.2) into controls, dialogs and QA pairs, idempotently. */
package io.latentqa.dataset.imports;
