package dev.patchwatch.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwatch.topology.TopologySettings;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;

class CompressedRocksDbTest {

  @Test
  void shouldCompressEveryRocksDbStoreWithLz4() {
    try (Options options = new Options()) {
      options.setCompressionType(CompressionType.NO_COMPRESSION); // as Kafka Streams sets it
      new CompressedRocksDb().setConfig("host-days", options, Map.of());
      assertThat(options.compressionType()).isEqualTo(CompressionType.LZ4_COMPRESSION);
    }
    assertThat(
            StreamsProperties.of(TopologySettings.defaults(1), "x:9092", Path.of("state"), Map.of())
                .get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG))
        .isEqualTo(CompressedRocksDb.class);
  }
}
