package dev.gemmaembed.core;

import java.util.Arrays;

/**
 * One text's per-token vectors as sentence-transformers returns them for {@code
 * output_value="token_embeddings"}: the Transformer module's output before pooling, Dense and
 * normalisation (for EmbeddingGemma the final-norm hidden state), with the tokens they belong to.
 *
 * @param ids the token ids the encoder ran, {@code <bos>} and {@code <eos>} included
 * @param starts each token's first code point in {@link Embedder#promptedText} (prompt + text,
 *     stripped), or −1 for the template's {@code <bos>}/{@code <eos>}, which cover no text
 * @param ends each token's end (exclusive) in code points, or −1 as for {@code starts}
 * @param vectors {@code [ids.length × width]}, token after token
 * @param width floats per token (the model's hidden size)
 */
public record TokenEmbeddings(int[] ids, int[] starts, int[] ends, float[] vectors, int width) {

  /** Tokens of the text. */
  public int size() {
    return ids.length;
  }

  /** A copy of token {@code t}'s vector. */
  public float[] vector(int t) {
    return Arrays.copyOfRange(vectors, t * width, (t + 1) * width);
  }
}
