package dev.gemmaembed.core.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.tokenizer.GemmaTokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tokenizer cache on GGUF vocabularies whose {@code tokenizer.ggml.*} bytes differ but whose
 * checksums (CRC-32C and CRC-32, which find a cache entry) were forced equal, as a crafted file can
 * force them: the second file must get its own tokenizer, never the first file's entry.
 */
class GgufTokenizerCacheTest {

  @TempDir Path dir;
  private String oldCacheDir;

  @BeforeEach
  void useCache() {
    oldCacheDir = System.getProperty(GemmaTokenizer.CACHE_DIR_PROPERTY);
    System.setProperty(GemmaTokenizer.CACHE_DIR_PROPERTY, dir.resolve("cache").toString());
  }

  @AfterEach
  void restore() {
    if (oldCacheDir == null) System.clearProperty(GemmaTokenizer.CACHE_DIR_PROPERTY);
    else System.setProperty(GemmaTokenizer.CACHE_DIR_PROPERTY, oldCacheDir);
  }

  /** {@code tokenizer.ggml.tokens/scores/token_type}; scores as their float bits. */
  private record Vocabulary(String[] pieces, int[] scoreBits, int[] types) {
    /** The three arrays' elements as a GGUF file encodes them, one after the other. */
    byte[] encoded() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (String p : pieces) {
        byte[] b = p.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(le(8).putLong(b.length).array());
        out.writeBytes(b);
      }
      for (int s : scoreBits) out.writeBytes(le(4).putInt(s).array());
      for (int t : types) out.writeBytes(le(4).putInt(t).array());
      return out.toByteArray();
    }

