package dev.gemmaembed.tokenizer;

import java.util.List;

/**
 * Everything a tokenizer is made of, as loaded from tokenizer.json (+ tokenizer_config.json) or
 * built from a GGUF-style vocabulary. Package-private plumbing between the loaders and {@link
 * GemmaTokenizer}.
 *
 * @param pieces model vocabulary by id (some ids may have no piece)
 * @param index string → id over {@code pieces}
 * @param merges which pairs merge, in which order
 * @param junctions character pairs some merge joins (see {@link Junctions}), holding null: never
 *     cut words
 * @param unkId model unknown token id or -1
 * @param normFrom/normTo single-character Replace normalizer pairs (applied as one mapping)
 * @param splitChar pre-tokenizer {@code Split(c, MergedWithPrevious)} character or -1
 * @param added added tokens in file order
 * @param prefix ids the post-processor puts before the sequence
 * @param suffix ids the post-processor puts after the sequence
 * @param decoder decoder chain, or null (join with spaces)
 * @param bos/eos/pad special ids or -1
 */
record Definition(
    PieceTable pieces,
    PieceIndex index,
    Merges merges,
    Junctions.Lazy junctions,
    int unkId,
    boolean byteFallback,
    boolean fuseUnk,
    boolean ignoreMerges,
    char[] normFrom,
    char[] normTo,
    int splitChar,
    List<AddedToken> added,
    int[] prefix,
    int[] suffix,
    Decoder decoder,
    int bos,
    int eos,
    int pad) {}
