package dev.gemmaembed.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gemmaembed.tokenizer.GemmaTokenizer;
import dev.gemmaembed.tokenizer.TokenizerException;
import java.io.ByteArrayInputStream;

/**
 * A fuzzer-made tokenizer.json (+ tokenizer_config.json): loads into a tokenizer that can encode,
 * or fails with a {@link TokenizerException}.
 */
class TokenizerLoadFuzzTest {

  @FuzzTest(maxDuration = "2h", maxExecutions = 1_000_000)
  void load(FuzzedDataProvider data) {
    byte[] config = data.consumeBoolean() ? data.consumeBytes(300) : null;
    String probe = data.consumeString(40);
    byte[] json = data.consumeRemainingAsBytes();
    GemmaTokenizer tok;
    try {
      tok =
          GemmaTokenizer.fromStreams(
              new ByteArrayInputStream(json),
              config == null ? null : new ByteArrayInputStream(config));
    } catch (TokenizerException expected) {
      return;
    }
    int[] ids = tok.encode(probe);
    tok.decode(ids);
  }
}
