package dev.gemmaembed.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.core.gguf.GgufFile;
import dev.gemmaembed.core.gguf.GgufTensor;
import dev.gemmaembed.core.gguf.GgufTensorSource;
import dev.gemmaembed.core.gguf.GgufValue;
import dev.gemmaembed.kernels.BlockFormat;
import dev.gemmaembed.kernels.InvalidBlockException;
import dev.gemmaembed.kernels.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Any byte string as a GGUF file: a typed {@link CheckpointException}, or a file whose metadata
 * values (strings read lazily from the file included, an array's string that is not UTF-8 a typed
 * error when read) and tensor views can all be read, and whose 2-D tensors of a computable type
 * (the K-quants, IQ4 and legacy block formats included) are matrices whose first and last rows
 * decode (or name a NaN / infinite block scale).
 */
class GgufFuzzTest {

  private static final Path NAME = Path.of("fuzz.gguf");

  @FuzzTest(maxDuration = "2h", maxExecutions = 1_000_000)
  void parse(byte[] data) {
    GgufFile gguf;
    try {
      gguf = GgufFile.parse(NAME, MemorySegment.ofArray(data));
    } catch (CheckpointException expected) {
      return;
    }
    for (GgufValue v : gguf.metadata().values()) {
      try {
        v.toString();
      } catch (CheckpointException expected) {
        // an array's string that is not UTF-8, named when it is read: typed
      }
    }
    GgufTensorSource src = new GgufTensorSource(gguf);
    for (GgufTensor t : gguf.tensors().values()) {
      try {
        gguf.bytes(t);
      } catch (CheckpointException expected) {
        // a known but unsupported tensor type: typed
        continue;
      }
      if (t.ne().length == 2
          && t.type().computable()
          && t.ne()[0] <= 1 << 16
          && t.ne()[1] <= Integer.MAX_VALUE) {
        decodeEnds(src, t);
      }
    }
  }

  private static void decodeEnds(GgufTensorSource src, GgufTensor t) {
    WeightMatrix m;
    try {
      m = src.matrixByGgufName(t.name(), (int) t.ne()[1], (int) t.ne()[0]);
    } catch (CheckpointException expected) {
      return; // a bad block scale or an impossible shape: typed
    }
    float[] row = new float[m.cols()];
    try {
      m.readRow(0, row, 0);
      m.readRow(m.rows() - 1, row, 0);
    } catch (InvalidBlockException expected) {
      // only the token table's scales are left to the lookup
      if (!t.name().equals("token_embd.weight")) {
        throw expected;
      }
    }
  }

  /**
   * Any bytes as blocks of every {@link BlockFormat}: the matrix decoder equals the scalar
   * reference.
   */
  @FuzzTest(maxDuration = "30m", maxExecutions = 200_000)
  void decodeBlocks(byte[] data) {
    for (BlockFormat f : BlockFormat.values()) {
      int blocks = data.length / f.blockBytes();
      if (blocks == 0) {
        continue;
      }
      MemorySegment seg = MemorySegment.ofArray(data).asSlice(0, (long) blocks * f.blockBytes());
      int cols = blocks * f.blockValues();
      float[] expected = new float[cols];
      f.dequantize(seg, 0, cols, expected, 0);
      WeightMatrix m = f.type().matrix(seg, 1, cols);
      float[] actual = new float[cols];
      try {
        m.readRow(0, actual, 0);
      } catch (InvalidBlockException e) {
        if (f.firstNonFiniteScale(seg, 0, blocks) < 0) {
          throw e;
        }
        continue;
      }
      for (int i = 0; i < cols; i++) {
        if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
          throw new AssertionError(
              f + " value " + i + ": scalar " + expected[i] + ", vector " + actual[i]);
        }
      }
    }
  }
}
