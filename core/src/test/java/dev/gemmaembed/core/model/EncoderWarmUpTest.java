package dev.gemmaembed.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.kernels.F32Matrix;
import dev.gemmaembed.kernels.WeightMatrix;
import dev.gemmaembed.kernels.WeightType;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The warm-up starts only inside {@link EncoderWarmUp#whileLoading}, runs all its passes over the
 * cut weights of a small two-layer model (one sliding, one full layer) without error, and stops and
 * ends when its request is closed.
 */
class EncoderWarmUpTest {

  private static final ModelConfig CFG =
      new ModelConfig(
          100,
          256,
          512,
          2,
          2,
          1,
          128,
          64,
          1e-6f,
          4,
          new boolean[] {false, true},
          1e6,
          1.0,
          1e4,
          0.09f,
          false);

  /** Random weights of {@link #CFG}, the matrices in {@code type}. */
  private static TensorSource source(WeightType type, Arena arena) {
    Random random = new Random(19);
    return new TensorSource() {
      @Override
      public boolean has(String name) {
        return true;
      }

      @Override
      public WeightMatrix matrix(String name, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
          v[i] = random.nextFloat() - 0.5f;
        }
        F32Matrix m = F32Matrix.of(v, rows, cols);
        return type == WeightType.F32 ? m : type.quantize(m, arena);
      }

      @Override
      public float[] vector(String name, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
          v[i] = random.nextFloat();
        }
        return v;
      }
    };
  }

  private static EncoderWeights loadOffering(TensorSource src) {
    EncoderWeights w = EncoderWeights.load(CFG, src);
    EncoderWarmUp.offer(CFG, w);
    return w;
  }

  @ParameterizedTest
  @EnumSource(
      value = WeightType.class,
      names = {"F32", "Q8_0", "Q4_0", "Q4_K"})
  void runsEveryPassOverTheCutWeights(WeightType type) {
    try (Arena arena = Arena.ofShared();
        EncoderWarmUp.Request request = new EncoderWarmUp.Request()) {
      EncoderWarmUp.whileLoading(request, () -> loadOffering(source(type, arena)));
      EncoderWarmUp w = request.started();
      assertNotNull(w);
      w.awaitEnd();
      assertEquals(EncoderWarmUp.PASSES, w.passes(), type + ": a pass failed");
    }
  }

  @Test
  void startsOnlyWhenALoadAsksForIt() {
    try (Arena arena = Arena.ofShared();
        EncoderWarmUp.Request request = new EncoderWarmUp.Request()) {
      loadOffering(source(WeightType.F32, arena));
      assertNull(request.started());
      EncoderWarmUp.whileLoading(request, () -> loadOffering(source(WeightType.F32, arena)));
      assertNotNull(request.started());
    }
  }

  @Test
  void closingStopsItAndWaitsForItsThread() {
    EncoderWarmUp w;
    try (Arena arena = Arena.ofShared()) {
      EncoderWarmUp.Request request = new EncoderWarmUp.Request();
      EncoderWarmUp.whileLoading(request, () -> loadOffering(source(WeightType.Q8_0, arena)));
      w = request.started();
      request.close();
      assertFalse(w.alive());
      assertTrue(w.passes() <= EncoderWarmUp.PASSES);
    }
  }
}
