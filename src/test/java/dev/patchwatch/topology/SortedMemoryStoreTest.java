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

  private static SortedMemoryStore storeWith(String... keys) {
    SortedMemoryStore store = new SortedMemoryStore("s");
    for (String k : keys) {
      store.put(key(k), value("v" + k));
    }
    return store;
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
