/**
 * The scan-event contract (DESIGN sections 2 and 7.1): JSON or Avro in, a validated and normalised
 * {@link dev.patchwatch.avro.ScanEvent} or a rejection with a reason code out.
 *
 * <p>Uses nothing of PatchWatch except the generated {@code dev.patchwatch.avro} classes.
 */
package dev.patchwatch.event;