    /** A GGUF file holding only this vocabulary. */
    byte[] gguf() {
      GgufFileTest.Bytes b = new GgufFileTest.Bytes().header(0, 4);
      b.str("tokenizer.ggml.model").u32(8).str("llama");
      b.str("tokenizer.ggml.tokens").u32(9).u32(8).u64(pieces.length);
      for (String p : pieces) b.str(p);
      b.str("tokenizer.ggml.scores").u32(9).u32(6).u64(scoreBits.length);
      for (int s : scoreBits) b.u32(s);
      b.str("tokenizer.ggml.token_type").u32(9).u32(5).u64(types.length);
      for (int t : types) b.u32(t);
      return b.out.toByteArray();
    }
  }

  private static ByteBuffer le(int n) {
    return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** CRC-32C in the high half, CRC-32 in the low half. */
  private static long checksums(byte[] b) {
    CRC32C c = new CRC32C();
    CRC32 d = new CRC32();
    c.update(b);
    d.update(b);
    return c.getValue() << 32 | d.getValue();
  }

  /**
   * {@code target}'s bytes with the 8 bytes at {@code at} changed so that its checksums equal those
   * of {@code model} (same length). Both CRCs are affine in the message bits, so the 64 bit flips
   * that do it solve a 64 × 64 linear system over GF(2).
   */
  private static byte[] collide(byte[] target, byte[] model, int at) {
    long want = checksums(target) ^ checksums(model);
    long[] columns = new long[64]; // what flipping bit i of the window does to the checksums
    long base = checksums(target);
    for (int i = 0; i < 64; i++) {
      byte[] t = target.clone();
      t[at + i / 8] ^= (byte) (1 << (i % 8));
      columns[i] = checksums(t) ^ base;
    }
    // Gaussian elimination on the augmented rows: row r holds bit r of every column, then the bit
    // of
    // want.
    long[] rows = new long[64];
    boolean[] rhs = new boolean[64];
    for (int r = 0; r < 64; r++) {
      for (int i = 0; i < 64; i++) {
        if ((columns[i] >>> r & 1) != 0) rows[r] |= 1L << i;
      }
      rhs[r] = (want >>> r & 1) != 0;
    }
    int[] pivotOfRow = new int[64];
    int rank = 0;
    for (int col = 0; col < 64 && rank < 64; col++) {
      int p = -1;
      for (int r = rank; r < 64; r++) {
        if ((rows[r] >>> col & 1) != 0) {
          p = r;
          break;
        }
      }
      if (p < 0) continue;
      long tr = rows[p];
      rows[p] = rows[rank];
      rows[rank] = tr;
      boolean tb = rhs[p];
      rhs[p] = rhs[rank];
      rhs[rank] = tb;
      for (int r = 0; r < 64; r++) {
        if (r != rank && (rows[r] >>> col & 1) != 0) {
          rows[r] ^= rows[rank];
          rhs[r] ^= rhs[rank];
        }
      }
      pivotOfRow[rank++] = col;
    }
    for (int r = rank; r < 64; r++) assertFalse(rhs[r], "no bit flips collide at " + at);
    byte[] out = target.clone();
    for (int r = 0; r < rank; r++) {
      if (rhs[r]) out[at + pivotOfRow[r] / 8] ^= (byte) (1 << (pivotOfRow[r] % 8));
    }
    return out;
  }

  @Test
  void anEntryForCollidingChecksumsIsNotUsedForAnotherVocabulary() throws Exception {
    String[] pieces = {"<unk>", "<bos>", "<eos>", "a", "b", "ab", "x", "y"};
    int[] types = {2, 3, 3, 1, 1, 1, 1, 1};
    int[] scores = new int[pieces.length];
    scores[5] = Float.floatToRawIntBits(-1f); // "ab" is the one merge
    Vocabulary honest = new Vocabulary(pieces, scores, types);
    // The other file: "ab" becomes "ba" (same length), and the scores of "x" and "y", which take
    // part
    // in no merge, are set so that both checksums equal the honest file's.
    String[] otherPieces = pieces.clone();
    otherPieces[5] = "ba";
    Vocabulary draft = new Vocabulary(otherPieces, scores, types);
    byte[] honestBytes = honest.encoded();
    int scoresAt = honestBytes.length - 4 * pieces.length - 4 * pieces.length;
    byte[] forged = collide(draft.encoded(), honestBytes, scoresAt + 4 * 6);
    ByteBuffer s =
        ByteBuffer.wrap(forged, scoresAt, 4 * pieces.length).order(ByteOrder.LITTLE_ENDIAN);
    int[] forgedScores = new int[pieces.length];
    for (int i = 0; i < forgedScores.length; i++) forgedScores[i] = s.getInt();
    Vocabulary crafted = new Vocabulary(otherPieces, forgedScores, types);
    assertArrayEquals(forged, crafted.encoded());
    assertFalse(Arrays.equals(honestBytes, forged));
    assertEquals(checksums(honestBytes), checksums(forged), "the checksums collide");

    Path craftedFile = Files.write(dir.resolve("crafted.gguf"), crafted.gguf());
    Path honestFile = Files.write(dir.resolve("honest.gguf"), honest.gguf());
    int[] craftedIds = {1, 3, 4}; // "a" "b": "ab" is not a piece there
    int[] honestIds = {1, 5};
    // the crafted file is loaded first and plants its entry
    assertArrayEquals(craftedIds, GgufModelLoader.loadTokenizer(craftedFile).encode("ab"));
    List<Path> planted = cacheFiles();
    assertEquals(1, planted.size(), planted.toString());
    byte[] plantedBytes = Files.readAllBytes(planted.get(0));
    // the honest file finds the same entry (same name: the keys collide), does not use it, and
    // replaces it with its own
    assertArrayEquals(honestIds, GgufModelLoader.loadTokenizer(honestFile).encode("ab"));
    assertEquals(planted, cacheFiles());
    assertFalse(Arrays.equals(plantedBytes, Files.readAllBytes(planted.get(0))));
    // each file, loaded again in any order, gets its own tokenizer
    assertArrayEquals(honestIds, GgufModelLoader.loadTokenizer(honestFile).encode("ab"));
    assertArrayEquals(craftedIds, GgufModelLoader.loadTokenizer(craftedFile).encode("ab"));
    assertArrayEquals(honestIds, GgufModelLoader.loadTokenizer(honestFile).encode("ab"));
    assertTrue(Files.isRegularFile(planted.get(0)));
  }

  private List<Path> cacheFiles() throws Exception {
    try (var s = Files.list(dir.resolve("cache"))) {
      return s.filter(f -> f.toString().endsWith(".bin")).sorted().toList();
    }
  }
}
