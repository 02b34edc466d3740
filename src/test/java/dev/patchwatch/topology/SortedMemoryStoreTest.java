package dev.patchwatch.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.BatchingStateRestoreCallback;
import org.apache.kafka.streams.processor.StateRestoreCallback;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.Test;

class SortedMemoryStoreTest {

  private static Bytes key(String s) {
    return Bytes.wrap(s.getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] value(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static List<String> keys(KeyValueIterator<Bytes, byte[]> it) {
    List<String> keys = new ArrayList<>();
    try (it) {
      it.forEachRemaining(kv -> keys.add(new String(kv.key.get(), StandardCharsets.US_ASCII)));
    }
    return keys;
  }

  /** Every key, as bytes: some tests' keys are not text. */
  private static List<Bytes> rawKeys(SortedMemoryStore store) {
    List<Bytes> keys = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
      it.forEachRemaining(kv -> keys.add(kv.key));
    }
    return keys;
  }

  private static SortedMemoryStore storeWith(String... keys) {
    SortedMemoryStore store = new SortedMemoryStore("s");
    for (String k : keys) {
      store.put(key(k), value("v" + k));
    }
    return store;
  }

  @Test
  void shouldNotKeepDeletedKeysOfAStoreThatIsNeverRanged() {
    // The aggregating stage's store: keys written and deleted at commits, read only at init.
    SortedMemoryStore store = new SortedMemoryStore("s");
    for (int round = 0; round < 1_000; round++) {
      for (int k = 0; k < 10; k++) {
        store.put(key(round + "-" + k), value("v"));
      }
      if (round > 0) {
        for (int k = 0; k < 10; k++) {
          store.delete(key((round - 1) + "-" + k));
        }
      }
    }

    assertThat(store.approximateNumEntries()).isEqualTo(10);
    assertThat(store.entriesKept()).isLessThanOrEqualTo(40);
    assertThat(keys(store.all())).hasSize(10).allMatch(k -> k.startsWith("999-"));
  }

  @Test
  void shouldIterateRangesInByteOrderWithBothBoundsIncluded() {
    SortedMemoryStore store = storeWith("b", "a", "d", "c", "e");

    assertThat(keys(store.range(key("b"), key("d")))).containsExactly("b", "c", "d");
    assertThat(keys(store.range(key("bb"), key("z")))).containsExactly("c", "d", "e");
    assertThat(keys(store.range(null, key("b")))).containsExactly("a", "b");
    assertThat(keys(store.range(key("d"), null))).containsExactly("d", "e");
    assertThat(keys(store.all())).containsExactly("a", "b", "c", "d", "e");
    assertThat(keys(store.range(key("d"), key("b")))).isEmpty();
  }

  @Test
  void shouldTreatANullValueAsADelete() {
    SortedMemoryStore store = storeWith("a", "b");

    store.put(key("a"), null);

    assertThat(store.get(key("a"))).isNull();
    assertThat(store.approximateNumEntries()).isEqualTo(1);
    assertThat(store.delete(key("b"))).isEqualTo(value("vb"));
    assertThat(keys(store.all())).isEmpty();
  }

  @Test
  void shouldPutOnlyWhenAbsent() {
    SortedMemoryStore store = storeWith("a");

    assertThat(store.putIfAbsent(key("a"), value("other"))).isEqualTo(value("va"));
    assertThat(store.putIfAbsent(key("b"), value("vb"))).isNull();

    assertThat(store.get(key("a"))).isEqualTo(value("va"));
    assertThat(store.get(key("b"))).isEqualTo(value("vb"));
  }

  @Test
  void shouldPeekWithoutConsuming() {
    try (KeyValueIterator<Bytes, byte[]> it = storeWith("a", "b").all()) {
      assertThat(it.peekNextKey()).isEqualTo(key("a"));
      assertThat(it.next().key).isEqualTo(key("a"));
      assertThat(it.next().key).isEqualTo(key("b"));
      assertThat(it.hasNext()).isFalse();
    }
  }

  @Test
  void shouldFailAnIterationThatAWriteOvertook() {
    SortedMemoryStore store = storeWith("a", "b", "c");
    KeyValueIterator<Bytes, byte[]> it = store.all();
    it.next();

    store.put(key("d"), value("vd"));

    assertThatThrownBy(it::next).isInstanceOf(ConcurrentModificationException.class);
  }

  @Test
  void shouldLetAnIterationSeeARewrittenValueButFailOnADelete() {
    SortedMemoryStore store = storeWith("a", "b", "c");
    KeyValueIterator<Bytes, byte[]> it = store.all();
    it.next();

    store.put(key("b"), value("new"));
    assertThat(it.next().value).isEqualTo(value("new"));

    store.delete(key("a"));
    assertThatThrownBy(it::hasNext).isInstanceOf(ConcurrentModificationException.class);
  }

  @Test
  void shouldListAKeyDeletedAndAddedAgainOnce() {
    SortedMemoryStore store = storeWith("a", "b", "c");
    assertThat(keys(store.all())).containsExactly("a", "b", "c");

    store.delete(key("b"));
    store.put(key("b"), value("again"));
    store.put(key("d"), value("vd"));
    store.delete(key("d"));

    assertThat(keys(store.all())).containsExactly("a", "b", "c");
    assertThat(store.get(key("b"))).isEqualTo(value("again"));
    assertThat(store.approximateNumEntries()).isEqualTo(3);
  }

  /** Random puts, rewrites, deletes and ranges, each range checked against a sorted map. */
  @Test
  void shouldAnswerEveryRangeAsASortedMapWould() {
    java.util.Random random = new java.util.Random(11);
    SortedMemoryStore store = new SortedMemoryStore("s");
    java.util.TreeMap<Bytes, byte[]> reference = new java.util.TreeMap<>();
    int ranges = 0;
    for (int step = 0; step < 20_000; step++) {
      Bytes k = key(Integer.toString(random.nextInt(500), 7));
      int action = random.nextInt(10);
      if (action < 5) {
        byte[] v = value(Integer.toString(step));
        store.put(k, v);
        reference.put(k, v);
      } else if (action < 8) {
        assertThat(store.delete(k)).isEqualTo(reference.remove(k));
      } else {
        Bytes other = key(Integer.toString(random.nextInt(500), 7));
        Bytes from = k.compareTo(other) <= 0 ? k : other;
        Bytes to = k.compareTo(other) <= 0 ? other : k;
        List<String> expected = new ArrayList<>();
        reference
            .subMap(from, true, to, true)
            .forEach(
                (key, v) ->
                    expected.add(
                        new String(key.get(), StandardCharsets.US_ASCII)
                            + "="
                            + new String(v, StandardCharsets.US_ASCII)));
        List<String> actual = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.range(from, to)) {
          it.forEachRemaining(
              kv ->
                  actual.add(
                      new String(kv.key.get(), StandardCharsets.US_ASCII)
                          + "="
                          + new String(kv.value, StandardCharsets.US_ASCII)));
        }
        assertThat(actual).as("range %s to %s at step %d", from, to, step).isEqualTo(expected);
        ranges++;
      }
      assertThat(store.get(k)).isEqualTo(reference.get(k));
    }
    assertThat(ranges).isGreaterThan(1_000);
    assertThat(keys(store.all())).hasSize(reference.size());
  }

