package dev.gemmaembed.core;

import dev.gemmaembed.core.model.LoadedModel;
import dev.gemmaembed.core.model.TokenEmbeddings;

/**
 * The one rule on output vectors: every element is finite. Checked on each batch the encoder and
 * head produce (one pass over {@code sequences × dim} floats, nothing beside the forward pass), so
 * the CLI, the server and the library integrations all refuse NaN the same way.
 */
final class OutputChecks {

  private OutputChecks() {}

  /**
   * Throws {@link NonFiniteOutputException} if a vector of {@code vectors} ({@code [seqs.length ×
   * dim]}) holds NaN or an infinity, naming the likely cause: a token-embedding row of that text
   * when one is non-finite (read only on failure), else the encoder's weights or config values.
   */
  static void requireFinite(float[] vectors, int dim, int[][] seqs, LoadedModel model) {
    for (int s = 0; s < seqs.length; s++) {
      for (int j = s * dim; j < (s + 1) * dim; j++) {
        if (!Float.isFinite(vectors[j])) {
          throw new NonFiniteOutputException(
              model.source()
                  + ": the model produced a vector holding "
                  + vectors[j]
                  + "; likely cause: "
                  + likelyCause(seqs[s], model));
        }
      }
    }
  }

  private static String likelyCause(int[] seq, LoadedModel model) {
    TokenEmbeddings table = model.encoder().tokenEmbeddings();
    float[] row = new float[table.cols()];
    for (int id : seq) {
      table.readRow(id, row, 0);
      for (float v : row) {
        if (!Float.isFinite(v)) {
          return "row "
              + id
              + " of the token embedding table (embed_tokens / token_embd) holds "
              + v
              + " (a damaged or wrongly converted file)";
        }
      }
    }
    return "the encoder's weight matrices hold NaN or infinite values, or values too large for float32 "
        + "(a damaged or wrongly converted file), or a config value is out of range";
  }
}
