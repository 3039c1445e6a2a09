package io.latentqa.core.io;

import io.latentqa.core.model.LlamaConfig;

/**
 * Embedding plus transformer block 0 of a Llama, written out in plain Java (double precision) from
 * the Hugging Face modeling code, to check a loader against transformers' residual stream after
 * block 0 without the engine: it exercises the embedding, both norms, all seven projections, the
 * q/k row layout (half-split RoPE) and grouped-query attention.
 */
final class BlockZeroReference {

    private BlockZeroReference() {
    }

    /** The residual stream after block 0, (T, dim) row-major. */
    static double[][] residualAfterBlock0(WeightSource w, int[] ids) {
        LlamaConfig c = w.config();
        int dim = c.dim();
        int hs = c.headSize();
        int kvDim = c.kvDim();
        int hidden = c.hiddenDim();
        int t = ids.length;
        float[] embedding = w.read(TensorNames.EMBED);
        double[][] x = new double[t][dim];
        for (int p = 0; p < t; p++) {
            for (int i = 0; i < dim; i++) {
                x[p][i] = embedding[ids[p] * dim + i];
            }
        }
        float[] attnNorm = w.read(TensorNames.LayerTensor.INPUT_NORM.hf(0));
        float[] wq = w.read(TensorNames.LayerTensor.Q_PROJ.hf(0));
        float[] wk = w.read(TensorNames.LayerTensor.K_PROJ.hf(0));
        float[] wv = w.read(TensorNames.LayerTensor.V_PROJ.hf(0));
        float[] wo = w.read(TensorNames.LayerTensor.O_PROJ.hf(0));
        float[] ffnNorm = w.read(TensorNames.LayerTensor.POST_ATTENTION_NORM.hf(0));
        float[] gate = w.read(TensorNames.LayerTensor.GATE_PROJ.hf(0));
        float[] up = w.read(TensorNames.LayerTensor.UP_PROJ.hf(0));
        float[] down = w.read(TensorNames.LayerTensor.DOWN_PROJ.hf(0));

        double[][] q = new double[t][];
        double[][] k = new double[t][];
        double[][] v = new double[t][];
        for (int p = 0; p < t; p++) {
            double[] xb = rmsNorm(x[p], attnNorm, c.rmsNormEps());
            q[p] = rope(matVec(wq, xb, dim, dim), p, c.nHeads(), hs, c.ropeTheta());
            k[p] = rope(matVec(wk, xb, kvDim, dim), p, c.nKvHeads(), hs, c.ropeTheta());
            v[p] = matVec(wv, xb, kvDim, dim);
        }
        for (int p = 0; p < t; p++) {
            double[] attended = new double[dim];
            for (int h = 0; h < c.nHeads(); h++) {
                int kvHead = h / c.kvMul();
                double[] scores = new double[p + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int s = 0; s <= p; s++) {
                    double dot = 0;
                    for (int i = 0; i < hs; i++) {
                        dot += q[p][h * hs + i] * k[s][kvHead * hs + i];
                    }
                    scores[s] = dot / Math.sqrt(hs);
                    max = Math.max(max, scores[s]);
                }
                double sum = 0;
                for (int s = 0; s <= p; s++) {
                    scores[s] = Math.exp(scores[s] - max);
                    sum += scores[s];
                }
                for (int s = 0; s <= p; s++) {
                    for (int i = 0; i < hs; i++) {
                        attended[h * hs + i] += scores[s] / sum * v[s][kvHead * hs + i];
                    }
                }
            }
            double[] o = matVec(wo, attended, dim, dim);
            for (int i = 0; i < dim; i++) {
                x[p][i] += o[i];
            }
            double[] xb = rmsNorm(x[p], ffnNorm, c.rmsNormEps());
            double[] g = matVec(gate, xb, hidden, dim);
            double[] u = matVec(up, xb, hidden, dim);
            for (int i = 0; i < hidden; i++) {
                g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i]; // silu(gate) * up
            }
            double[] d = matVec(down, g, dim, hidden);
            for (int i = 0; i < dim; i++) {
                x[p][i] += d[i];
            }
        }
        return x;
    }

    private static double[] rmsNorm(double[] x, float[] weight, float eps) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double scale = 1 / Math.sqrt(ss / x.length + eps);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = weight[i] * (x[i] * scale);
        }
        return out;
    }

    /** y = W x for W (rows, cols) row-major. */
    private static double[] matVec(float[] w, double[] x, int rows, int cols) {
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            int base = r * cols;
            for (int i = 0; i < cols; i++) {
                sum += w[base + i] * x[i];
            }
            y[r] = sum;
        }
        return y;
    }

    /** Hugging Face rotary embedding: pairs (i, i + hs/2) of each head, frequency theta^(-2i/hs). */
    private static double[] rope(double[] x, int pos, int heads, int hs, float theta) {
        double[] out = x.clone();
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < hs / 2; i++) {
                double angle = pos * Math.pow(theta, -2.0 * i / hs);
                double a = x[h * hs + i];
                double b = x[h * hs + i + hs / 2];
                out[h * hs + i] = a * Math.cos(angle) - b * Math.sin(angle);
                out[h * hs + i + hs / 2] = b * Math.cos(angle) + a * Math.sin(angle);
            }
        }
        return out;
    }
}
