package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gemmaembed.testing.TinyModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchCommandTest {

  @Test
  void printsOneJsonLineWithTheMeasurements() throws Exception {
    CliHarness.Result r =
        CliHarness.exec(
            "bench",
            "--model",
            TinyModel.dir().toString(),
            "--texts",
            "3",
            "--tokens",
            "17",
            "--threads",
            "2",
            "--warmup",
            "0.2",
            "--seconds",
            "0.5");
    assertEquals(0, r.exit(), r.toString());
    List<String> lines = r.out().lines().toList();
    assertEquals(1, lines.size(), r.out());
    JsonNode json = new ObjectMapper().readTree(lines.getFirst());
    assertEquals(
        List.of(
            "texts",
            "tokens",
            "threads",
            "tokens_per_second",
            "texts_per_second",
            "latency_ms_p50",
            "latency_ms_p90",
            "peak_rss_mb"),
        iterable(json));
    assertEquals(3, json.get("texts").asInt());
    assertEquals(17, json.get("tokens").asInt());
    assertEquals(2, json.get("threads").asInt());
    double tps = json.get("tokens_per_second").asDouble();
    assertTrue(tps > 0, json.toString());
    assertEquals(tps / 17, json.get("texts_per_second").asDouble(), tps / 17 * 0.01 + 0.01);
    assertTrue(json.get("latency_ms_p50").asDouble() > 0);
    assertTrue(json.get("latency_ms_p90").asDouble() >= json.get("latency_ms_p50").asDouble());
    assertTrue(json.get("peak_rss_mb").isNull() || json.get("peak_rss_mb").asDouble() > 0);
  }

  @Test
  void rejectsTooFewTokens() {
    CliHarness.Result r =
        CliHarness.exec(
            "bench", "--model", TinyModel.dir().toString(), "--tokens", "1", "--seconds", "0");
    assertEquals(ExitCodes.USAGE, r.exit(), r.toString());
    assertTrue(r.stderr().contains("--tokens"), r.stderr());
  }

  @Test
  void percentileIsNearestRank() {
    long[] v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assertEquals(5, BenchCommand.percentile(v, 50));
    assertEquals(9, BenchCommand.percentile(v, 90));
    assertEquals(7, BenchCommand.percentile(new long[] {7}, 90));
  }

  private static List<String> iterable(JsonNode json) {
    List<String> names = new java.util.ArrayList<>();
    json.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
