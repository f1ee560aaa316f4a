package io.landslide.edge.poll;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * A poll as the edge keeps it in memory. Its status follows from the clock, so a scheduled open or close
 * needs no update to take effect.
 *
 * @param id       the id
 * @param title    the question
 * @param options  option labels; an option's id is its index
 * @param opensAt  when voting opens
 * @param closesAt when voting closes, or null while open-ended
 * @param powDifficulty its proof-of-work difficulty (leading zero bits), or {@link #DEFAULT_DIFFICULTY} for the
 *                 edge's default; not part of the poll's public JSON (clients learn it from its challenge)
 * @param eligibility who may vote
 * @param hidden   whether its results are hidden (the embargo: created with {@code hideResults}, not revealed yet)
 */
public record Poll(int id, String title, List<String> options, Instant opensAt, Instant closesAt, int powDifficulty, Eligibility eligibility,
                   boolean hidden) {
  /**
   * Who may vote in a poll, beyond holding a valid token.
   *
   * @param verified             only verified accounts (the identity provider's {@code email_verified}, or a built-in
   *                             account's verified e-mail)
   * @param accountBeforeOpening only accounts created before the poll opened
   */
  public record Eligibility(boolean verified, boolean accountBeforeOpening) {
    /** Anyone with a token. */
    public static final Eligibility ANYONE = new Eligibility(false, false);

    /** @return whether anything is required */
    public boolean restricted() {
      return verified || accountBeforeOpening;
    }

    /** @return the poll JSON's {@code eligibility} */
    public JsonObject toJson() {
      return new JsonObject().put("verified", verified).put("accountBeforeOpening", accountBeforeOpening);
    }
  }

  /**
   * @param voter the caller
   * @return why it may not vote here, or null when it may
   */
  public String ineligible(io.landslide.edge.account.Authenticator.Voter voter) {
    if (eligibility.verified() && !voter.verified()) return "This poll is open to verified accounts only: verify your e-mail, then sign in again.";
    if (eligibility.accountBeforeOpening() && (voter.createdAt() <= 0 || voter.createdAt() >= opensAt.getEpochSecond())) {
      return "This poll is open only to accounts created before it opened.";
    }
    return null;
  }

  /** The poll takes the edge's default proof-of-work difficulty. */
  public static final int DEFAULT_DIFFICULTY = -1;
  /** The hardest proof of work a poll may ask (leading zero bits). */
  public static final int MAX_DIFFICULTY = 32;

  /** The status of a poll at a moment. */
  public enum Status {
    /** Not open yet. */
    SCHEDULED,
    /** Taking votes. */
    OPEN,
    /** No more votes. */
    CLOSED;

    /** @return the contract's spelling */
    public String json() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * @param nowMillis the moment, epoch ms
   * @return the status then
   */
  public Status status(long nowMillis) {
    if (closesAt != null && nowMillis >= closesAt.toEpochMilli()) return Status.CLOSED;
    if (nowMillis < opensAt.toEpochMilli()) return Status.SCHEDULED;
    return Status.OPEN;
  }

  /**
   * @param option an option id
   * @return whether the poll has it
   */
  public boolean hasOption(long option) {
    return option >= 0 && option < options.size();
  }

  /** @return the contract's JSON for the poll, status as of now */
  public JsonObject toJson() {
    JsonArray opts = new JsonArray();
    for (int i = 0; i < options.size(); i++) opts.add(new JsonObject().put("id", i).put("label", options.get(i)));
    JsonObject o = new JsonObject().put("id", id).put("title", title).put("status", status(System.currentTimeMillis()).json())
      .put("options", opts).put("opensAt", opensAt.toString()).put("closesAt", closesAt == null ? null : closesAt.toString());
    if (eligibility.restricted()) o.put("eligibility", eligibility.toJson());
    if (hidden) o.put("hidden", true);
    return o;
  }

  /**
   * @param fin whether the results are final
   * @return the results document while they are hidden: the options without a count, no total, no checkpoint (never
   *     a zero that is not one)
   */
  public JsonObject hiddenResults(boolean fin) {
    JsonArray opts = new JsonArray();
    for (int i = 0; i < options.size(); i++) opts.add(new JsonObject().put("id", i).put("label", options.get(i)));
    return new JsonObject().put("poll", id).put("hidden", true).put("options", opts).put("asOf", Instant.now().toString()).put("final", fin);
  }

  /**
   * @param counts each option's committed count
   * @param fin    whether the results are final
   * @return the contract's results document
   */
  public JsonObject results(long[] counts, boolean fin) {
    io.vertx.core.json.JsonArray options = new io.vertx.core.json.JsonArray();
    long total = 0;
    for (int i = 0; i < counts.length; i++) {
      options.add(new JsonObject().put("id", i).put("label", options().get(i)).put("count", counts[i]));
      total += counts[i];
    }
    return new JsonObject().put("poll", id).put("total", total).put("options", options)
      .put("asOf", Instant.now().toString()).put("final", fin);
  }
}
