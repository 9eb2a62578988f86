package dev.gemmaembed.cli;

import dev.gemmaembed.core.model.Architecture;
import dev.gemmaembed.tools.AtomicFiles;
import dev.gemmaembed.tools.Eg2GgufWriter;
import dev.gemmaembed.tools.GgufQuantizeTool;
import dev.gemmaembed.tools.QuantType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gemma-embed quantize}: Hugging Face folder → GGUF that llama.cpp (and gemma-embed) can
 * load.
 */
@Command(
    name = "quantize",
    mixinStandardHelpOptions = true,
    description = {
      "Convert a Hugging Face model folder into a (quantized) GGUF file.",
      "",
      "The folder holds EmbeddingGemma's F32/BF16 safetensors with its Dense layers and tokenizer; "
          + "the GGUF has llama.cpp's gemma-embedding layout. f32 is what llama-quantize starts from. "
          + "A single type (q8_0, q4_0, q4_1, q5_0, q5_1, q2_k, q3_k, q4_k, q5_k, q6_k, iq4_nl, iq4_xs) "
          + "stores every matrix, token table included, in that type, byte for byte as llama-quantize "
          + "--pure. q4_k_m is llama-quantize's default Q4_K_M mix (token table Q6_K; attn_v and "
          + "ffn_down of some layers Q6_K; the rest Q4_K). mixed: attention q/k/v/o Q8_0, token table, "
          + "feed-forward and Dense Q4_0. A matrix whose rows are not whole blocks of its type falls "
          + "back as llama-quantize does (Q4_K to Q5_0, Q5_K to Q5_1, Q6_K to Q8_0, Q2_K/Q3_K/IQ4_XS "
          + "to IQ4_NL), and is listed. Norm weights stay F32 (+1, as llama.cpp stores them). OUT is "
          + "replaced only once complete.",
      "",
      "An EmbeddingGemma 2 folder becomes a gemma-embedding2 GGUF (norms as stored; the metadata keys "
          + "that inspect marks are gemma-embed's own, llama.cpp's converter being unverified).",
    },
    footer = {
      "",
      "Examples:",
      "  gemma-embed quantize models/full models/full-q4_0.gguf --type q4_0",
      "  gemma-embed quantize models/full models/full-q4_k_m.gguf --type q4_k_m",
      "  gemma-embed quantize models/kquant models/kquant-f32.gguf --type f32",
      "  gemma-embed quantize ~/models/embeddinggemma-300m eg-q8_0.gguf --type q8_0"
    })
final class QuantizeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IN", description = "Hugging Face model directory.")
  Path in;

  @Parameters(
      index = "1",
      paramLabel = "OUT.gguf",
      description = "GGUF file to write (atomically).")
  Path out;

  @Option(
      names = "--type",
      required = true,
      paramLabel = "TYPE",
      converter = QuantTypeConverter.class,
      description =
          "f32, f16, q8_0, q4_0, q4_1, q5_0, q5_1, q2_k, q3_k, q4_k, q5_k, q6_k, iq4_nl, iq4_xs, "
              + "q4_k_m or mixed.")
  QuantType type;

  @Override
  public Integer call() throws Exception {
    AtomicFiles.check(out);
    long t0 = System.nanoTime();
    Path config = in.resolve("config.json");
    boolean eg2 =
        Files.isRegularFile(config) && Architecture.of(config) == Architecture.EMBEDDING_GEMMA2;
    GgufQuantizeTool.Result r =
        eg2 ? Eg2GgufWriter.write(in, out, type) : GgufQuantizeTool.quantize(in, out, type);
    for (String f : r.fallbacks()) {
      spec.commandLine().getErr().println("fallback: " + f);
    }
    spec.commandLine()
        .getErr()
        .printf(
            "wrote %s: %,d bytes, %d tensors %s in %.1f s%n",
            r.file(), r.bytes(), r.tensors(), r.tensorTypes(), (System.nanoTime() - t0) / 1e9);
    return 0;
  }

  static final class QuantTypeConverter implements picocli.CommandLine.ITypeConverter<QuantType> {
    @Override
    public QuantType convert(String value) {
      return QuantType.parse(value);
    }
  }
}
