package dev.gemmaembed.spark;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.types.DataType;

/**
 * Spark ML vectors, kept in their own class so that spark-mllib is needed on the classpath only
 * when {@link SparkEmbedOptions.Output#ML_VECTOR} is asked for.
 */
final class MlVectors {

  private MlVectors() {}

  static DataType type() {
    return SQLDataTypes.VectorType();
  }

  /** A dense vector of the embedding, each float widened exactly to double. */
  static Object dense(float[] vector) {
    double[] values = new double[vector.length];
    for (int i = 0; i < vector.length; i++) {
      values[i] = vector[i];
    }
    return Vectors.dense(values);
  }
}
