package dev.gemmaembed.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gemmaembed.core.InvalidInputException;
import dev.gemmaembed.core.Precision;
import dev.gemmaembed.core.QuantizationRange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The {@code precision} extension of the OpenAI and TEI embedding routes: core's {@link Precision}
 * applied after the Matryoshka cut. JSON numbers are then integers (−128..127 for int8/binary,
 * 0..255 for uint8/ubinary, packed bytes for the binary ones); base64 carries the stored bytes
 * (little-endian float32 for float32, as OpenAI's clients decode).
 */
final class StoredPrecision {

  static final String FIELD = "precision";

  private final Precision precision;
  private final QuantizationRange calibration;

  private StoredPrecision(Precision precision, QuantizationRange calibration) {
    this.precision = precision;
    this.calibration = calibration;
  }

  /**
   * The request's {@code precision} (float32 when absent), checked against the width it will get
   * and the server's calibration, before any embedding is computed.
   *
   * @throws ApiException 400 naming {@code precision} for an unknown name, a width that a binary
   *     precision cannot pack, a calibration of another width, or int8/uint8 on one input with no
   *     calibration
   */
  static StoredPrecision of(ObjectNode body, int width, int inputs, QuantizationRange calibration) {
    String name = Json.optString(body, FIELD);
    if (name == null) {
      return new StoredPrecision(Precision.FLOAT32, null);
    }
    try {
      Precision p = Precision.parse(name);
      p.checkWidth(width);
      if (p.needsRange()) {
        if (calibration != null) {
          calibration.requireWidth(width);
        } else if (inputs < 2) {
          throw ApiException.badRequest(
              "'precision': \""
                  + p.label()
                  + "\" takes each dimension's range from the "
                  + "request's inputs when the server has no --calibration, so it needs at least 2 inputs, got "
                  + inputs,
              FIELD);
        }
      }
      return new StoredPrecision(p, calibration);
    } catch (InvalidInputException e) {
      throw ApiException.badRequest("'precision': " + e.getMessage(), FIELD);
    }
  }

  boolean isFloat() {
    return precision == Precision.FLOAT32;
  }

  /** Each vector in this precision; the range of an uncalibrated int8/uint8 is the vectors' own. */
  List<byte[]> store(List<float[]> vectors) {
    QuantizationRange range = calibration;
    try {
      if (precision.needsRange() && range == null) {
        range = QuantizationRange.of(vectors, "this request's embeddings");
      }
      List<byte[]> out = new ArrayList<>(vectors.size());
      for (float[] v : vectors) {
        out.add(precision.quantize(v, range));
      }
      return out;
    } catch (InvalidInputException e) {
      throw ApiException.badRequest("'precision': " + e.getMessage(), FIELD);
    }
  }

  /** One stored vector: its numbers as a JSON array, or its bytes as base64. */
  void write(JsonGenerator g, byte[] stored, boolean base64) throws IOException {
    if (base64) {
      g.writeString(Base64.getEncoder().encodeToString(stored));
      return;
    }
    g.writeStartArray(stored, stored.length);
    for (byte b : stored) {
      g.writeNumber(precision.value(b));
    }
    g.writeEndArray();
  }
}
