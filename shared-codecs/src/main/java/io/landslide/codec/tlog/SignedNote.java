package io.landslide.codec.tlog;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * C2SP signed-note with Ed25519 (the JDK's): a text of lines each ending in a newline, a blank line, then signature
 * lines {@code — <key name> <base64(key ID || signature)>}. The key ID is the first 4 bytes of
 * {@code SHA-256(key name || 0x0A || 0x01 || public key)}; a verifier key is written
 * {@code <name>+<key ID in hex>+<base64(0x01 || public key)>}, a signer key
 * {@code PRIVATE+KEY+<name>+<key ID in hex>+<base64(0x01 || seed)>} (the formats of Go's sumdb note package, so
 * standard tools read them).
 */
public final class SignedNote {
  private static final byte ED25519 = 0x01;
  private static final String DASH = "\u2014 ";
  private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
  private static final byte[] PKCS8_PREFIX = HexFormat.of().parseHex("302e020100300506032b657004220420");
  private static final int MAX_SIGNATURES = 16;

  private SignedNote() {
  }

  /** A note that does not open, and why. */
  public static final class NoteException extends Exception {
    NoteException(String message) {
      super(message);
    }
  }

  /** A public key that checks a name's signatures. */
  public record Verifier(String name, int keyId, byte[] publicKey) {
    /** Validates. */
    public Verifier {
      checkName(name);
      if (publicKey.length != 32) throw new IllegalArgumentException("an Ed25519 public key has 32 bytes");
      if (keyId != SignedNote.keyId(name, publicKey)) throw new IllegalArgumentException("the key ID does not match the name and key");
      publicKey = publicKey.clone();
    }

    /**
     * @param vkey {@code <name>+<hex key ID>+<base64(0x01 || key)>}
     * @return the verifier
     * @throws IllegalArgumentException when it is not one
     */
    public static Verifier parse(String vkey) {
      // The base64 may hold '+' itself: the name and the ID hold none.
      String[] p = vkey.split("\\+", 3);
      if (p.length != 3 || !p[1].matches("[0-9a-f]{8}")) throw new IllegalArgumentException("not a verifier key: " + vkey);
      byte[] raw;
      try {
        raw = Base64.getDecoder().decode(p[2]);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("not a verifier key (base64): " + vkey);
      }
      if (raw.length != 33 || raw[0] != ED25519) throw new IllegalArgumentException("not an Ed25519 verifier key: " + vkey);
      return new Verifier(p[0], Integer.parseUnsignedInt(p[1], 16), Arrays.copyOfRange(raw, 1, 33));
    }

    /** @return the key in its text form */
    public String text() {
      byte[] raw = new byte[33];
      raw[0] = ED25519;
      System.arraycopy(publicKey, 0, raw, 1, 32);
      return name + "+" + String.format("%08x", keyId) + "+" + Base64.getEncoder().encodeToString(raw);
    }

    boolean verifies(byte[] message, byte[] signature) {
      try {
        PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(concat(X509_PREFIX, publicKey)));
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(key);
        s.update(message);
        return s.verify(signature);
      } catch (GeneralSecurityException e) {
        return false;
      }
    }
  }

  /** A private key that signs as a name. Its {@link #toString()} never shows the key. */
  public static final class Signer {
    private final String name;
    private final PrivateKey key;
    private final Verifier verifier;
    private final byte[] seed;

    private Signer(String name, byte[] seed) {
      checkName(name);
      if (seed.length != 32) throw new IllegalArgumentException("an Ed25519 seed has 32 bytes");
      this.name = name;
      this.seed = seed.clone();
      try {
        this.key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(concat(PKCS8_PREFIX, seed)));
        // The JDK derives the public key only in its key pair generator: feed it the seed as its "random" bytes.
        KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
        g.initialize(java.security.spec.NamedParameterSpec.ED25519, new FixedBytes(seed));
        byte[] x509 = g.generateKeyPair().getPublic().getEncoded();
        byte[] pub = Arrays.copyOfRange(x509, x509.length - 32, x509.length);
        this.verifier = new Verifier(name, SignedNote.keyId(name, pub), pub);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("no Ed25519 in this JVM", e);
      }
    }

    /**
     * @param name the key's name (the log's origin, say)
     * @return a new key, from a strong random source
     */
    public static Signer generate(String name) {
      byte[] seed = new byte[32];
      try {
        SecureRandom.getInstanceStrong().nextBytes(seed);
      } catch (GeneralSecurityException e) {
        new SecureRandom().nextBytes(seed);
      }
      return new Signer(name, seed);
    }

    /**
     * @param skey {@code PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>}
     * @return the signer
     * @throws IllegalArgumentException when it is not one (the message never shows the key)
     */
    public static Signer parse(String skey) {
      String[] p = skey.split("\\+", 5);
      if (p.length != 5 || !p[0].equals("PRIVATE") || !p[1].equals("KEY") || !p[3].matches("[0-9a-f]{8}")) {
        throw new IllegalArgumentException("not a signer key (PRIVATE+KEY+<name>+<id>+<key>)");
      }
      byte[] raw;
      try {
        raw = Base64.getDecoder().decode(p[4]);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("not a signer key (base64)");
      }
      if (raw.length != 33 || raw[0] != ED25519) throw new IllegalArgumentException("not an Ed25519 signer key");
      Signer s = new Signer(p[2], Arrays.copyOfRange(raw, 1, 33));
      if (s.verifier.keyId() != Integer.parseUnsignedInt(p[3], 16)) throw new IllegalArgumentException("the signer key's ID does not match its key");
      return s;
    }

    /** @return the key's name */
    public String name() {
      return name;
    }

    /** @return the public half */
    public Verifier verifier() {
      return verifier;
    }

    /** @return the key in its text form: a secret */
    public String secretText() {
      byte[] raw = new byte[33];
      raw[0] = ED25519;
      System.arraycopy(seed, 0, raw, 1, 32);
      return "PRIVATE+KEY+" + name + "+" + String.format("%08x", verifier.keyId()) + "+" + Base64.getEncoder().encodeToString(raw);
    }

    byte[] sign(byte[] message) {
      try {
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(key);
        s.update(message);
        return s.sign();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("Ed25519 signing failed", e);
      }
    }

    @Override
    public String toString() {
      return "Signer[" + verifier.text() + "]";
    }
  }

  /**
   * @param text    the note's text: lines each ending in a newline, none blank
   * @param signers who signs it
   * @return the signed note
   */
  public static String sign(String text, Signer... signers) {
    checkText(text);
    byte[] message = text.getBytes(StandardCharsets.UTF_8);
    StringBuilder b = new StringBuilder(text).append('\n');
    for (Signer s : signers) {
      byte[] sig = s.sign(message);
      byte[] idAndSig = ByteBuffer.allocate(4 + sig.length).putInt(s.verifier.keyId()).put(sig).array();
      b.append(DASH).append(s.name).append(' ').append(Base64.getEncoder().encodeToString(idAndSig)).append('\n');
    }
    return b.toString();
  }

  /**
   * Opens a note: its text, when a known key signed it. A signature by a known key that does not verify fails the
   * note; signatures by unknown keys are skipped.
   *
   * @param note      the signed note
   * @param verifiers the keys trusted
   * @return the text
   * @throws NoteException when it is malformed, signed by no trusted key, or a trusted key's signature is wrong
   */
  public static String open(String note, List<Verifier> verifiers) throws NoteException {
    if (note.length() > 1_000_000) throw new NoteException("the note is over 1 MB");
    int split = note.lastIndexOf("\n\n");
    if (split < 0) throw new NoteException("no blank line between the text and the signatures");
    String text = note.substring(0, split + 1);
    try {
      checkText(text);
    } catch (IllegalArgumentException e) {
      throw new NoteException(e.getMessage());
    }
    String sigs = note.substring(split + 2);
    if (sigs.isEmpty() || !sigs.endsWith("\n")) throw new NoteException("the signature lines must end with a newline");
    byte[] message = text.getBytes(StandardCharsets.UTF_8);
    List<String> lines = List.of(sigs.substring(0, sigs.length() - 1).split("\n", -1));
    if (lines.size() > MAX_SIGNATURES) throw new NoteException("more than " + MAX_SIGNATURES + " signatures");
    int verified = 0;
    List<String> unknown = new ArrayList<>();
    for (String line : lines) {
      if (!line.startsWith(DASH)) throw new NoteException("a signature line that does not start with an em dash: " + line);
      String[] p = line.substring(DASH.length()).split(" ", -1);
      if (p.length != 2) throw new NoteException("a malformed signature line: " + line);
      byte[] idAndSig;
      try {
        idAndSig = Base64.getDecoder().decode(p[1]);
      } catch (IllegalArgumentException e) {
        throw new NoteException("a signature that is not base64: " + line);
      }
      // One spelling per signature: the last base64 character before "=" has unused bits that decoders ignore, so
      // without this a changed byte of a note could leave it verifying.
      if (!Base64.getEncoder().encodeToString(idAndSig).equals(p[1])) throw new NoteException("a signature not in canonical base64: " + line);
      if (idAndSig.length < 5) throw new NoteException("a signature too short for its key ID: " + line);
      int id = ByteBuffer.wrap(idAndSig).getInt();
      Verifier v = verifiers.stream().filter(k -> k.name().equals(p[0]) && k.keyId() == id).findFirst().orElse(null);
      if (v == null) {
        unknown.add(p[0] + "+" + String.format("%08x", id));
        continue;
      }
      if (!v.verifies(message, Arrays.copyOfRange(idAndSig, 4, idAndSig.length))) {
        throw new NoteException("the signature of " + v.name() + " (" + String.format("%08x", id) + ") does not verify: the text was changed, or not signed by that key");
      }
      verified++;
    }
    if (verified == 0) throw new NoteException("no signature by a trusted key (signed by: " + String.join(", ", unknown) + ")");
    return text;
  }

  /** @return the key ID of this name and Ed25519 public key */
  static int keyId(String name, byte[] publicKey) {
    MessageDigest sha = TreeHash.sha256();
    sha.update(name.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0x0A);
    sha.update(ED25519);
    byte[] h = sha.digest(publicKey);
    return ByteBuffer.wrap(h).getInt();
  }

  private static void checkName(String name) {
    if (name == null || name.isEmpty() || name.contains("+") || name.codePoints().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("a key name must be non-empty, without spaces or '+': " + name);
    }
  }

  private static void checkText(String text) {
    if (text.isEmpty() || !text.endsWith("\n")) throw new IllegalArgumentException("a note's text must end with a newline");
    if (text.contains("\n\n") || text.startsWith("\n")) throw new IllegalArgumentException("a note's text must have no blank line");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** A "random" source that gives these bytes: how the JDK can derive a public key from a seed. */
  private static final class FixedBytes extends SecureRandom {
    private final byte[] bytes;

    FixedBytes(byte[] bytes) {
      this.bytes = bytes.clone();
    }

    @Override
    public void nextBytes(byte[] out) {
      if (out.length != bytes.length) throw new IllegalStateException("asked for " + out.length + " bytes, not the seed's " + bytes.length);
      System.arraycopy(bytes, 0, out, 0, out.length);
    }
  }
}
