package io.landslide.edge.account;

import io.landslide.runtime.Env;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mail to account holders (today: the e-mail verification link), through a pluggable sender: a file locally (one JSON
 * object a line, {@code {"to","subject","text"}}: what the README points at), the broadcaster's mail relay in
 * production (an HTTPS POST of the same JSON), or nowhere (logged that nothing was sent, never the link).
 */
public final class Mail {
  private static final Logger LOG = LoggerFactory.getLogger(Mail.class);

  private Mail() {
  }

  /**
   * @param outbox     {@code VOTING_MAIL_OUTBOX}: a file each message is appended to (local and tests); holds live
   *                   verification links, so it is for development only
   * @param webhookUrl {@code VOTING_MAIL_WEBHOOK_URL}: the mail relay each message is POSTed to (https, or http to a
   *                   loopback address)
   * @param publicUrl  {@code VOTING_PUBLIC_URL}: the site's address, for the links in messages, default
   *                   {@code http://localhost:8080}
   */
  public record Config(String outbox, String webhookUrl, String publicUrl) {
    /** Validates. */
    public Config {
      if (outbox != null && webhookUrl != null) throw new IllegalArgumentException("set VOTING_MAIL_OUTBOX or VOTING_MAIL_WEBHOOK_URL, not both");
      if (webhookUrl != null) {
        URI u = URI.create(webhookUrl);
        boolean loopback = "localhost".equals(u.getHost()) || "127.0.0.1".equals(u.getHost()) || "[::1]".equals(u.getHost());
        if (!"https".equals(u.getScheme()) && !("http".equals(u.getScheme()) && loopback)) {
          throw new IllegalArgumentException("VOTING_MAIL_WEBHOOK_URL must be https (http only to a loopback address)");
        }
      }
      URI p = URI.create(publicUrl);
      if (p.getHost() == null || !("https".equals(p.getScheme()) || "http".equals(p.getScheme()))) {
        throw new IllegalArgumentException("VOTING_PUBLIC_URL must be an http(s) address: " + publicUrl);
      }
    }

    /** @return the configuration */
    public static Config fromEnv(Env env) {
      return new Config(env.optional("VOTING_MAIL_OUTBOX"), env.optional("VOTING_MAIL_WEBHOOK_URL"),
        env.string("VOTING_PUBLIC_URL", "http://localhost:8080").replaceAll("/+$", ""));
    }
  }

  /** Sends one message. */
  @FunctionalInterface
  public interface Sender {
    /**
     * @param to      the address
     * @param subject the subject
     * @param text    the plain-text body
     * @return done when handed over
     */
    Future<Void> send(String to, String subject, String text);
  }

  /**
   * @param vertx  Vert.x (file writes and HTTP off the event loop)
   * @param config where mail goes
   * @return the sender
   */
  public static Sender sender(Vertx vertx, Config config) {
    if (config.outbox() != null) {
      Path file = Path.of(config.outbox());
      return (to, subject, text) -> vertx.executeBlocking(() -> {
        synchronized (Mail.class) { // one line a message, whole, however many event loops send
          Path dir = file.toAbsolutePath().getParent();
          if (dir != null) Files.createDirectories(dir);
          Files.write(file, (json(to, subject, text) + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        return null;
      }, false);
    }
    if (config.webhookUrl() != null) {
      HttpClient http = vertx.createHttpClient(new HttpClientOptions());
      return (to, subject, text) -> http.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(config.webhookUrl())
          .setConnectTimeout(2_000).setIdleTimeout(5_000).putHeader("Content-Type", "application/json"))
        .compose(req -> req.send(Buffer.buffer(json(to, subject, text))))
        .compose(res -> res.statusCode() / 100 == 2 ? Future.<Void>succeededFuture() : Future.failedFuture("mail relay answered " + res.statusCode()))
        .timeout(10, TimeUnit.SECONDS);
    }
    return (to, subject, text) -> {
      LOG.warn("no mail sender configured (VOTING_MAIL_OUTBOX or VOTING_MAIL_WEBHOOK_URL): \"{}\" not sent", subject);
      return Future.succeededFuture();
    };
  }

  private static String json(String to, String subject, String text) {
    return new JsonObject().put("to", to).put("subject", subject).put("text", text).encode();
  }
}
