package dev.gemmaembed.core.model;

/** sentence-transformers pooling strategies, in the order their outputs are concatenated. */
public enum PoolingMode {
  CLS("pooling_mode_cls_token"),
  MAX("pooling_mode_max_tokens"),
  MEAN("pooling_mode_mean_tokens"),
  MEAN_SQRT_LEN("pooling_mode_mean_sqrt_len_tokens"),
  LAST_TOKEN("pooling_mode_lasttoken");

  final String configKey;

  PoolingMode(String configKey) {
    this.configKey = configKey;
  }
}
