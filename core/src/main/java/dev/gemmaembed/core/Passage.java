package dev.gemmaembed.core;

/**
 * One passage of a longer text, as {@link PassageSplitter} cut it.
 *
 * @param index its position among the text's passages, from 0
 * @param text the passage: {@code document.substring(start, end)}
 * @param start where it begins in the text, in UTF-16 units ({@code char} index)
 * @param end where it ends (exclusive), in UTF-16 units
 * @param firstLine the line its first character is on, from 1
 * @param lastLine the line its last character is on (a closing line break counts to the line it
 *     ends)
 * @param firstToken its first token's position in the text's own tokenization (no prompt, no
 *     special tokens)
 * @param tokens how many of those tokens it spans
 */
public record Passage(
    int index,
    String text,
    int start,
    int end,
    int firstLine,
    int lastLine,
    int firstToken,
    int tokens) {}
