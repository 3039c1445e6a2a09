/**
 * Activation events on Kafka (architecture.md contract; docs/activation-events.md): the record, its
 * safetensors codec, the positions selection, the claim check for large events and the topic names.
 */
package io.latentqa.core.events;
