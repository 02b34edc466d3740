package dev.patchwatch.scanner.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StrictUtf8ReaderTest {

  @Test
  void shouldDeliverEveryCharacterBeforeABadByteThenFailNamingItsOffset() throws Exception {
    byte[] good = "h\u00e9\uD83D\uDE00".getBytes(StandardCharsets.UTF_8);
    byte[] input = new byte[good.length + 2];
    System.arraycopy(good, 0, input, 0, good.length);
    input[good.length] = (byte) 0xFF;
    input[good.length + 1] = 'z';
    Reader reader = new StrictUtf8Reader(new ByteArrayInputStream(input));
    char[] buffer = new char[64];

    int n = reader.read(buffer, 0, buffer.length);

    assertThat(new String(buffer, 0, n)).isEqualTo("h\u00e9\uD83D\uDE00");
    assertThatThrownBy(() -> reader.read(buffer, 0, buffer.length))
        .isInstanceOf(StrictUtf8Reader.NotUtf8Exception.class)
        .hasMessage("bytes that are not UTF-8 at byte offset 7");
  }

  @Test
  void shouldReadOneCharacterAtATimeAcrossASurrogatePair() throws IOException {
    Reader reader =
        new StrictUtf8Reader(
            new ByteArrayInputStream("a\uD83D\uDE00".getBytes(StandardCharsets.UTF_8)));

    assertThat(new char[] {(char) reader.read(), (char) reader.read(), (char) reader.read()})
        .containsExactly('a', '\uD83D', '\uDE00');
    assertThat(reader.read()).isEqualTo(-1);
  }

  @Test
  void shouldFailOnASequenceCutByTheEndOfTheStream() throws IOException {
    Reader reader = new StrictUtf8Reader(new ByteArrayInputStream(new byte[] {'a', (byte) 0xC3}));
    char[] buffer = new char[8];

    assertThat(reader.read(buffer, 0, buffer.length)).isEqualTo(1);
    assertThatThrownBy(() -> reader.read(buffer, 0, buffer.length))
        .isInstanceOf(StrictUtf8Reader.NotUtf8Exception.class)
        .hasMessage("bytes that are not UTF-8 at byte offset 1");
  }
}
