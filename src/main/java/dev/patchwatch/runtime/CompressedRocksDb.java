package dev.patchwatch.runtime;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;

/**
 * RocksDB stores compress their files with LZ4 (Kafka Streams writes them uncompressed): host-day
 * and history records repeat their scanner names, countries and key prefixes, and state on disk
 * shrinks by more than it costs in CPU. Data written uncompressed before stays readable.
 */
public final class CompressedRocksDb implements RocksDBConfigSetter {

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    options.setCompressionType(CompressionType.LZ4_COMPRESSION);
  }

  @Override
  public void close(String storeName, Options options) {}
}
