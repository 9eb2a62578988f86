package dev.gemmaembed.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * The kernels run at the width {@value VectorWidth#PROPERTY} asks for (each surefire execution sets
 * one).
 */
class VectorWidthTest {

  @Test
  void theRequestedWidthIsTheOneInUse() {
    String asked = System.getProperty(VectorWidth.PROPERTY, "preferred");
    System.out.println(
        "kernels run at "
            + VectorWidth.describe()
            + " ("
            + VectorWidth.PROPERTY
            + "="
            + asked
            + ")");
    switch (asked) {
      case "scalar" -> {
        assertFalse(VectorWidth.VECTOR);
        assertFalse(BlockVectors.SUPPORTED);
      }
      case "preferred" -> assertEquals(FloatVector.SPECIES_PREFERRED, VectorWidth.F);
      default -> {
        int bits = Math.min(Integer.parseInt(asked), FloatVector.SPECIES_PREFERRED.vectorBitSize());
        assertTrue(VectorWidth.VECTOR);
        assertEquals(bits, VectorWidth.F.vectorBitSize());
      }
    }
    assertEquals(4 * VectorWidth.L, TileKernels.W);
    assertEquals(4 * VectorWidth.L, PanelKernels.GROUP);
  }
}
