package dev.gemmaembed.server;

import dev.gemmaembed.core.EmbedOptions;
import java.util.List;

/**
 * One embedding request, whichever API it came through.
 *
 * @param inputs texts or token-id arrays, in request order
 * @param prompt the prompt to apply to texts (its {@code dimensions} is ignored; see {@code dimensions})
 * @param dimensions Matryoshka dimensions to keep (0: all)
 * @param truncate whether inputs longer than the model's context are cut (true) or refused (false)
 */
record EmbedCall(List<Input> inputs, EmbedOptions prompt, int dimensions, boolean truncate) {

  /** A text, or token ids of a text's content (no {@code <bos>}/{@code <eos>}). */
  sealed interface Input permits Text, TokenIds {}

  record Text(String text) implements Input {}

  record TokenIds(int[] ids) implements Input {}
}
