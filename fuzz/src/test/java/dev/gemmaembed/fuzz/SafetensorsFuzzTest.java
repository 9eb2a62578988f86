package dev.gemmaembed.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gemmaembed.core.CheckpointException;
import dev.gemmaembed.core.safetensors.SafetensorsFile;
import dev.gemmaembed.core.safetensors.SafetensorsTensorSource;
import dev.gemmaembed.core.safetensors.TensorInfo;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Any byte string as a safetensors file: either a typed {@link CheckpointException} or a file whose
 * every tensor can be viewed and decoded; nothing else may escape (Jazzer reports any other
 * exception, OutOfMemoryError, StackOverflowError or time-out as a finding).
 */
class SafetensorsFuzzTest {

  private static final Path NAME = Path.of("fuzz.safetensors");

  @FuzzTest(maxDuration = "2h", maxExecutions = 1_000_000)
  void parse(byte[] data) {
    SafetensorsFile st;
    try {
      st = SafetensorsFile.parse(NAME, MemorySegment.ofArray(data));
    } catch (CheckpointException expected) {
      return;
    }
    SafetensorsTensorSource src = new SafetensorsTensorSource(st);
    for (TensorInfo t : st.tensors().values()) {
      st.bytes(t);
      if (t.shape().length == 1 && t.shape()[0] <= 4096) {
        try {
          src.vector(t.name(), (int) t.shape()[0]);
        } catch (CheckpointException expected) {
          // unsupported dtype: typed
        }
      }
    }
  }
}
