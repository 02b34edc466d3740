package dev.patchwatch.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressesTest {

  private static Optional<String> canonical(String text) {
    return IpAddresses.canonical(text);
  }

  @Test
  void shouldKeepIpv4DottedQuad() {
    assertThat(canonical("203.0.113.7")).contains("203.0.113.7");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0", "255.255.255.255", "10.0.0.1"})
  void shouldAcceptIpv4WithZeroOctetsAndMaximumOctets(String ip) {
    assertThat(canonical(ip)).contains(ip);
  }

  @ParameterizedTest
  @ValueSource(strings = {"010.1.1.1", "1.1.1.01", "00.1.1.1", "1.2.3.000"})
  void shouldRejectIpv4WithLeadingZeros(String ip) {
    assertThat(canonical(ip)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"256.1.1.1", "1.2.3.1000", "1.2.999.4"})
  void shouldRejectIpv4OctetAbove255(String ip) {
    assertThat(canonical(ip)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.2.3", "127.1", "1.2.3.4.5", "1.2.3.4.", ".1.2.3.4", "1..2.3", "1234"})
  void shouldRejectIpv4WithoutExactlyFourParts(String ip) {
    assertThat(canonical(ip)).isEmpty();
  }

  @Test
  void shouldRejectIpv4WithNonAsciiDigits() {
    assertThat(canonical("\u0661.\u0662.\u0663.\u0664")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"exchange.example.com", "localhost", "example", "mail.example.fr."})
  void shouldRejectHostNames(String name) {
    assertThat(canonical(name)).isEmpty();
  }

  @ParameterizedTest
  @NullAndEmptySource
  void shouldRejectNullAndEmptyText(String text) {
    assertThat(canonical(text)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {" 1.2.3.4", "1.2.3.4 ", "1.2.3.4\n", "::1 ", " ::1", "2001:db8:: 1", "1.2. 3.4"})
  void shouldRejectWhitespace(String text) {
    assertThat(canonical(text)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.2.3.4:80", "[::1]:443", "[::1]", "[2001:db8::1]"})
  void shouldRejectPortsAndBrackets(String text) {
    assertThat(canonical(text)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"fe80::1%eth0", "fe80::1%1", "fe80::1%"})
  void shouldRejectZoneId(String text) {
    assertThat(canonical(text)).isEmpty();
  }

  @Test
  void shouldLowerCaseAndCompressIpv6() {
    assertThat(canonical("2001:DB8:0:0:0:0:0:1")).contains("2001:db8::1");
  }

  @Test
  void shouldKeepCanonicalIpv6() {
    assertThat(canonical("2001:db8::1")).contains("2001:db8::1");
  }

  @Test
  void shouldDropLeadingZerosInIpv6Groups() {
    assertThat(canonical("2001:0db8:0000::0001")).contains("2001:db8::1");
  }

  @Test
  void shouldAcceptMixedCaseHexDigits() {
    assertThat(canonical("2001:dB8::aBcD")).contains("2001:db8::abcd");
  }

  @ParameterizedTest
  @CsvSource({"::, ::", "0:0:0:0:0:0:0:0, ::", "0000:0000:0000:0000:0000:0000:0000:0000, ::"})
  void shouldCanonicaliseUnspecifiedAddress(String text, String expected) {
    assertThat(canonical(text)).contains(expected);
  }

  @ParameterizedTest
  @CsvSource({"::1, ::1", "0:0:0:0:0:0:0:1, ::1"})
  void shouldCanonicaliseLoopback(String text, String expected) {
    assertThat(canonical(text)).contains(expected);
  }

  @ParameterizedTest
  @CsvSource({"1::, 1::", "1:0:0:0:0:0:0:0, 1::"})
  void shouldCompressTrailingZeroGroups(String text, String expected) {
    assertThat(canonical(text)).contains(expected);
  }

  @ParameterizedTest
  @CsvSource({
    "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
    "2001:db8::1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
    "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0",
    "::2:3:4:5:6:7:8, 0:2:3:4:5:6:7:8"
  })
  void shouldNeverCompressASingleZeroGroup(String text, String expected) {
    assertThat(canonical(text)).contains(expected);
  }

  @Test
  void shouldCompressTheLongestZeroRun() {
    assertThat(canonical("2001:0:0:1:0:0:0:1")).contains("2001:0:0:1::1");
  }

  @Test
  void shouldCompressTheFirstZeroRunOnATie() {
    assertThat(canonical("2001:db8:0:0:1:0:0:1")).contains("2001:db8::1:0:0:1");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "1:2:3:4::5:6:7:8"})
  void shouldRejectMoreThanEightGroups(String text) {
    assertThat(canonical(text)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"1:2:3:4:5:6:7", "2001:db8", "1:2"})
  void shouldRejectFewerThanEightGroupsWithoutDoubleColon(String text) {
    assertThat(canonical(text)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {":::", "1:::2", "::::", "1::2::3", "::1::"})
  void shouldRejectDoubleColonMoreThanOnce(String text) {
    assertThat(canonical(text)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"12345::", "::12345", "1:2:3:4:5:6:7:00001"})
  void shouldRejectGroupsOfMoreThanFourHexDigits(String text) {
    assertThat(canonical(text)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {":1::", ":1:2:3:4:5:6:7:8", "1::2:", "1:2:3:4:5:6:7:8:", ":", "1:"})
  void shouldRejectLoneLeadingOrTrailingColon(String text) {
    assertThat(canonical(text)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"2001:db8::g", "2001:db8::-1", "2001:db8::+1", "2001:db8::\uff11"})
  void shouldRejectNonHexCharactersInIpv6(String text) {
    assertThat(canonical(text)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "::ffff:1.2.3.4",
        "::FFFF:1.2.3.4",
        "0:0:0:0:0:ffff:1.2.3.4",
        "::ffff:102:304",
        "::ffff:0102:0304"
      })
  void shouldStoreIpv4MappedAddressAsIpv4(String text) {
    assertThat(canonical(text)).contains("1.2.3.4");
  }

  @Test
  void shouldKeepIpv4CompatibleAddressAsIpv6() {
    assertThat(canonical("::1.2.3.4")).contains("::102:304");
  }

  @Test
  void shouldWriteEmbeddedIpv4AsHexGroups() {
    assertThat(canonical("64:ff9b::192.0.2.1")).contains("64:ff9b::c000:201");
  }

  @Test
  void shouldAcceptEmbeddedIpv4AfterSixGroups() {
    assertThat(canonical("1:2:3:4:5:6:1.2.3.4")).contains("1:2:3:4:5:6:102:304");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "::1.2.3.4:1",
        "::ffff:01.2.3.4",
        "::ffff:1.2.3",
        "::ffff:1.2.3.256",
        "::ffff:a.2.3.4",
        "1:2:3:4:5:6:7:1.2.3.4",
        "1.2.3.4::",
        "::ffff:1.2.3.4.5"
      })
  void shouldRejectMalformedEmbeddedIpv4(String text) {
    assertThat(canonical(text)).isEmpty();
  }

  @Test
  void shouldGiveTheSameCanonicalFormForEverySpellingOfAnAddress() {
    Random random = new Random(20210302);
    for (int run = 0; run < 20_000; run++) {
      int[] groups = new int[8];
      for (int i = 0; i < 8; i++) {
        // mostly zeros, so that runs and ties are common
        groups[i] = random.nextInt(3) == 0 ? random.nextInt(0x10000) : 0;
      }
      String spelled = spell(groups, random);
      assertThat(canonical(spelled)).as(spelled).contains(reference(groups));
    }
  }

  @Test
  void shouldBeIdempotent() {
    for (String text :
        List.of("2001:DB8:0:0:1:0:0:1", "::ffff:1.2.3.4", "::1.2.3.4", "::", "1::", "0.0.0.0")) {
      String once = canonical(text).orElseThrow();
      assertThat(canonical(once)).contains(once);
    }
  }

  /**
   * A random legal spelling of the address: case, leading zeros, one "::" and a dotted tail vary.
   */
  static String spell(int[] groups, Random random) {
    List<String> parts = new ArrayList<>();
    for (int g : groups) {
      String hex = Integer.toHexString(g);
      if (random.nextBoolean()) {
        hex = "0".repeat(random.nextInt(5 - hex.length())) + hex;
      }
      parts.add(random.nextBoolean() ? hex.toUpperCase(Locale.ROOT) : hex);
    }
    String tail = null;
    if (random.nextInt(4) == 0) {
      tail =
          (groups[6] >> 8)
              + "."
              + (groups[6] & 0xff)
              + "."
              + (groups[7] >> 8)
              + "."
              + (groups[7] & 0xff);
      parts = new ArrayList<>(parts.subList(0, 6));
      parts.add(tail);
    }
    // compress some run of zero groups (not the dotted tail), or none
    List<int[]> runs = new ArrayList<>();
    int limit = tail == null ? 8 : 6;
    for (int i = 0; i < limit; i++) {
      for (int j = i; j < limit && groups[j] == 0; j++) {
        runs.add(new int[] {i, j + 1});
      }
    }
    if (runs.isEmpty() || random.nextInt(5) == 0) {
      return String.join(":", parts);
    }
    int[] run = runs.get(random.nextInt(runs.size()));
    return String.join(":", parts.subList(0, run[0]))
        + "::"
        + String.join(":", parts.subList(run[1], parts.size()));
  }

  /** RFC 5952 written independently of the code under test. */
  private static String reference(int[] g) {
    if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
      return (g[6] >> 8) + "." + (g[6] & 0xff) + "." + (g[7] >> 8) + "." + (g[7] & 0xff);
    }
    String full = ":" + String.join(":", hexGroups(g)) + ":";
    for (int length = 8; length >= 2; length--) {
      String zeros = ":" + "0:".repeat(length);
      int at = full.indexOf(zeros);
      if (at >= 0) {
        String compressed = full.substring(0, at) + "::" + full.substring(at + zeros.length());
        return trimColon(compressed);
      }
    }
    return full.substring(1, full.length() - 1);
  }

  private static String trimColon(String s) {
    String r = s;
    if (r.startsWith(":") && !r.startsWith("::")) {
      r = r.substring(1);
    }
    if (r.endsWith(":") && !r.endsWith("::")) {
      r = r.substring(0, r.length() - 1);
    }
    return r;
  }

  private static List<String> hexGroups(int[] groups) {
    List<String> hex = new ArrayList<>();
    for (int g : groups) {
      hex.add(Integer.toHexString(g));
    }
    return hex;
  }
}
