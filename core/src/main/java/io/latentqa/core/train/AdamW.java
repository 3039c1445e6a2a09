package io.latentqa.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter; PyTorch's {@code torch.optim.AdamW}) written out over named parameters,
 * with global-norm gradient clipping. For each parameter p with gradient g, at step t (1-based):
 * <pre>
 * p <- p - lr * wd * p                         (decoupled weight decay)
 * m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
 * p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * </pre>
 * The moments live in this optimizer's own NDManager, outside any step scope (DJL's Adam creates its
 * state lazily inside the caller's scope and loses it when the scope closes: stack notes). Call
 * {@link #step} outside a gradient collector: it updates the parameters in place.
 */
public final class AdamW implements AutoCloseable {

    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final NDManager manager = NDManager.newBaseManager();
    private final Map<String, NDArray> parameters;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private int t;

    /** @param parameters the live trainable arrays by name (their gradients are read at each step) */
    public AdamW(Map<String, NDArray> parameters, double beta1, double beta2, double epsilon, double weightDecay) {
        this.parameters = parameters;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        for (Map.Entry<String, NDArray> p : parameters.entrySet()) {
            m.put(p.getKey(), manager.zeros(p.getValue().getShape(), p.getValue().getDataType()));
            v.put(p.getKey(), manager.zeros(p.getValue().getShape(), p.getValue().getDataType()));
        }
    }

    /** Steps taken so far (t). */
    public int steps() {
        return t;
    }

    /** The global L2 norm of all gradients. */
    public double gradientNorm() {
        double sum = 0;
        try (NDScope scope = new NDScope()) {
            for (NDArray p : parameters.values()) {
                NDArray g = p.getGradient();
                sum += g.toType(DataType.FLOAT64, false).square().sum().getDouble();
            }
        }
        return Math.sqrt(sum);
    }

    /** Names of the parameters whose gradient holds a NaN or an infinity (for the error of a bad step). */
    List<String> nonFiniteGradients() {
        List<String> names = new ArrayList<>();
        try (NDScope scope = new NDScope()) {
            for (Map.Entry<String, NDArray> p : parameters.entrySet()) {
                NDArray g = p.getValue().getGradient();
                if (!Double.isFinite(g.toType(DataType.FLOAT64, false).abs().max().getDouble())) {
                    names.add(p.getKey());
                }
            }
        }
        return names;
    }

    /**
     * One update with the current gradients, first scaled so their global norm is at most
     * {@code clipNorm} (0 = no clipping).
     *
     * @return the global gradient norm before clipping
     * @throws NonFiniteStepException if a gradient is not finite (nothing is updated)
     */
    public double step(double lr, double clipNorm) {
        double norm = gradientNorm();
        if (!Double.isFinite(norm)) {
            List<String> bad = nonFiniteGradients();
            throw new NonFiniteStepException("non-finite gradient norm (" + norm + ") in " + bad.size() + " of " + parameters.size()
                    + " parameters, e.g. " + bad.subList(0, Math.min(3, bad.size()))
                    + "; the parameters were not updated");
        }
        double clip = clipNorm > 0 && norm > clipNorm ? clipNorm / (norm + 1e-6) : 1.0;
        t++;
        double correction1 = 1 - Math.pow(beta1, t);
        double correction2 = 1 - Math.pow(beta2, t);
        try (NDScope scope = new NDScope()) {
            for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
                NDArray p = e.getValue();
                NDArray g = p.getGradient();
                if (clip != 1.0) {
                    g = g.mul(clip);
                }
                NDArray mi = m.get(e.getKey());
                NDArray vi = v.get(e.getKey());
                mi.muli(beta1).addi(g.mul(1 - beta1));
                vi.muli(beta2).addi(g.square().muli(1 - beta2));
                if (weightDecay > 0) {
                    p.subi(p.mul(lr * weightDecay));
                }
                NDArray denominator = vi.div(correction2).sqrt().addi(epsilon);
                p.subi(mi.div(correction1).divi(denominator).muli(lr));
            }
        }
        return norm;
    }

    /** The first and second moments by parameter name, as {@code m.<name>} and {@code v.<name>} (copies). */
    public Map<String, float[]> state() {
        Map<String, float[]> state = new LinkedHashMap<>();
        m.forEach((name, array) -> state.put("m." + name, array.toFloatArray()));
        v.forEach((name, array) -> state.put("v." + name, array.toFloatArray()));
        return state;
    }

    /** Restores moments and step count saved by {@link #state()}. */
    public void restore(Map<String, float[]> state, int steps) {
        for (String name : parameters.keySet()) {
            float[] mi = state.get("m." + name);
            float[] vi = state.get("v." + name);
            if (mi == null || vi == null || mi.length != m.get(name).size() || vi.length != v.get(name).size()) {
                throw new IllegalArgumentException("optimizer state lacks moments of the right size for " + name
                        + "; the checkpoint belongs to another adapter shape");
            }
            m.get(name).set(mi);
            v.get(name).set(vi);
        }
        t = steps;
    }

    /** Shape of a parameter (for writing the state). */
    public long[] shape(String name) {
        return parameters.get(name).getShape().getShape();
    }

    @Override
    public void close() {
        manager.close();
    }
}
