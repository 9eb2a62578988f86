package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.Embedder;
import dev.gemmaembed.core.LoadOptions;
import dev.gemmaembed.core.gguf.GgufArray;
import dev.gemmaembed.core.gguf.GgufFile;
import dev.gemmaembed.core.gguf.GgufModelLoader;
import dev.gemmaembed.core.gguf.GgufTensor;
import dev.gemmaembed.core.gguf.GgufValue;
import dev.gemmaembed.core.gguf.GgufValueType;
import dev.gemmaembed.kernels.WeightType;
import dev.gemmaembed.testing.TinyModel;
import dev.gemmaembed.tools.GgufWriter;
import dev.gemmaembed.tools.QuantType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The other GGUF types the tool writes, in-memory quantization, and GGUFs without Dense layers. */
class QuantizedLoadTest {

  private static List<float[]> embedGolden(Embedder e, List<Golden.Case> cases) {
    List<float[]> out = new ArrayList<>();
    for (Golden.Case c : cases) {
      out.add(e.embedTokenIds(List.of(c.ids()), 0).getFirst());
    }
    return out;
  }

  /** An F32 GGUF is the float checkpoint in another container: the float32 golden bar applies. */
  @Test
  void anF32GgufMatchesTheFloat64Reference() {
    List<Golden.Case> cases = Golden.cases("golden.jsonl", "embedding_numpy");
    try (Embedder e =
        Embedder.load(GgufFixtures.of(QuantType.F32), LoadOptions.defaults().withThreads(2))) {
      List<float[]> v = embedGolden(e, cases);
      for (int i = 0; i < cases.size(); i++) {
        double cos = Golden.cosine(v.get(i), cases.get(i).expected());
        double abs = Golden.maxAbsDiff(v.get(i), cases.get(i).expected());
        assertTrue(
            cos >= GoldenEmbeddingTest.MIN_COSINE && abs <= GoldenEmbeddingTest.MAX_ABS,
            "text " + i + ": cosine " + cos + ", max |Δ| " + abs);
      }
    }
  }

  /**
   * {@code LoadOptions.withQuantize} makes the same blocks as {@code gemma-embed quantize}, and the
   * kernels compute the same vectors from them, bit for bit.
   */
  @ParameterizedTest
  @CsvSource({"Q8_0", "Q4_0"})
  void inMemoryQuantizationEqualsTheQuantizedGguf(String format) {
    List<Golden.Case> cases = Golden.cases("golden.jsonl", "embedding_numpy");
    LoadOptions opts = LoadOptions.defaults().withThreads(2);
    try (Embedder mem =
            Embedder.load(TinyModel.dir(), opts.withQuantize(WeightType.parse(format)));
        Embedder file = Embedder.load(GgufFixtures.of(QuantType.parse(format)), opts)) {
      List<float[]> a = embedGolden(mem, cases);
      List<float[]> b = embedGolden(file, cases);
      for (int i = 0; i < cases.size(); i++) {
        assertArrayEquals(b.get(i), a.get(i), 0f, "text " + i);
      }
    }
  }

  /**
   * Every --type loads and embeds, and computes what float32 kernels compute on its dequantized
   * weights (an F32 copy of the file with every block decoded by the scalar reference). How far the
   * quantization itself moves the random tiny model is printed, not judged: a Q4_0 token table of
   * 64-wide rows (two blocks) is a harsh test of Q4_0.
   */
  @ParameterizedTest
  @CsvSource({"f16", "q8_0", "q4_0", "mixed"})
  void everyTypeMatchesItsDequantizedWeightsInFloat32(String type) throws Exception {
    List<Golden.Case> cases = Golden.cases("golden.jsonl", "embedding_numpy");
    Path quantized = GgufFixtures.of(QuantType.parse(type));
    Path dequantized =
        Path.of("target", "test-models", "gguf", "tiny-" + type + "-dequantized-f32.gguf");
    copy(quantized, dequantized, "", true);
    LoadOptions opts = LoadOptions.defaults().withThreads(2);
    try (Embedder q = Embedder.load(quantized, opts);
        Embedder f = Embedder.load(dequantized, opts)) {
      List<float[]> a = embedGolden(q, cases);
      List<float[]> b = embedGolden(f, cases);
      double worstCos = 1;
      double worstAbs = 0;
      double worstVsFloat = 1;
      for (int i = 0; i < cases.size(); i++) {
        worstCos = Math.min(worstCos, Golden.cosine(a.get(i), b.get(i)));
        worstAbs = Math.max(worstAbs, Golden.maxAbsDiff(a.get(i), b.get(i)));
        worstVsFloat = Math.min(worstVsFloat, Golden.cosine(a.get(i), cases.get(i).expected()));
      }
      System.out.printf(
          "--type %s: vs its dequantized weights in float32: worst cosine %.10f, max|Δ| %.3g; "
              + "vs the float model: worst cosine %.7f%n",
          type, worstCos, worstAbs, worstVsFloat);
      assertTrue(
          worstCos >= GgufGoldenTest.MIN_COSINE && worstAbs <= GgufGoldenTest.MAX_ABS,
          type + ": cosine " + worstCos + ", max |Δ| " + worstAbs);
    }
  }

  @Test
  void aGgufWithoutDenseLayersLoadsAndWarnsOnce() throws Exception {
    Path noDense = Path.of("target", "test-models", "gguf", "tiny-q8_0-no-dense.gguf");
    copy(GgufFixtures.q8_0(), noDense, "dense_", false);
    List<LogRecord> warnings = new ArrayList<>();
    Logger jul = Logger.getLogger(GgufModelLoader.class.getName());
    Handler h =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
              warnings.add(r);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    jul.addHandler(h);
    try (Embedder e = Embedder.load(noDense, LoadOptions.defaults().withThreads(2))) {
      float[] v = e.embed("Hello world");
      assertEquals(64, v.length);
      e.embed("and again");
    } finally {
      jul.removeHandler(h);
    }
    assertEquals(1, warnings.size(), "one warning per load");
    assertTrue(
        warnings.getFirst().getMessage().contains("will NOT match sentence-transformers"),
        warnings.getFirst().getMessage());
  }

