package dev.gemmaembed.spark;

import dev.gemmaembed.core.Precision;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/** The added column's Spark type and the value a vector becomes in it. */
final class EmbeddingColumn {

  private EmbeddingColumn() {}

  static DataType type(SparkEmbedOptions.Output output) {
    return switch (output) {
      case FLOAT_ARRAY -> DataTypes.createArrayType(DataTypes.FloatType, false);
      case ML_VECTOR -> MlVectors.type();
      case BINARY, UBINARY -> DataTypes.BinaryType;
    };
  }

  static Object value(float[] vector, SparkEmbedOptions.Output output) {
    return switch (output) {
      case FLOAT_ARRAY -> vector;
      case ML_VECTOR -> MlVectors.dense(vector);
      case BINARY, UBINARY -> precision(output).quantize(vector, null);
    };
  }

  /** The core precision a packed column stores. */
  static Precision precision(SparkEmbedOptions.Output output) {
    return switch (output) {
      case BINARY -> Precision.BINARY;
      case UBINARY -> Precision.UBINARY;
      case FLOAT_ARRAY, ML_VECTOR -> Precision.FLOAT32;
    };
  }
}
