package dev.patchwatch.topology;

import dev.patchwatch.avro.ScanStatus;
import java.util.List;

/**
 * How one host counts in one window: its latest status, country and ASN, whether it was seen
 * compromised, and each scanner's own view of it.
 *
 * @param scanners sorted by scanner, so equal views are equal records
 */
record HostView(
    ScanStatus status, String country, long asn, boolean compromised, List<ScannerView> scanners) {

  /** One scanner's latest status for the host, and whether that scanner saw it compromised. */
  record ScannerView(String scanner, ScanStatus status, boolean compromised) {}
}
