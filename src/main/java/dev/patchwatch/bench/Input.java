package dev.patchwatch.bench;

import dev.patchwatch.avro.ScanEvent;
import dev.patchwatch.topology.TopicSpec;

/**
 * The scans topic every throughput phase reads, as published.
 *
 * @param records the topic's records: the events and one closing watermark per partition
 * @param endWatermark the progress that closes every window of the input
 * @param bytesOnDisk what the topic takes in the broker's log directories, or -1
 */
record Input(
    TopicSpec<String, ScanEvent> scans,
    long events,
    long records,
    long endWatermark,
    long bytesOnDisk) {}
