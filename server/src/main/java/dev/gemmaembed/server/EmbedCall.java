package dev.gemmaembed.server;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Truncation;
import java.util.List;

/**
 * One embedding request, whichever API it came through.
 *
 * @param inputs texts or token-id arrays, in request order
 * @param prompt the prompt to apply to texts (its {@code dimensions} is ignored; see {@code
 *     dimensions})
 * @param dimensions Matryoshka dimensions to keep (0: all)
 * @param truncation whether inputs longer than the model's context are cut (at the end or the
 *     start) or refused
 */
record EmbedCall(List<Input> inputs, EmbedOptions prompt, int dimensions, Truncation truncation) {

  /**
   * {@code truncate}: cut at the end (true) or refuse (false), the choice of the APIs without a
   * direction.
   */
  EmbedCall(List<Input> inputs, EmbedOptions prompt, int dimensions, boolean truncate) {
    this(inputs, prompt, dimensions, truncate ? Truncation.CUT : Truncation.REFUSE);
  }

  /** A text, or token ids of a text's content (no {@code <bos>}/{@code <eos>}). */
  sealed interface Input permits Text, TokenIds {}

  record Text(String text) implements Input {}

  record TokenIds(int[] ids) implements Input {}
}
