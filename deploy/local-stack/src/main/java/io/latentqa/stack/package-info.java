/**
 * The local stack: a real PostgreSQL and a real Kafka broker on 127.0.0.1 for {@code ./latentqa up}, the
 * Quarkus test resources that start the same servers inside a test JVM, and the demo's smoke run.
 */
package io.latentqa.stack;
