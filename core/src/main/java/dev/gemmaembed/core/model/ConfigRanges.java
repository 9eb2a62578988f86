package dev.gemmaembed.core.model;

/**
 * The ranges a config value must lie in for the forward pass to stay finite, whichever file format
 * stated it. Each check returns null when the value is usable, else why not; the readers put the
 * file and key in front.
 */
public final class ConfigRanges {

  /**
   * Fewest positions a model may have: {@code <bos>}, one text token and {@code <eos>}. Fewer
   * cannot hold a single token of text.
   */
  public static final int MIN_POSITIONS = 3;

  // Generous bounds far above any Gemma 3 model; they stop a hostile config from sizing
  // allocations (RoPE tables, per-layer arrays) before the weights are checked.
  public static final int MAX_LAYERS = 1024;
  public static final int MAX_HEADS = 1024;
  public static final int MAX_WIDTH = 1 << 20;
  public static final int MAX_POSITIONS = 1 << 17;
  public static final int MAX_VOCAB = 1 << 24;

  private ConfigRanges() {}

  /**
   * A RoPE base θ: inv_freq = θ^(−2k/d) in float32, so a base below 1 grows the frequencies, and a
   * tiny one overflows them to infinity (angle 0 · ∞ = NaN). EmbeddingGemma: 1e4 and 1e6.
   */
  public static String ropeBase(double theta) {
    return Double.isFinite(theta) && theta >= 1
        ? null
        : "must be a finite number of at least 1, got " + theta;
  }

  /**
   * A linear RoPE scaling factor, dividing inv_freq (at most 1): below 1e-6 the first angle step
   * exceeds 1e6 radians and float32 angles lose all precision.
   */
  public static String ropeFactor(double factor) {
    return Double.isFinite(factor) && factor >= 1e-6
        ? null
        : "must be a finite number of at least 1e-6, got " + factor;
  }

  /**
   * RMSNorm's ε, added to mean(x²) in float32: zero gives 0/0 on an all-zero row, a negative one
   * the root of a negative number; above 1 it is no longer an epsilon (EmbeddingGemma: 1e-6).
   */
  public static String rmsEps(double eps) {
    float f = (float) eps;
    return f > 0 && f <= 1 ? null : "must lie in (0, 1] as a float32, got " + eps;
  }

  /** query_pre_attn_scalar: q·k is scaled by its inverse square root, so it must be positive. */
  public static String queryPreAttnScalar(double s) {
    float scale = (float) Math.pow(s, -0.5);
    return Double.isFinite(s) && s > 0 && Float.isFinite(scale) && scale > 0
        ? null
        : "must be a positive finite number, got " + s;
  }

  /**
   * Positions (context length, max_seq_length): room for {@code <bos>}, a token and {@code <eos>}.
   */
  public static String positions(int n) {
    return n >= MIN_POSITIONS
        ? null
        : "must be at least " + MIN_POSITIONS + " (<bos>, one token and <eos>), got " + n;
  }
}
