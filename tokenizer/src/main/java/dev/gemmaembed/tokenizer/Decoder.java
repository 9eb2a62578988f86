package dev.gemmaembed.tokenizer;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Hugging Face decoders as a chain over token strings: {@code Replace} (literal pattern), {@code
 * ByteFallback}, {@code Fuse}, {@code Strip}. {@code null} decoder = join with spaces.
 */
sealed interface Decoder {
  List<String> decodeChain(List<String> tokens);

  record Replace(String pattern, String content) implements Decoder {
    @Override
    public List<String> decodeChain(List<String> tokens) {
      List<String> out = new ArrayList<>(tokens.size());
      for (String t : tokens) out.add(t.replace(pattern, content));
      return out;
    }
  }

  /** {@code <0xNN>} runs become their UTF-8 text, or one U+FFFD per byte if the run is invalid. */
  record ByteFallback() implements Decoder {
    @Override
    public List<String> decodeChain(List<String> tokens) {
      List<String> out = new ArrayList<>(tokens.size());
      byte[] buf = new byte[16];
      int nb = 0;
      for (String t : tokens) {
        int b = byteOf(t);
        if (b >= 0) {
          if (nb == buf.length) buf = java.util.Arrays.copyOf(buf, nb * 2);
          buf[nb++] = (byte) b;
        } else {
          if (nb > 0) {
            flush(buf, nb, out);
            nb = 0;
          }
          out.add(t);
        }
      }
      if (nb > 0) flush(buf, nb, out);
      return out;
    }

    private static void flush(byte[] buf, int nb, List<String> out) {
      try {
        out.add(
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(buf, 0, nb))
                .toString());
      } catch (CharacterCodingException e) {
        for (int i = 0; i < nb; i++) out.add("\uFFFD");
      }
    }

    /**
     * Rust: {@code len == 6 && starts_with("<0x") && ends_with('>') && u8::from_str_radix(&t[3..5],
     * 16)}.
     */
    static int byteOf(String t) {
      if (t.length() != 6 || !t.startsWith("<0x") || t.charAt(5) != '>') return -1;
      char a = t.charAt(3);
      char b = t.charAt(4);
      int hb = Character.digit(b, 16);
      if (hb < 0 || b > 0x7F) return -1;
      if (a == '+') return hb; // Rust's from_str_radix accepts a leading '+'
      int ha = Character.digit(a, 16);
      if (ha < 0 || a > 0x7F) return -1;
      return ha * 16 + hb;
    }
  }

  record Fuse() implements Decoder {
    @Override
    public List<String> decodeChain(List<String> tokens) {
      return List.of(String.join("", tokens));
    }
  }

  /** Removes up to {@code start} leading and {@code stop} trailing {@code content} characters. */
  record Strip(int content, int start, int stop) implements Decoder {
    @Override
    public List<String> decodeChain(List<String> tokens) {
      List<String> out = new ArrayList<>(tokens.size());
      for (String t : tokens) {
        int[] cps = t.codePoints().toArray();
        int startCut = 0;
        for (int i = 0; i < Math.min(start, cps.length); i++) {
          if (cps[i] == content) startCut = i + 1;
          else break;
        }
        int stopCut = cps.length;
        for (int i = 0; i < stop; i++) {
          int index = cps.length - i - 1;
          if (index < 0 || index < startCut) break;
          if (cps[index] == content) stopCut = index;
          else break;
        }
        out.add(new String(cps, startCut, Math.max(0, stopCut - startCut)));
      }
      return out;
    }
  }

  record Sequence(List<Decoder> steps) implements Decoder {
    @Override
    public List<String> decodeChain(List<String> tokens) {
      List<String> t = tokens;
      for (Decoder d : steps) t = d.decodeChain(t);
      return t;
    }
  }

  /** The Gemma decoder: Replace("▁" → " "), ByteFallback, Fuse. */
  static Decoder gemma() {
    return new Sequence(List.of(new Replace("\u2581", " "), new ByteFallback(), new Fuse()));
  }
}
