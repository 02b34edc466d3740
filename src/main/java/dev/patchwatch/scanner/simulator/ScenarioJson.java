package dev.patchwatch.scanner.simulator;

import java.util.LinkedHashMap;
import java.util.List;

/**
 * A scenario file as written, before validation; boxed fields so that a missing one is told apart
 * from a zero.
 */
record ScenarioJson(
    String name,
    String title,
    List<String> notes,
    String vulnerability,
    ProductJson product,
    String firstDay,
    String lastDay,
    Integer lookBackDays,
    Long population,
    List<AnchorJson> exposed,
    LinkedHashMap<String, List<AnchorJson>> countryExposed,
    List<CountryJson> countries,
    Double ipv6Share,
    ExitsJson exits,
    List<ShareJson> compromised,
    List<ScannerJson> scanners) {

  record AnchorJson(String date, Long hosts, Boolean published, String source) {}

  record AsnJson(Long asn, Double weight) {}

  record CountryJson(String code, Double share, List<AsnJson> asns) {}

  record BuildJson(String name, String vulnerable, String fixed, Double weight) {}

  record ProductJson(String name, Integer port, List<BuildJson> builds) {}

  record ExitsJson(Double offlineShare, Double mitigatedShare, Integer unreachableDays) {}

  record ShareJson(String date, Double share) {}

  record ScannerJson(
      String id,
      String description,
      Boolean primary,
      Double coverage,
      Double reliability,
      Integer everyDays,
      String from,
      String to,
      List<String> countries,
      String since,
      Boolean reportsCompromise) {}
}
