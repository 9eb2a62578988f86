package dev.gemmaembed.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gemmaembed.core.safetensors.SafetensorsFile;
import dev.gemmaembed.core.safetensors.TensorInfo;
import dev.gemmaembed.testing.TinyModel;
import dev.gemmaembed.tools.SyntheticRecipe;
import dev.gemmaembed.tools.SyntheticSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code synth}'s shape flags and presets, and {@code quantize}'s new types with their width
 * fallbacks.
 */
class SynthQuantizeCommandTest {

  @TempDir Path dir;

  @Test
  void shapeFlagsOverrideThePresetAndDtypeIsStored() throws Exception {
    Path out = dir.resolve("small");
    CliHarness.Result r =
        CliHarness.exec(
            "synth",
            "--hidden",
            "128",
            "--layers",
            "2",
            "--heads",
            "2",
            "--kv-heads",
            "1",
            "--head-dim",
            "64",
            "--intermediate",
            "256",
            "--dense-dim",
            "512",
            "--sliding-window",
            "12",
            "--seed",
            "5",
            "--dtype",
            "bf16",
            "--out",
            out.toString());
    assertEquals(0, r.exit(), r.toString());
    String cfg = Files.readString(out.resolve("config.json"));
    for (String expected :
        new String[] {
          "\"hidden_size\" : 128",
          "\"num_hidden_layers\" : 2",
          "\"num_attention_heads\" : 2",
          "\"num_key_value_heads\" : 1",
          "\"head_dim\" : 64",
          "\"intermediate_size\" : 256",
          "\"sliding_window\" : 12",
          "\"dtype\" : \"bfloat16\""
        }) {
      assertTrue(cfg.contains(expected), expected + " in " + cfg);
    }
    try (Arena arena = Arena.ofConfined()) {
      SafetensorsFile st = SafetensorsFile.open(out.resolve("model.safetensors"), arena);
      TensorInfo t = st.require("layers.1.mlp.down_proj.weight");
      assertEquals("BF16", t.dtype().name());
      assertEquals("[128, 256]", java.util.Arrays.toString(t.shape()));
      float[] v = new float[1];
      SyntheticRecipe.fill("layers.1.mlp.down_proj.weight", 5, 1 / Math.sqrt(256), 0, v);
      short bf16 =
          st.bytes(t).get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
      float stored = Float.intBitsToFloat(bf16 << 16);
      assertEquals(v[0], stored, Math.abs(v[0]) / 128, "bf16 of the recipe's first value");
      SafetensorsFile dense = SafetensorsFile.open(out.resolve("2_Dense/model.safetensors"), arena);
      assertEquals("[512, 128]", java.util.Arrays.toString(dense.require("linear.weight").shape()));
    }
  }

  @Test
  void kquantPresetIsTheReferenceModel() {
    SynthCommand c = new SynthCommand();
    new CommandLine(c).parseArgs("--preset", "kquant", "--out", dir.toString());
    assertEquals(SyntheticSpec.kquant(777), c.spec());
    new CommandLine(c)
        .parseArgs("--preset", "kquant", "--seed", "9", "--layers", "1", "--out", dir.toString());
    SyntheticSpec s = c.spec();
    assertEquals(9, s.seed());
    assertEquals(1, s.layers());
    assertEquals(256, s.hidden());
  }

  @Test
  void impossibleShapesAreInputErrors() {
    CliHarness.Result r =
        CliHarness.exec(
            "synth", "--heads", "3", "--kv-heads", "2", "--out", dir.resolve("x").toString());
    assertEquals(ExitCodes.INPUT, r.exit(), r.toString());
    assertTrue(r.stderr().contains("kv heads 2 must divide heads 3"), r.stderr());
  }

  @Test
  void q4KmOnTheTinyModelFallsBackWhereRowsAreNotWholeBlocksAndSaysSo() {
    Path out = dir.resolve("tiny-q4_k_m.gguf");
    CliHarness.Result r =
        CliHarness.exec("quantize", TinyModel.dir().toString(), out.toString(), "--type", "q4_k_m");
    assertEquals(0, r.exit(), r.toString());
    // 64-wide rows: Q4_K → Q5_0, Q6_K (token table, attn_v/ffn_down of layers 2 and 5) → Q8_0.
    assertTrue(
        r.stderr().contains("fallback: token_embd.weight: Q6_K → Q8_0 (rows of 64 values"),
        r.stderr());
    assertTrue(r.stderr().contains("fallback: blk.0.attn_q.weight: Q4_K → Q5_0"), r.stderr());
    assertTrue(r.stderr().contains("fallback: blk.2.attn_v.weight: Q6_K → Q8_0"), r.stderr());
    CliHarness.Result inspect = CliHarness.exec("inspect", out.toString());
    assertEquals(0, inspect.exit(), inspect.toString());
    assertTrue(inspect.out().contains("Q5_0") && inspect.out().contains("Q8_0"), inspect.out());
    CliHarness.Result embed = CliHarness.exec("embed", "--model", out.toString(), "hello world");
    assertEquals(0, embed.exit(), embed.toString());
  }

  @Test
  void f32GivesLlamaQuantizeItsInput() {
    Path out = dir.resolve("tiny-f32.gguf");
    CliHarness.Result r =
        CliHarness.exec("quantize", TinyModel.dir().toString(), out.toString(), "--type", "f32");
    assertEquals(0, r.exit(), r.toString());
    CliHarness.Result inspect = CliHarness.exec("inspect", out.toString());
    assertTrue(
        inspect.out().contains("token_embd.weight") && !inspect.out().contains("Q8_0"),
        inspect.out());
    assertTrue(inspect.out().contains("general.file_type"), inspect.out());
  }

  @Test
  void unknownTypesListTheKnownOnes() {
    CliHarness.Result r =
        CliHarness.exec(
            "quantize",
            TinyModel.dir().toString(),
            dir.resolve("x.gguf").toString(),
            "--type",
            "q7_k");
    assertTrue(
        r.exit() != 0 && r.stderr().contains("q4_k_m") && r.stderr().contains("iq4_xs"),
        r.toString());
  }
}
