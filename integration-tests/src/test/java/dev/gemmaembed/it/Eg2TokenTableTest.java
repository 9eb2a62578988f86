package dev.gemmaembed.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.gemmaembed.core.model.HfModelLoader;
import dev.gemmaembed.core.model.LoadedModel;
import dev.gemmaembed.core.model.PositionalTokenTable;
import dev.gemmaembed.core.model.TokenEmbeddings;
import dev.gemmaembed.testing.Eg2TinyModel;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * An EmbeddingGemma 2 folder's token table [vocab × H] is read row by row from the file, not
 * through the mapping (whose fault-around would keep most of a 268 MB BF16 table resident after a
 * few thousand distinct tokens), in float32 and BF16 checkpoints alike, with the mapped rows'
 * values.
 */
class Eg2TokenTableTest {

  @Test
  void tokenRowsAreReadFromTheFile() {
    for (Path dir : new Path[] {Eg2TinyModel.dir(), Eg2TinyModel.bf16Dir()}) {
      try (Arena arena = Arena.ofShared()) {
        LoadedModel model = HfModelLoader.load(dir, arena);
        TokenEmbeddings table = model.encoder().tokenEmbeddings();
        assertInstanceOf(PositionalTokenTable.class, table, dir.toString());
        int cols = table.cols();
        for (int id : new int[] {0, 2, 1, 4321, table.rows() - 1}) {
          float[] read = new float[cols + 3];
          float[] mapped = new float[cols + 3];
          table.readRow(id, read, 3);
          table.matrix().readRow(id, mapped, 3);
          assertArrayEquals(mapped, read, dir + " token " + id);
        }
      }
    }
  }
}
