package io.latentqa.trainer.run;

/**
 * How far a run is, as stored in {@code runs}.
 *
 * @param step            optimizer steps done
 * @param totalSteps      steps the run will take (null until it starts)
 * @param loss            loss of the latest step
 * @param tokensPerSecond throughput of the latest step
 * @param etaSeconds      estimated seconds to the end
 * @param message         what the run is doing or why it stopped (queue position, error, ...)
 * @param adapterId       the published adapter (when succeeded)
 * @param adapterUri      {@code file:} URI of its PEFT folder
 * @param adapterDigest   {@code sha256:<hex>} of its adapter_model.safetensors
 * @param reportPath      the run's report folder (loss-curve.png, report.json)
 */
public record RunProgress(int step, Integer totalSteps, Double loss, Double tokensPerSecond, Double etaSeconds, String message,
                          String adapterId, String adapterUri, String adapterDigest, String reportPath) {
}
