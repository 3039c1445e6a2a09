/** Text generation with a KV cache: samplers, settings and the batched generation loop. */
package io.latentqa.core.generate;
