package dev.gemmaembed.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.ConfigException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** modules.json may name module folders only inside the model folder. */
class SentenceTransformerReaderTest {

  private static final String POOLING =
      """
      {"word_embedding_dimension": 8, "pooling_mode_mean_tokens": true}""";

  private static String modules(String poolingPath) {
    return """
        [{"idx": 0, "path": "", "type": "sentence_transformers.models.Transformer"},
         {"idx": 1, "path": "%s", "type": "sentence_transformers.models.Pooling"}]"""
        .formatted(poolingPath);
  }

  @Test
  void modulePathsThatLeaveTheModelFolderAreRefused(@TempDir Path tmp) throws IOException {
    Path model = Files.createDirectories(tmp.resolve("model"));
    // a valid Pooling module outside the model folder, where a '..' path would find it
    Files.createDirectories(tmp.resolve("elsewhere"));
    Files.writeString(tmp.resolve("elsewhere/config.json"), POOLING);
    for (String path :
        List.of(
            "../elsewhere",
            "../../etc",
            "1_Pooling/../../elsewhere",
            tmp.resolve("elsewhere").toString())) {
      Files.writeString(model.resolve("modules.json"), modules(path));
      try (Arena arena = Arena.ofConfined()) {
        ConfigException e =
            assertThrows(
                ConfigException.class, () -> SentenceTransformerReader.readHead(model, 8, arena));
        assertTrue(
            e.getMessage()
                .contains(
                    "modules.json: module 1 has path '"
                        + path
                        + "', which leaves the model folder"),
            e.getMessage());
      }
    }
    // inside, also through a '..' that stays inside, it is read
    Files.createDirectories(model.resolve("1_Pooling"));
    Files.writeString(model.resolve("1_Pooling/config.json"), POOLING);
    for (String path : List.of("1_Pooling", "x/../1_Pooling", "./1_Pooling")) {
      Files.writeString(model.resolve("modules.json"), modules(path));
      try (Arena arena = Arena.ofConfined()) {
        assertEquals(
            List.of(PoolingMode.MEAN),
            SentenceTransformerReader.readHead(model, 8, arena).pooling());
      }
    }
  }

  @Test
  void maxSeqLengthMustHoldOneTokenBetweenBosAndEos(@TempDir Path model) throws IOException {
    for (int n : new int[] {1, 2}) {
      Files.writeString(
          model.resolve("sentence_bert_config.json"), "{\"max_seq_length\": " + n + "}");
      ConfigException e =
          assertThrows(
              ConfigException.class, () -> SentenceTransformerReader.readMaxSeqLength(model, 2048));
      assertTrue(
          e.getMessage().contains("key 'max_seq_length': must be at least 3"), e.getMessage());
    }
    Files.writeString(model.resolve("sentence_bert_config.json"), "{\"max_seq_length\": 3}");
    assertEquals(3, SentenceTransformerReader.readMaxSeqLength(model, 2048));
  }
}
