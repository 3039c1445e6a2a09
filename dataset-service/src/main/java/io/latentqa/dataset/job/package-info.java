/** Dataset generation jobs: submission, the background runner, persisted progress, cancel and resume. */
package io.latentqa.dataset.job;
