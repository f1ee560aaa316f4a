package io.landslide.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free ports for the servers the local stack and the tests start: the one place they are chosen.
 *
 * <p>A port is probed free and then bound a moment later by another process (a broker, a Redis node, an edge). A
 * port from the kernel's ephemeral range ({@code ServerSocket(0)}) can be taken in that moment by any outgoing
 * connection on the machine, as its source port: a client to PostgreSQL, Kafka or Redis, of which a starting stack
 * opens many. So the ports come from below that range, where only a server that binds on purpose can take one, and
 * a port handed out once is never handed out again by this JVM.
 */
public final class Ports {
  private static final int LOW = 10_000;
  private static final int EPHEMERAL_LOW = ephemeralLow();
  private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

  private Ports() {}

  /** @return a free port */
  public static int free() {
    return freeWith();
  }

  /**
   * A free port {@code p} such that {@code p + offset} is free too for each offset (a controller beside its broker,
   * a Redis node's cluster bus): those ports are handed out with it.
   *
   * @param offsets the other ports' distances from it, each above 0
   * @return the port
   */
  public static int freeWith(int... offsets) {
    int max = 0;
    for (int o : offsets) {
      if (o <= 0) throw new IllegalArgumentException("offset " + o);
      max = Math.max(max, o);
    }
    int high = EPHEMERAL_LOW - max;
    if (high - LOW < 1_000) return kernelChosen(offsets);
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int p = ThreadLocalRandom.current().nextInt(LOW, high);
      if (take(p, offsets)) return p;
    }
    throw new IllegalStateException("no free port in " + LOW + ".." + high);
  }

  /**
   * @param n how many
   * @return distinct free ports
   */
  public static List<Integer> freeList(int n) {
    List<Integer> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) out.add(free());
    return out;
  }

  private static boolean take(int p, int[] offsets) {
    if (!GIVEN.add(p)) return false;
    List<Integer> mine = new ArrayList<>(List.of(p));
    boolean ok = bindable(p);
    for (int i = 0; ok && i < offsets.length; i++) {
      int q = p + offsets[i];
      ok = GIVEN.add(q) && bindable(q);
      if (ok) mine.add(q);
    }
    if (!ok) mine.forEach(GIVEN::remove);
    return ok;
  }

  private static boolean bindable(int port) {
    // Both the loopback and the wildcard address: servers here bind one or the other.
    try (ServerSocket loopback = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      loopback.getLocalPort();
    } catch (IOException taken) {
      return false;
    }
    try (ServerSocket wildcard = new ServerSocket(port)) {
      return wildcard.getLocalPort() == port;
    } catch (IOException taken) {
      return false;
    }
  }

  /** Where the ephemeral range is too low to leave room below it: the kernel's choice, checked for the offsets. */
  private static int kernelChosen(int[] offsets) {
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int p;
      try (ServerSocket s = new ServerSocket(0)) {
        p = s.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      boolean fits = true;
      for (int o : offsets) fits &= p + o <= 65_535;
      if (fits && take(p, offsets)) return p;
    }
    throw new IllegalStateException("no free port");
  }

  private static int ephemeralLow() {
    try {
      // readAllLines, not readString: on this kernel readString returns a procfs file's first byte only
      String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
      return Integer.parseInt(range.split("\\s+")[0]);
    } catch (IOException | RuntimeException unknown) {
      return 32_768; // Linux's default
    }
  }
}
