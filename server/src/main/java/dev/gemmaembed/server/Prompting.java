package dev.gemmaembed.server;

import dev.gemmaembed.core.EmbedOptions;
import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.InvalidInputException;
import java.util.List;

/** Maps an API's prompt field (a prompt name of the model) to {@link EmbedOptions}. */
final class Prompting {

  private Prompting() {}

  /**
   * The options for prompt {@code name} (null: no prompt); a 400 naming {@code param} if the model
   * has no such prompt or the inputs are token ids, which a text prompt cannot be applied to.
   */
  static EmbedOptions options(
      String name, String param, Embedder embedder, List<EmbedCall.Input> inputs) {
    if (name == null) {
      return EmbedOptions.DEFAULT;
    }
    for (EmbedCall.Input input : inputs) {
      if (input instanceof EmbedCall.TokenIds) {
        throw ApiException.badRequest(
            "'"
                + param
                + "' applies to text inputs only; prepend the prompt's "
                + "tokens yourself when sending token ids",
            param);
      }
    }
    EmbedOptions options = EmbedOptions.prompt(name);
    try {
      embedder.validate(options);
    } catch (InvalidInputException e) {
      throw ApiException.badRequest(e.getMessage(), param);
    }
    return options;
  }
}
