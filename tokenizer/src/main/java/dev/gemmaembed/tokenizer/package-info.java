/**
 * A from-scratch Java implementation of the Gemma 3 tokenizer (EmbeddingGemma's), giving the same
 * ids and offsets as Hugging Face {@code tokenizers} for tokenizer.json files of the
 * SentencePiece-BPE kind; no tokenizer library at run time (Jackson reads the JSON).
 *
 * <p>Entry point: {@link dev.gemmaembed.tokenizer.GemmaTokenizer} ({@code bundledGemma3()}, {@code
 * fromDirectory}, {@code fromFile}, {@code fromStreams}, {@code fromVocabulary} for GGUF
 * vocabularies).
 */
package dev.gemmaembed.tokenizer;
