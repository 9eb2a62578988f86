package dev.gemmaembed.tokenizer;

/**
 * The special token ids of a tokenizer and whether {@code <bos>}/{@code <eos>} are added around
 * every sequence. An id of {@code -1} means the tokenizer has no such token.
 *
 * @param bos beginning-of-sequence id (Gemma: 2)
 * @param eos end-of-sequence id (Gemma: 1)
 * @param unk unknown-token id (Gemma: 3)
 * @param pad padding id (Gemma: 0)
 * @param addBos whether {@code encode(text)} prepends {@code bos}
 * @param addEos whether {@code encode(text)} appends {@code eos}
 */
public record SpecialTokens(int bos, int eos, int unk, int pad, boolean addBos, boolean addEos) {

  /** EmbeddingGemma's values: bos 2, eos 1, unk 3, pad 0, both added. */
  public static SpecialTokens embeddingGemma() {
    return new SpecialTokens(2, 1, 3, 0, true, true);
  }
}
