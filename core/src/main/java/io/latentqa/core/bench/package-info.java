/** Benchmarks of the engine, run as plain {@code main} programs. */
package io.latentqa.core.bench;
