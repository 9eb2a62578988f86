package dev.gemmaembed.tokenizer;

/**
 * One entry of tokenizer.json's {@code added_tokens}: matched in the text before BPE (on the raw
 * text when {@code normalized} is false, on the normalized text otherwise), with Hugging Face's
 * {@code single_word}/{@code lstrip}/{@code rstrip} rules.
 */
record AddedToken(
    int id,
    String content,
    boolean special,
    boolean singleWord,
    boolean lstrip,
    boolean rstrip,
    boolean normalized) {}
