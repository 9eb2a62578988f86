package dev.gemmaembed.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MatryoshkaTest {

  private static final float[] UNIT = {0.6f, 0.0f, 0.8f, 0.0f}; // length 1

  @Test
  void keepsTheLeadingDimensionsRenormalised() {
    float[] cut = Matryoshka.cut(new float[] {0.3f, 0.4f, 0.5f, 0.7071068f}, 2);
    assertArrayEquals(new float[] {0.6f, 0.8f}, cut, 1e-7f);
    double norm = 0;
    for (float x : Matryoshka.cut(UNIT, 3)) {
      norm += x * x;
    }
    assertEquals(1.0, norm, 1e-6);
  }

  @Test
  void zeroOrTheFullWidthIsACopyOfTheVector() {
    for (int dims : new int[] {0, UNIT.length}) {
      float[] all = Matryoshka.cut(UNIT, dims);
      assertArrayEquals(UNIT, all);
      assertNotSame(UNIT, all);
    }
  }

  @Test
  void aRowOfABatchIsCutInPlaceOfItsWidth() {
    float[] batch = {9f, 9f, 9f, 9f, 0.6f, 0.0f, 0.8f, 0.0f};
    assertArrayEquals(Matryoshka.cut(UNIT, 1), Matryoshka.cut(batch, 4, 4, 1));
    assertArrayEquals(new float[] {1f}, Matryoshka.cut(batch, 4, 4, 1));
  }

  @Test
  void refusesWidthsTheVectorDoesNotHave() {
    assertThrows(IllegalArgumentException.class, () -> Matryoshka.cut(UNIT, 5));
    assertThrows(IllegalArgumentException.class, () -> Matryoshka.cut(UNIT, -1));
  }
}
