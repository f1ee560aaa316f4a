package io.landslide.infra;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy a test can cut and mend, to take a real service (PostgreSQL, Redis) away from a client without
 * stopping it for everyone else on the machine. Cutting closes every open connection and stops listening;
 * mending listens again on the same port.
 */
public final class TcpProxy implements AutoCloseable {
  private final Vertx vertx;
  private final String targetHost;
  private final int targetPort;
  private final NetClient client;
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private final int port;
  private NetServer server;

  private TcpProxy(Vertx vertx, String targetHost, int targetPort, int port) {
    this.vertx = vertx;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.client = vertx.createNetClient();
    this.port = port;
  }

  /**
   * @param vertx      the test's Vert.x
   * @param targetHost where to forward
   * @param targetPort its port
   * @return a listening proxy on a free port
   */
  public static TcpProxy start(Vertx vertx, String targetHost, int targetPort) throws Exception {
    TcpProxy p = new TcpProxy(vertx, targetHost, targetPort, Ports.free());
    p.mend();
    return p;
  }

  /** @return the port it listens on */
  public int port() {
    return port;
  }

  /** Listens again (after {@link #cut}). */
  public void mend() throws Exception {
    server = vertx.createNetServer().connectHandler(in -> {
      in.pause();
      open.add(in);
      client.connect(targetPort, targetHost).onSuccess(out -> {
        open.add(out);
        in.handler(out::write);
        out.handler(in::write);
        in.closeHandler(v -> out.close());
        out.closeHandler(v -> in.close());
        in.resume();
      }).onFailure(t -> in.close());
    });
    server.listen(port, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  /** Stops listening and closes every connection through it: to its clients, the service is gone. */
  public void cut() throws Exception {
    server.close().await(10, TimeUnit.SECONDS);
    for (NetSocket s : open) s.close();
    open.clear();
  }

  @Override
  public void close() throws Exception {
    cut();
    client.close().await(10, TimeUnit.SECONDS);
  }
}
