package dev.gemmaembed.core.gguf;

/** The metadata value types of GGUF (v2/v3), with their ids and the fixed size of scalar ones. */
public enum GgufValueType {
  UINT8(0, 1),
  INT8(1, 1),
  UINT16(2, 2),
  INT16(3, 2),
  UINT32(4, 4),
  INT32(5, 4),
  FLOAT32(6, 4),
  BOOL(7, 1),
  /** u64 byte length + UTF-8 bytes. */
  STRING(8, -1),
  /** u32 element type + u64 count + elements. */
  ARRAY(9, -1),
  UINT64(10, 8),
  INT64(11, 8),
  FLOAT64(12, 8);

  private static final GgufValueType[] BY_ID = new GgufValueType[13];

  static {
    for (GgufValueType t : values()) {
      BY_ID[t.id] = t;
    }
  }

  private final int id;
  private final int scalarBytes;

  GgufValueType(int id, int scalarBytes) {
    this.id = id;
    this.scalarBytes = scalarBytes;
  }

  public int id() {
    return id;
  }

  /** Bytes of one value of a fixed-size type; -1 for STRING and ARRAY. */
  public int scalarBytes() {
    return scalarBytes;
  }

  /** The smallest number of bytes one value of this type can occupy (to bound element counts). */
  int minBytes() {
    return switch (this) {
      case STRING -> 8;
      case ARRAY -> 12;
      default -> scalarBytes;
    };
  }

  /** The type with that id, or null. */
  static GgufValueType byId(long id) {
    return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
  }
}