  /**
   * Rewrites a GGUF without the tensors and metadata keys whose names contain {@code drop} (when
   * not empty), optionally decoding every Q8_0 / Q4_0 / F16 tensor to F32 with the scalar
   * reference.
   */
  static void copy(Path src, Path dst, String drop, boolean dequantize) throws Exception {
    UnaryOperator<String> keep = name -> !drop.isEmpty() && name.contains(drop) ? null : name;
    copy(src, dst, keep, (k, v) -> v, keep, dequantize);
  }

  /**
   * Rewrites a GGUF: metadata keys through {@code keys} and tensor names through {@code tensors}
   * (null drops the entry), values through {@code values}.
   */
  static void copy(
      Path src,
      Path dst,
      UnaryOperator<String> keys,
      BiFunction<String, GgufValue, GgufValue> values,
      UnaryOperator<String> tensors,
      boolean dequantize)
      throws Exception {
    try (Arena arena = Arena.ofConfined()) {
      GgufFile f = GgufFile.open(src, arena);
      GgufWriter w = new GgufWriter();
      for (Map.Entry<String, GgufValue> kv : f.metadata().entrySet()) {
        String key = keys.apply(kv.getKey());
        if (key != null) {
          put(w, key, values.apply(kv.getKey(), kv.getValue()));
        }
      }
      for (GgufTensor t : f.tensors().values()) {
        String name = tensors.apply(t.name());
        if (name == null) {
          continue;
        }
        MemorySegment bytes = f.bytes(t);
        if (dequantize && t.type() != WeightType.F32) {
          int cols = (int) t.ne()[0];
          long rows = t.elementCount() / cols;
          long rowBytes = t.byteSize() / rows;
          w.addTensor(
              name,
              t.ne(),
              WeightType.F32,
              out -> {
                float[] row = new float[cols];
                for (long r = 0; r < rows; r++) {
                  decode(t.type(), bytes, r * rowBytes, row);
                  MemorySegment.copy(row, 0, out.reserve(cols * 4), LE_FLOAT, 0, cols);
                }
              });
        } else {
          w.addTensor(
              name,
              t.ne(),
              t.type(),
              out -> {
                for (long off = 0; off < bytes.byteSize(); off += 1 << 20) {
                  int n = (int) Math.min(1 << 20, bytes.byteSize() - off);
                  MemorySegment.copy(bytes, off, out.reserve(n), 0, n);
                }
              });
        }
      }
      w.write(dst);
    }
  }

  /**
   * Ollama's layout of the same model — architecture {@code gemma3}, keys {@code gemma3.*} with its
   * rope.global / rope.local names, Dense layers {@code dense.0} / {@code dense.1}, no Dense
   * feature keys — loads and gives exactly the same vectors.
   */
  @Test
  void ollamasGemma3LayoutGivesTheSameVectors() throws Exception {
    Path ollama = Path.of("target", "test-models", "gguf", "tiny-q8_0-ollama.gguf");
    copy(
        GgufFixtures.q8_0(),
        ollama,
        k ->
            k.contains("_feat_")
                ? null
                : k.replace("gemma-embedding.rope.freq_base_swa", "gemma3.rope.local.freq_base")
                    .replace("gemma-embedding.rope.freq_base", "gemma3.rope.global.freq_base")
                    .replace("gemma-embedding.", "gemma3."),
        (k, v) ->
            k.equals("general.architecture") ? new GgufValue(GgufValueType.STRING, "gemma3") : v,
        t -> t.replace("dense_2.", "dense.0.").replace("dense_3.", "dense.1."),
        false);
    List<Golden.Case> cases = Golden.cases("golden.jsonl", "embedding_numpy");
    LoadOptions opts = LoadOptions.defaults().withThreads(2);
    try (Embedder a = Embedder.load(GgufFixtures.q8_0(), opts);
        Embedder b = Embedder.load(ollama, opts)) {
      List<float[]> va = embedGolden(a, cases);
      List<float[]> vb = embedGolden(b, cases);
      for (int i = 0; i < cases.size(); i++) {
        assertArrayEquals(va.get(i), vb.get(i), 0f, "text " + i);
      }
    }
  }

  private static final ValueLayout.OfFloat LE_FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private static void decode(WeightType type, MemorySegment src, long off, float[] row) {
    type.matrix(src.asSlice(off, type.rowBytes(row.length)), 1, row.length).readRow(0, row, 0);
  }

  private static void put(GgufWriter w, String key, GgufValue v) {
    switch (v.type()) {
      case STRING -> w.putString(key, v.asString());
      case UINT32 -> w.putUInt32(key, v.asLong());
      case FLOAT32 -> w.putFloat32(key, (float) v.asDouble());
      case BOOL -> w.putBool(key, v.asBoolean());
      case ARRAY -> {
        GgufArray a = v.asArray();
        switch (a.elementType()) {
          case STRING -> w.putStringArray(key, a.strings());
          case FLOAT32 -> w.putFloat32Array(key, a.toFloatArray());
          case INT32 -> {
            int[] ints = new int[a.length()];
            for (int i = 0; i < ints.length; i++) {
              ints[i] = (int) a.longAt(i);
            }
            w.putInt32Array(key, ints);
          }
          default -> throw new IllegalArgumentException(key + ": " + a.elementType());
        }
      }
      default -> throw new IllegalArgumentException(key + ": " + v.type());
    }
  }
}
