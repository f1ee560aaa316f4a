package io.landslide.edge.http;

import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A set of CIDR blocks, IPv4 and IPv6 ({@code 10.0.0.0/8}, {@code fd00::/8}), parsed once; {@link #contains(byte[])}
 * then matches an address with a few integer comparisons and no allocation.
 *
 * <p>An IPv4-mapped IPv6 address ({@code ::ffff:10.1.2.3}) is matched as the IPv4 address it carries, and a block
 * inside {@code ::ffff:0:0/96} is read as the IPv4 block it maps ({@code ::ffff:10.0.0.0/104} is {@code 10.0.0.0/8}):
 * a dual-stack socket may show an IPv4 peer either way. Other IPv6 blocks match IPv6 addresses only ({@code ::/0}
 * is every IPv6 address, not every address).
 *
 * <p>Parsing is strict, because this decides whom the edge believes: every block needs its prefix length, an
 * address is a literal (never a host name, no zone, no brackets), and a block with bits set past its prefix
 * ({@code 10.0.0.1/8}) is refused rather than guessed at.
 */
public final class CidrSet {
  /** No blocks: contains nothing. */
  public static final CidrSet NONE = new CidrSet(List.of(), new int[0], new int[0], new long[0], new long[0], new long[0], new long[0]);

  private final List<String> blocks;
  private final int[] v4Network;
  private final int[] v4Mask;
  private final long[] v6NetworkHi;
  private final long[] v6NetworkLo;
  private final long[] v6MaskHi;
  private final long[] v6MaskLo;

  private CidrSet(List<String> blocks, int[] v4Network, int[] v4Mask, long[] v6NetworkHi, long[] v6NetworkLo, long[] v6MaskHi,
                  long[] v6MaskLo) {
    this.blocks = blocks;
    this.v4Network = v4Network;
    this.v4Mask = v4Mask;
    this.v6NetworkHi = v6NetworkHi;
    this.v6NetworkLo = v6NetworkLo;
    this.v6MaskHi = v6MaskHi;
    this.v6MaskLo = v6MaskLo;
  }

  /**
   * @param cidrs blocks such as {@code 10.0.0.0/8} or {@code fd00::/8}, surrounding blanks ignored
   * @return the set of them
   * @throws IllegalArgumentException naming the first block that is not a CIDR block
   */
  public static CidrSet parse(List<String> cidrs) {
    if (cidrs.isEmpty()) return NONE;
    List<String> text = new ArrayList<>();
    List<int[]> v4 = new ArrayList<>();
    List<long[]> v6 = new ArrayList<>();
    for (String raw : cidrs) {
      String cidr = raw.strip();
      int slash = cidr.indexOf('/');
      if (slash < 0 || slash != cidr.lastIndexOf('/')) throw malformed(cidr, "write it as address/prefix-length");
      String address = cidr.substring(0, slash);
      if (address.indexOf('%') >= 0 || address.indexOf('[') >= 0) throw malformed(cidr, "a bare address literal, no zone or brackets");
      byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
      if (bytes == null || (bytes.length != 4 && bytes.length != 16)) throw malformed(cidr, "not an IPv4 or IPv6 address");
      int prefix = prefix(cidr, cidr.substring(slash + 1), bytes.length * 8);
      if (bytes.length == 16 && isV4Mapped(bytes) && prefix >= 96) {
        bytes = Arrays.copyOfRange(bytes, 12, 16);
        prefix -= 96;
      }
      if (bytes.length == 4) {
        int network = v4(bytes, 0);
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        if ((network & ~mask) != 0) throw hostBits(cidr, NetUtil.intToIpAddress(network & mask) + "/" + prefix);
        v4.add(new int[] {network, mask});
        text.add(NetUtil.intToIpAddress(network) + "/" + prefix);
      } else {
        long hi = v6(bytes, 0);
        long lo = v6(bytes, 8);
        long maskHi = prefix == 0 ? 0 : prefix >= 64 ? -1L : -1L << (64 - prefix);
        long maskLo = prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
        if ((hi & ~maskHi) != 0 || (lo & ~maskLo) != 0) {
          throw hostBits(cidr, NetUtil.bytesToIpAddress(v6Bytes(hi & maskHi, lo & maskLo)) + "/" + prefix);
        }
        v6.add(new long[] {hi, lo, maskHi, maskLo});
        text.add(NetUtil.bytesToIpAddress(bytes) + "/" + prefix);
      }
    }
    return new CidrSet(List.copyOf(text), v4.stream().mapToInt(b -> b[0]).toArray(), v4.stream().mapToInt(b -> b[1]).toArray(),
      v6.stream().mapToLong(b -> b[0]).toArray(), v6.stream().mapToLong(b -> b[1]).toArray(),
      v6.stream().mapToLong(b -> b[2]).toArray(), v6.stream().mapToLong(b -> b[3]).toArray());
  }

  /**
   * @param address an address in network byte order: 4 bytes (IPv4) or 16 (IPv6)
   * @return whether a block holds it; false for any other length
   */
  public boolean contains(byte[] address) {
    if (address == null) return false;
    if (address.length == 4) return containsV4(v4(address, 0));
    if (address.length != 16) return false;
    if (isV4Mapped(address)) return containsV4(v4(address, 12));
    long hi = v6(address, 0);
    long lo = v6(address, 8);
    for (int i = 0; i < v6NetworkHi.length; i++) {
      if ((hi & v6MaskHi[i]) == v6NetworkHi[i] && (lo & v6MaskLo[i]) == v6NetworkLo[i]) return true;
    }
    return false;
  }

  /**
   * @param address an IP address literal, as {@link io.vertx.core.net.SocketAddress#hostAddress()} gives it
   * @return whether a block holds it; false when it is null or not an address literal (a name is never resolved)
   */
  public boolean contains(String address) {
    return address != null && contains(NetUtil.createByteArrayFromIpAddressString(address));
  }

  /** @return whether there are no blocks */
  public boolean isEmpty() {
    return blocks.isEmpty();
  }

  /** @return the blocks, in canonical form, in the order given */
  public List<String> blocks() {
    return blocks;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CidrSet c && blocks.equals(c.blocks);
  }

  @Override
  public int hashCode() {
    return blocks.hashCode();
  }

  @Override
  public String toString() {
    return String.join(",", blocks);
  }

  private boolean containsV4(int address) {
    for (int i = 0; i < v4Network.length; i++) {
      if ((address & v4Mask[i]) == v4Network[i]) return true;
    }
    return false;
  }

  /** {@code ::ffff:a.b.c.d}: ten zero bytes, then two 0xff. */
  private static boolean isV4Mapped(byte[] a) {
    for (int i = 0; i < 10; i++) if (a[i] != 0) return false;
    return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
  }

  private static int prefix(String cidr, String text, int bits) {
    if (text.isEmpty() || text.length() > 3) throw malformed(cidr, "the prefix length must be 0 to " + bits);
    int n = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') throw malformed(cidr, "the prefix length must be 0 to " + bits);
      n = n * 10 + (c - '0');
    }
    if (n > bits) throw malformed(cidr, "the prefix length must be 0 to " + bits);
    return n;
  }

  private static int v4(byte[] a, int from) {
    return (a[from] & 0xff) << 24 | (a[from + 1] & 0xff) << 16 | (a[from + 2] & 0xff) << 8 | (a[from + 3] & 0xff);
  }

  private static long v6(byte[] a, int from) {
    long v = 0;
    for (int i = from; i < from + 8; i++) v = v << 8 | (a[i] & 0xff);
    return v;
  }

  private static byte[] v6Bytes(long hi, long lo) {
    byte[] b = new byte[16];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (hi >>> (56 - 8 * i));
      b[8 + i] = (byte) (lo >>> (56 - 8 * i));
    }
    return b;
  }

  private static IllegalArgumentException malformed(String cidr, String why) {
    return new IllegalArgumentException("not a CIDR block: '" + cidr + "' (" + why + ")");
  }

  private static IllegalArgumentException hostBits(String cidr, String meant) {
    return new IllegalArgumentException("not a CIDR block: '" + cidr + "' has bits set past its prefix (did you mean " + meant + "?)");
  }
}
