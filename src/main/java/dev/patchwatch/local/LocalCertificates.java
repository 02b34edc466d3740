package dev.patchwatch.local;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The local stack's TLS material, in a private {@code tls/} directory: a self-signed CA ({@value
 * #CA_CERTIFICATE}, what clients trust, and its key {@value #CA_KEY}) and the broker's key and
 * certificate chain ({@value #BROKER_KEYSTORE}), valid for {@code localhost} and {@code 127.0.0.1}.
 * Made at the first start and reused after; the broker certificate is issued again from the same CA
 * when it nears its end, so the CA clients hold stays good for ten years. Keys are written 600, the
 * CA certificate 644 (it is no secret). PEM throughout, which Kafka clients and brokers read as
 * {@code ssl.truststore.type=PEM} and {@code ssl.keystore.type=PEM}.
 */
public final class LocalCertificates {

  /** The CA certificate, the clients' trust store. */
  public static final String CA_CERTIFICATE = "ca.pem";

  /** The CA's private key: only needed to issue the broker certificate again. */
  public static final String CA_KEY = "ca.key";

  /** The broker's private key and certificate chain (broker, CA). */
  public static final String BROKER_KEYSTORE = "broker.pem";

  /** The names the broker certificate is valid for: the only address the local stack uses. */
  public static final List<String> BROKER_DNS_NAMES = List.of("localhost");

  public static final List<String> BROKER_IP_ADDRESSES = List.of(Ports.HOST);

  static final Duration CA_VALIDITY = Duration.ofDays(3650);

  /** Under 398 days, what browsers and most TLS stacks accept for a server certificate. */
  static final Duration BROKER_VALIDITY = Duration.ofDays(397);

  /** A certificate this close to its end is not reused. */
  static final Duration RENEW_BEFORE = Duration.ofDays(30);

  /** A clock running a little behind elsewhere must not see a certificate from the future. */
  private static final Duration BACKDATE = Duration.ofHours(1);

  private static final String SIGNATURE = "SHA256withECDSA";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What {@link #createOrLoad} found. */
  public enum Outcome {
    /** A new CA and broker certificate. */
    CREATED,
    /** Both reused as they were. */
    REUSED,
    /** The CA reused, the broker certificate issued again (near its end, or unusable). */
    BROKER_REISSUED
  }

  private final Path dir;
  private final X509Certificate ca;
  private final X509Certificate broker;
  private final Outcome outcome;

  private LocalCertificates(Path dir, X509Certificate ca, X509Certificate broker, Outcome outcome) {
    this.dir = dir;
    this.ca = ca;
    this.broker = broker;
    this.outcome = outcome;
  }

  /**
   * Reads the CA and broker certificate in {@code dir}, or makes them when it holds none; issues
   * the broker certificate again when it is missing, expires within 30 days, names other hosts or
   * was not signed by this CA.
   *
   * @param dir made private (700) if it is not
   * @param clock the time certificates are valid from and checked against
   * @throws IllegalStateException if the CA is incomplete, expires within 30 days, or its key does
   *     not match its certificate: the message says which file to delete to start over
   */
  public static LocalCertificates createOrLoad(Path dir, Clock clock) {
    Path tls = DataDirectory.preparePrivate(dir, "TLS directory").dir();
    Path caCertificate = tls.resolve(CA_CERTIFICATE);
    Path caKey = tls.resolve(CA_KEY);
    Path brokerKeystore = tls.resolve(BROKER_KEYSTORE);
    Instant now = clock.instant();
    try {
      if (!Files.exists(caCertificate) && !Files.exists(caKey)) {
        KeyPair caKeys = newKeyPair();
        X509Certificate ca = issueCa(caKeys, now);
        X509Certificate broker = writeBroker(brokerKeystore, ca, caKeys.getPrivate(), now);
        LocalCredentials.writePrivate(caKey, pem(caKeys.getPrivate()));
        // last: its presence says the directory is complete
        writePublic(caCertificate, pem(ca));
        return new LocalCertificates(tls, ca, broker, Outcome.CREATED);
      }
      if (!Files.exists(caCertificate) || !Files.exists(caKey)) {
        throw new IllegalStateException(
            "the local CA in "
                + tls
                + " is incomplete ("
                + (Files.exists(caCertificate) ? CA_KEY : CA_CERTIFICATE)
                + " is missing): delete "
                + tls
                + " to make a new one, then give clients the new "
                + CA_CERTIFICATE);
      }
      X509Certificate ca = readCertificates(caCertificate).get(0);
      if (ca.getNotAfter().toInstant().isBefore(now.plus(RENEW_BEFORE))) {
        throw new IllegalStateException(
            "the local CA "
                + caCertificate
                + " expires on "
                + ca.getNotAfter().toInstant()
                + ": delete "
                + tls
                + " to make a new one, then give clients the new "
                + CA_CERTIFICATE);
      }
      if (Files.exists(brokerKeystore) && usable(brokerKeystore, ca, now)) {
        return new LocalCertificates(
            tls, ca, readCertificates(brokerKeystore).get(0), Outcome.REUSED);
      }
      X509Certificate broker = writeBroker(brokerKeystore, ca, readPrivateKey(caKey), now);
      return new LocalCertificates(tls, ca, broker, Outcome.BROKER_REISSUED);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write the TLS files in " + tls, e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make the TLS certificates in " + tls + ": " + e, e);
    }
  }

  /** The CA certificate file: {@code ssl.truststore.location} for clients. */
  public Path caCertificate() {
    return dir.resolve(CA_CERTIFICATE);
  }

  /** The broker's key and chain: {@code ssl.keystore.location} for the broker. */
  public Path brokerKeystore() {
    return dir.resolve(BROKER_KEYSTORE);
  }

  public X509Certificate ca() {
    return ca;
  }

  public X509Certificate broker() {
    return broker;
  }

  public Outcome outcome() {
    return outcome;
  }

  /** What the embedded broker needs to serve its client listener over TLS. */
  public EmbeddedKafka.Tls brokerTls() {
    return new EmbeddedKafka.Tls(brokerKeystore(), caCertificate());
  }

  private static boolean usable(Path brokerKeystore, X509Certificate ca, Instant now)
      throws IOException, GeneralSecurityException {
    List<X509Certificate> chain = readCertificates(brokerKeystore);
    if (chain.isEmpty() || !containsPrivateKey(brokerKeystore)) {
      return false;
    }
    X509Certificate broker = chain.get(0);
    try {
      broker.verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      // signed by another CA (this one was made anew): clients trusting ca.pem would refuse it
      return false;
    }
    return !broker.getNotAfter().toInstant().isBefore(now.plus(RENEW_BEFORE))
        && subjectAlternativeNames(broker).equals(expectedNames());
  }

  private static X509Certificate writeBroker(
      Path brokerKeystore, X509Certificate ca, PrivateKey caKey, Instant now)
      throws IOException, GeneralSecurityException, OperatorCreationException {
    KeyPair keys = newKeyPair();
    X509Certificate broker = issueBroker(keys.getPublic(), ca, caKey, now);
    try {
      broker.verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "the CA key "
              + brokerKeystore.resolveSibling(CA_KEY)
              + " does not belong to "
              + brokerKeystore.resolveSibling(CA_CERTIFICATE)
              + ": delete "
              + brokerKeystore.getParent()
              + " to make a new CA",
          e);
    }
    LocalCredentials.writePrivate(brokerKeystore, pem(keys.getPrivate()) + pem(broker) + pem(ca));
    return broker;
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    // P-256: as strong as RSA-3072 for TLS here, and made in milliseconds
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  private static X509Certificate issueCa(KeyPair keys, Instant now)
      throws GeneralSecurityException, OperatorCreationException, CertIOException {
    // a random tag in the name tells one data directory's CA from another's in a client's error
    byte[] tag = new byte[4];
    RANDOM.nextBytes(tag);
    X500Name name =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, "PatchWatch local stack")
            .addRDN(BCStyle.CN, "PatchWatch local CA " + HexFormat.of().formatHex(tag))
            .build();
    JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
                name,
                serial(),
                Date.from(now.minus(BACKDATE)),
                Date.from(now.plus(CA_VALIDITY)),
                name,
                keys.getPublic())
            // path length 0: it signs the broker certificate, never another CA
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
            .addExtension(
                Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
            .addExtension(
                Extension.subjectKeyIdentifier,
                false,
                extensions.createSubjectKeyIdentifier(keys.getPublic()));
    return sign(builder, keys.getPrivate());
  }

  private static X509Certificate issueBroker(
      PublicKey key, X509Certificate ca, PrivateKey caKey, Instant now)
      throws GeneralSecurityException, OperatorCreationException, CertIOException {
    List<GeneralName> names = new ArrayList<>();
    BROKER_DNS_NAMES.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
    BROKER_IP_ADDRESSES.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
    Instant notAfter = now.plus(BROKER_VALIDITY);
    if (notAfter.isAfter(ca.getNotAfter().toInstant())) {
      notAfter = ca.getNotAfter().toInstant();
    }
    JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
                ca,
                serial(),
                Date.from(now.minus(BACKDATE)),
                Date.from(notAfter),
                new X500NameBuilder(BCStyle.INSTANCE)
                    .addRDN(BCStyle.O, "PatchWatch local stack")
                    .addRDN(BCStyle.CN, "localhost")
                    .build(),
                key)
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
            .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
            .addExtension(
                Extension.extendedKeyUsage,
                false,
                new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
            .addExtension(
                Extension.subjectAlternativeName,
                false,
                new GeneralNames(names.toArray(GeneralName[]::new)))
            .addExtension(
                Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(key))
            .addExtension(
                Extension.authorityKeyIdentifier,
                false,
                extensions.createAuthorityKeyIdentifier(ca));
    return sign(builder, caKey);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
      throws GeneralSecurityException, OperatorCreationException {
    // the JDK's own providers sign and parse: Bouncy Castle's provider is never registered
    X509CertificateHolder holder =
        builder.build(new JcaContentSignerBuilder(SIGNATURE).build(signer));
    return new JcaX509CertificateConverter().getCertificate(holder);
  }

  private static BigInteger serial() {
    // positive, 127 bits of randomness: what RFC 5280 and the CA/Browser forum ask of serials
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  /** The subject alternative names as {@code "dns:<name>"} and {@code "ip:<address>"}. */
  static Set<String> subjectAlternativeNames(X509Certificate certificate)
      throws CertificateParsingException {
    Set<String> names = new TreeSet<>();
    Collection<List<?>> entries = certificate.getSubjectAlternativeNames();
    if (entries == null) {
      return names;
    }
    for (List<?> entry : entries) {
      int type = (Integer) entry.get(0);
      String value = String.valueOf(entry.get(1));
      if (type == GeneralName.dNSName) {
        names.add("dns:" + value.toLowerCase(Locale.ROOT));
      } else if (type == GeneralName.iPAddress) {
        names.add("ip:" + canonicalIp(value));
      }
    }
    return names;
  }

  static Set<String> expectedNames() {
    Set<String> names = new TreeSet<>();
    BROKER_DNS_NAMES.forEach(n -> names.add("dns:" + n.toLowerCase(Locale.ROOT)));
    BROKER_IP_ADDRESSES.forEach(ip -> names.add("ip:" + canonicalIp(ip)));
    return names;
  }

  private static String canonicalIp(String literal) {
    try {
      // a literal: no lookup is made
      return InetAddress.getByName(literal).getHostAddress();
    } catch (UnknownHostException e) {
      return literal;
    }
  }

  private static String pem(Object object) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      if (object instanceof PrivateKey key) {
        // PKCS#8 ("PRIVATE KEY"), the one key format Kafka's PEM key store reads unencrypted
        writer.writeObject(new JcaPKCS8Generator(key, null));
      } else {
        writer.writeObject(object);
      }
    }
    return text.toString();
  }

  static List<X509Certificate> readCertificates(Path file)
      throws IOException, GeneralSecurityException {
    List<X509Certificate> certificates = new ArrayList<>();
    for (Object object : readPem(file)) {
      if (object instanceof X509CertificateHolder holder) {
        certificates.add(new JcaX509CertificateConverter().getCertificate(holder));
      }
    }
    if (certificates.isEmpty()) {
      throw new IllegalStateException(file + " holds no certificate");
    }
    return certificates;
  }

  static PrivateKey readPrivateKey(Path file) throws IOException {
    for (Object object : readPem(file)) {
      if (object instanceof PrivateKeyInfo key) {
        return new JcaPEMKeyConverter().getPrivateKey(key);
      }
    }
    throw new IllegalStateException(file + " holds no private key");
  }

  private static boolean containsPrivateKey(Path file) throws IOException {
    return readPem(file).stream().anyMatch(PrivateKeyInfo.class::isInstance);
  }

  private static List<Object> readPem(Path file) throws IOException {
    List<Object> objects = new ArrayList<>();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(in)) {
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        objects.add(object);
      }
    }
    return objects;
  }

  /** Writes a file others may read (644), whole or not at all. */
  private static void writePublic(Path file, String text) throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(temp);
    try {
      Files.createFile(
          temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(temp);
    }
    Files.writeString(temp, text, StandardCharsets.US_ASCII);
    if (Files.getFileStore(temp).supportsFileAttributeView(PosixFileAttributeView.class)) {
      // a umask may have taken the read bits away at creation
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
    }
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
  }
}
