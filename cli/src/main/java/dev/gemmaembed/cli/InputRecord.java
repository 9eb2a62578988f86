package dev.gemmaembed.cli;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One text to embed.
 *
 * @param index position in the input, from 0 (blank JSONL lines do not count)
 * @param text the text
 * @param title a document title (JSONL {@code title}, a file name for {@code search --dir}), or null
 * @param id the JSONL {@code id} value passed through to the output as it was (string or number), or null
 */
record InputRecord(long index, String text, String title, JsonNode id) {}
