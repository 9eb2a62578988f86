package dev.gemmaembed.kernels;

import java.util.Locale;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD width every kernel runs at, chosen once per JVM by the system property {@value
 * #PROPERTY}: {@code preferred} (the default: the widest the hardware has, 512 bits with AVX-512),
 * {@code 256}, {@code 128}, or {@code scalar} (the scalar twins only; the Vector API is never
 * touched). A width above the preferred one is refused with a warning (the Vector API would emulate
 * it, slowly) and the preferred one is used. Tests run the kernels at each width so the narrower
 * branches run on wide machines too.
 *
 * <p>Results are bitwise the same at every width for the products (each output is one FMA chain
 * over k, whatever the lanes), and equal within rounding for the reductions (their lane sums fold
 * in a width-dependent order).
 */
final class VectorWidth {

  static final String PROPERTY = "gemma-embed.vectorBits";

  /** The float species of the chosen width; null in scalar mode. */
  static final VectorSpecies<Float> F;

  /** Whether the kernels run the Vector API at all. */
  static final boolean VECTOR;

  /**
   * Vectors are 256 bits wide (AVX2), whose 16 registers cannot hold a 4 × 4 register tile's 16
   * accumulators, 4 operand vectors and a broadcast (AVX-512 and NEON have 32): the tiles then come
   * in register-safe shapes (PanelKernels' 6 × 2 row tiles and 4 × 2 strip tiles, TileKernels'
   * 6-token half-panel tiles).
   */
  static final boolean SIXTEEN_REGISTERS;

  /**
   * Float lanes of the chosen width: the unit of the kernels' data layouts (packed panels, tile
   * strips). Scalar mode lays data out as 256-bit vectors would (8 lanes).
   */
  static final int L;

  static {
    String v = System.getProperty(PROPERTY, "preferred").trim().toLowerCase(Locale.ROOT);
    VectorSpecies<Float> species = null;
    if (!v.equals("scalar")) {
      species = FloatVector.SPECIES_PREFERRED;
      if (!v.equals("preferred")) {
        int bits =
            switch (v) {
              case "512", "256", "128" -> Integer.parseInt(v);
              default ->
                  throw new IllegalArgumentException(
                      PROPERTY + " must be preferred, 512, 256, 128 or scalar, got '" + v + "'");
            };
        if (bits > species.vectorBitSize()) {
          System.getLogger(VectorWidth.class.getName())
              .log(
                  System.Logger.Level.WARNING,
                  PROPERTY
                      + "="
                      + bits
                      + " is wider than this machine's "
                      + species.vectorBitSize()
                      + "-bit vectors; using those");
        } else {
          species = VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
        }
      }
    }
    F = species;
    VECTOR = species != null;
    SIXTEEN_REGISTERS = VECTOR && species.vectorBitSize() == 256;
    L = VECTOR ? species.length() : 8;
  }

  private VectorWidth() {}

  /** What runs, for logs and test names: {@code 256-bit} or {@code scalar}. */
  static String describe() {
    return VECTOR ? F.vectorBitSize() + "-bit" : "scalar";
  }
}