  @Test
  void shouldSortAKeyBeforeTheLongerOnesItIsAPrefixOfEvenWithZeroBytes() {
    SortedMemoryStore store = new SortedMemoryStore("s");
    byte[] prefix = "2021-03-01|CVE-2021-26855|10.".getBytes(StandardCharsets.US_ASCII);
    List<Bytes> expected = new ArrayList<>();
    for (int zeros = 0; zeros <= 20; zeros++) {
      expected.add(Bytes.wrap(java.util.Arrays.copyOf(prefix, prefix.length + zeros)));
    }
    byte[] one = java.util.Arrays.copyOf(prefix, prefix.length + 1);
    one[prefix.length] = 1;
    expected.add(Bytes.wrap(one));
    for (int i = expected.size() - 1; i >= 0; i--) {
      store.put(expected.get(i), value("v"));
    }

    assertThat(rawKeys(store)).containsExactlyElementsOf(expected);
  }

  /**
   * Batches of keys sharing long prefixes, of every length, with zero and 0xFF bytes: sorted as
   * unsigned bytes, a key before the keys it is a prefix of.
   */
  @Test
  void shouldSortBatchesOfKeysWithSharedPrefixesAndZeroBytesInByteOrder() {
    java.util.Random random = new java.util.Random(5);
    byte[] alphabet = {0, 1, 'a', (byte) 0x7F, (byte) 0x80, (byte) 0xFF};
    SortedMemoryStore store = new SortedMemoryStore("s");
    java.util.TreeSet<Bytes> reference = new java.util.TreeSet<>();
    for (int batch = 0; batch < 200; batch++) {
      byte[] prefix = new byte[random.nextInt(12)];
      random.nextBytes(prefix);
      for (int i = random.nextInt(40); i > 0; i--) {
        byte[] k = java.util.Arrays.copyOf(prefix, prefix.length + random.nextInt(24));
        for (int j = prefix.length; j < k.length; j++) {
          k[j] = alphabet[random.nextInt(alphabet.length)];
        }
        store.put(Bytes.wrap(k), value("v"));
        reference.add(Bytes.wrap(k));
      }
      assertThat(rawKeys(store)).as("after batch %d", batch).containsExactlyElementsOf(reference);
    }
  }

  @Test
  void shouldRestoreFromChangelogRecordsIncludingTombstonesAndStartEmptyAfterClose() {
    AtomicReference<StateRestoreCallback> registered = new AtomicReference<>();
    StateStoreContext context =
        (StateStoreContext)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {StateStoreContext.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("register")) {
                    registered.set((StateRestoreCallback) args[1]);
                    return null;
                  }
                  throw new UnsupportedOperationException(method.getName());
                });
    SortedMemoryStore store = new SortedMemoryStore("s");
    store.init(context, store);

    assertThat(store.isOpen()).isTrue();
    assertThat(registered.get()).isInstanceOf(BatchingStateRestoreCallback.class);
    ((BatchingStateRestoreCallback) registered.get())
        .restoreAll(
            List.of(
                KeyValue.pair(value("a"), value("1")),
                KeyValue.pair(value("b"), value("2")),
                KeyValue.pair(value("a"), null),
                KeyValue.pair(value("c"), value("3")),
                KeyValue.pair(value("b"), value("4"))));

    assertThat(keys(store.all())).containsExactly("b", "c");
    assertThat(store.get(key("b"))).isEqualTo(value("4"));

    store.close();
    assertThat(store.isOpen()).isFalse();
    assertThat(store.approximateNumEntries()).isZero();
  }
}
