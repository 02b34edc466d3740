/**
 * Scanner input formats: adapters that turn scanner output files (JSON Lines, CSV, Shadowserver
 * reports, Nuclei, nmap XML) into canonical scan-event JSON, found through {@link
 * java.util.ServiceLoader}, and {@link dev.patchwatch.scanner.format.FormatReader}, which checks
 * each record with the event contract.
 *
 * <p>Uses {@code dev.patchwatch.event} and the generated Avro classes, nothing else of ours.
 */
package dev.patchwatch.scanner.format;
