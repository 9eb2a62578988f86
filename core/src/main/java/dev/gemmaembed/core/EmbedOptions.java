package dev.gemmaembed.core;

/**
 * Per-call options: which prompt to prepend and how many Matryoshka dimensions to return.
 *
 * @param promptName a prompt of the model ({@code query}, {@code document}, {@code STS} …), or null
 * @param promptText a literal prefix, used when {@code promptName} is null; null for none
 * @param title a document title: the prefix becomes {@code title: {title} | text: } (overrides
 *     both)
 * @param dimensions the number of leading dimensions to keep, renormalised; 0 keeps all
 */
public record EmbedOptions(String promptName, String promptText, String title, int dimensions) {

  public static final EmbedOptions DEFAULT = new EmbedOptions(null, null, null, 0);

  public EmbedOptions {
    if (dimensions < 0) {
      throw new InvalidInputException(
          "dimensions must not be negative (0 keeps all), got " + dimensions);
    }
    if (promptName != null && promptText != null) {
      throw new InvalidInputException("give a prompt name or a prompt text, not both");
    }
  }

  public static EmbedOptions prompt(String name) {
    return new EmbedOptions(name, null, null, 0);
  }

  public static EmbedOptions promptText(String text) {
    return new EmbedOptions(null, text, null, 0);
  }

  public static EmbedOptions query() {
    return prompt("query");
  }

  public static EmbedOptions document() {
    return prompt("document");
  }

  public static EmbedOptions document(String title) {
    return new EmbedOptions(null, null, title, 0);
  }

  public EmbedOptions withDimensions(int k) {
    return new EmbedOptions(promptName, promptText, title, k);
  }
}
