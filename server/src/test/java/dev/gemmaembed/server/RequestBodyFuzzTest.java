package dev.gemmaembed.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gemmaembed.core.Utf8;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The server's request-body parsers on any bytes (a fuzz target beside the internal classes it
 * drives): the strict UTF-8 check agrees with the JDK's reporting decoder, a body that passes it
 * parses to an object or is refused with an {@link ApiException} (a 400), never another exception,
 * and the Host-header parser takes any string.
 */
class RequestBodyFuzzTest {

  @FuzzTest(maxDuration = "2h", maxExecutions = 1_000_000)
  void body(FuzzedDataProvider data) {
    String host = data.consumeString(64);
    RequestGuard.hostName(host);
    new RequestGuard(ServerConfig.defaults()).hostAllowed(host);
    byte[] body = data.consumeRemainingAsBytes();
    boolean jdkValid;
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body));
      jdkValid = true;
    } catch (CharacterCodingException e) {
      jdkValid = false;
    }
    assertEquals(jdkValid, Utf8.firstInvalid(body) < 0);
    if (jdkValid) {
      try {
        Json.parseObject(body);
      } catch (ApiException e) {
        assertEquals(ApiException.Kind.BAD_REQUEST, e.kind());
      }
    }
  }
}
