package io.landslide.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {

  private static int ephemeralLow() throws IOException {
    return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
  }

  @Test
  void portsComeFromBelowTheEphemeralRangeAndAreNeverHandedOutTwice() throws IOException {
    int ephemeralLow = ephemeralLow();
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 500; i++) {
      int p = Ports.free();
      assertThat(p).isBetween(1_024, ephemeralLow - 1);
      assertThat(seen.add(p)).as("port %d handed out twice", p).isTrue();
    }
    List<Integer> list = Ports.freeList(20);
    assertThat(new HashSet<>(list)).hasSize(20).doesNotContainAnyElementsOf(seen);
  }

  @Test
  void aPortWithOffsetsHasThemFreeAndReservedToo() throws IOException {
    int ephemeralLow = ephemeralLow();
    for (int i = 0; i < 50; i++) {
      int p = Ports.freeWith(1, 10_000);
      assertThat(p + 10_000).isLessThan(ephemeralLow);
      for (int q : new int[] {p, p + 1, p + 10_000}) {
        try (ServerSocket s = new ServerSocket(q, 1, InetAddress.getLoopbackAddress())) {
          assertThat(s.getLocalPort()).isEqualTo(q);
        }
      }
      // The offsets' ports were handed out with it: never handed out alone afterwards.
      for (int j = 0; j < 200; j++) assertThat(Ports.free()).isNotIn(p, p + 1, p + 10_000);
    }
    assertThatThrownBy(() -> Ports.freeWith(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aTakenPortIsNotOffered() throws IOException {
    // Hold many ports below the range; none of them comes back.
    Set<Integer> held = new HashSet<>();
    List<ServerSocket> sockets = new java.util.ArrayList<>();
    try {
      for (int p = 10_000; p < 10_400; p++) {
        try {
          sockets.add(new ServerSocket(p, 1, InetAddress.getLoopbackAddress()));
          held.add(p);
        } catch (IOException busy) {
          // someone else's
        }
      }
      for (int i = 0; i < 2_000; i++) assertThat(Ports.free()).isNotIn(held);
    } finally {
      for (ServerSocket s : sockets) s.close();
    }
  }
}
