package dev.gemmaembed.spark;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/** The added column's Spark type and the value a vector becomes in it. */
final class EmbeddingColumn {

  private EmbeddingColumn() {}

  static DataType type(SparkEmbedOptions.Output output) {
    return switch (output) {
      case FLOAT_ARRAY -> DataTypes.createArrayType(DataTypes.FloatType, false);
      case ML_VECTOR -> MlVectors.type();
    };
  }

  static Object value(float[] vector, SparkEmbedOptions.Output output) {
    return switch (output) {
      case FLOAT_ARRAY -> vector;
      case ML_VECTOR -> MlVectors.dense(vector);
    };
  }
}
