package dev.gemmaembed.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.core.gguf.GgufFile;
import dev.gemmaembed.core.gguf.GgufTensor;
import dev.gemmaembed.core.gguf.GgufValue;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Any byte string as a GGUF file: a typed {@link CheckpointException}, or a file whose metadata
 * values (strings read lazily from the file included) and tensor views can all be read.
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
      v.toString();
    }
    for (GgufTensor t : gguf.tensors().values()) {
      try {
        gguf.bytes(t);
      } catch (CheckpointException expected) {
        // a known but unsupported tensor type: typed
      }
    }
  }
}
