package dev.gemmaembed.tokenizer;

/**
 * Token ids cut to a maximum length, and whether anything was cut.
 *
 * @param ids the ids, special tokens included
 * @param truncated whether content tokens were dropped to fit
 */
public record TruncatedIds(int[] ids, boolean truncated) {}
