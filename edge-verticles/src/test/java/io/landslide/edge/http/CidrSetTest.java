package io.landslide.edge.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The trusted-proxy matcher: whom the edge believes about a client's address, so strict on input. */
class CidrSetTest {

  private static CidrSet of(String... cidrs) {
    return CidrSet.parse(List.of(cidrs));
  }

  @Test
  void shouldMatchAddressesInsideAnIpv4Block() {
    CidrSet s = of("10.0.0.0/8", "192.168.1.0/24");
    assertThat(s.contains("10.0.0.0")).isTrue();
    assertThat(s.contains("10.255.255.255")).isTrue();
    assertThat(s.contains("192.168.1.77")).isTrue();
    assertThat(s.contains("11.0.0.0")).isFalse();
    assertThat(s.contains("9.255.255.255")).isFalse();
    assertThat(s.contains("192.168.2.1")).isFalse();
    assertThat(s.contains(new byte[] {10, 1, 2, 3})).as("as bytes").isTrue();
  }

  @Test
  void shouldMatchAddressesInsideAnIpv6Block() {
    CidrSet s = of("fd00::/8", "2001:db8:1::/48", "2001:db8:ffff:ffff:8000::/65");
    assertThat(s.contains("fd12:3456::1")).isTrue();
    assertThat(s.contains("fe00::1")).isFalse();
    assertThat(s.contains("2001:db8:1:ffff::1")).isTrue();
    assertThat(s.contains("2001:db8:2::1")).isFalse();
    assertThat(s.contains("2001:db8:ffff:ffff:8000::1")).as("a prefix past 64 bits").isTrue();
    assertThat(s.contains("2001:db8:ffff:ffff:7fff::1")).isFalse();
    assertThat(s.contains("10.0.0.1")).as("an IPv4 address is not in an IPv6 block").isFalse();
  }

  @Test
  void shouldMatchEveryAddressOfItsFamilyWithPrefixZero() {
    assertThat(of("0.0.0.0/0").contains("203.0.113.7")).isTrue();
    assertThat(of("0.0.0.0/0").contains("255.255.255.255")).isTrue();
    assertThat(of("0.0.0.0/0").contains("2001:db8::1")).as("an IPv4 block never holds IPv6").isFalse();
    assertThat(of("::/0").contains("2001:db8::1")).isTrue();
    assertThat(of("::/0").contains("::")).isTrue();
    assertThat(of("::/0").contains("203.0.113.7")).as("::/0 is every IPv6 address, not every address").isFalse();
  }

  @Test
  void shouldMatchOneAddressWithAFullPrefix() {
    assertThat(of("10.0.0.1/32").contains("10.0.0.1")).isTrue();
    assertThat(of("10.0.0.1/32").contains("10.0.0.2")).isFalse();
    assertThat(of("10.0.0.1/32").contains("10.0.0.0")).isFalse();
    assertThat(of("2001:db8::1/128").contains("2001:db8::1")).isTrue();
    assertThat(of("2001:db8::1/128").contains("2001:db8::2")).isFalse();
    assertThat(of("2001:db8::1/128").contains("2001:db8::")).isFalse();
  }

  @Test
  void shouldMatchAnIpv4MappedAddressAsItsIpv4Address() {
    CidrSet v4 = of("10.0.0.0/8");
    assertThat(v4.contains("::ffff:10.1.2.3")).isTrue();
    assertThat(v4.contains("::ffff:a01:203")).as("the same, in hex").isTrue();
    assertThat(v4.contains("::ffff:11.1.2.3")).isFalse();
    CidrSet mapped = of("::ffff:10.0.0.0/104");
    assertThat(mapped.blocks()).as("a mapped block is the IPv4 block it maps").containsExactly("10.0.0.0/8");
    assertThat(mapped.contains("10.1.2.3")).isTrue();
    assertThat(mapped.contains("::ffff:10.1.2.3")).isTrue();
    assertThat(mapped.contains("11.1.2.3")).isFalse();
    assertThat(of("::ffff:0:0/96").contains("198.51.100.1")).as("all of IPv4").isTrue();
    assertThat(of("::/0").contains("::ffff:10.1.2.3")).as("a mapped address is matched as IPv4").isFalse();
  }

  @Test
  void shouldMatchNothingWhenEmptyOrNotAnAddress() {
    assertThat(CidrSet.parse(List.of())).isSameAs(CidrSet.NONE);
    assertThat(CidrSet.NONE.isEmpty()).isTrue();
    assertThat(CidrSet.NONE.contains("10.0.0.1")).isFalse();
    CidrSet s = of("0.0.0.0/0", "::/0");
    assertThat(s.contains((String) null)).isFalse();
    assertThat(s.contains((byte[]) null)).isFalse();
    assertThat(s.contains("localhost")).as("a name is never resolved").isFalse();
    assertThat(s.contains(new byte[5])).isFalse();
    assertThat(s.contains(new byte[0])).isFalse();
  }

  @Test
  void shouldKeepBlocksInCanonicalForm() {
    CidrSet s = of(" 10.0.0.0/16 ", "FD00:0:0::/8");
    assertThat(s.blocks()).containsExactly("10.0.0.0/16", "fd00::/8");
    assertThat(s).hasToString("10.0.0.0/16,fd00::/8").isEqualTo(of("10.0.0.0/16", "fd00::/8"));
  }

  @ParameterizedTest(name = "''{0}'' is refused")
  @ValueSource(strings = {"", "10.0.0.0", "10.0.0.0/", "/8", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8/8",
    "10.0.0.0/0x8", "10.0.0.0/ 8", "10.0.0/8", "10.0.0.256/32", "256.0.0.0/8", "10.0.0.0.0/8", "example.com/8", "localhost/32",
    "::/129", "fd00::/1000", "fd00:::/8", "fe80::1%eth0/128", "[fd00::]/8", "gggg::/16", "10.0.0.0/٨"})
  void shouldRefuseWhatIsNotACidrBlock(String cidr) {
    assertThatThrownBy(() -> of(cidr)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a CIDR block");
  }

  @Test
  void shouldRefuseABlockWithBitsPastItsPrefixAndSayWhatWasMeant() {
    assertThatThrownBy(() -> of("10.0.0.1/8")).hasMessageContaining("did you mean 10.0.0.0/8");
    assertThatThrownBy(() -> of("0.0.0.1/0")).hasMessageContaining("did you mean 0.0.0.0/0");
    assertThatThrownBy(() -> of("fd00::1/8")).hasMessageContaining("did you mean fd00::/8");
    assertThatThrownBy(() -> of("2001:db8::1/127")).hasMessageContaining("did you mean 2001:db8::/127");
  }
}
