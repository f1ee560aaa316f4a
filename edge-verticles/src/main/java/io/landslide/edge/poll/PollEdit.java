package io.landslide.edge.poll;

import io.landslide.edge.http.Http;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A validated {@code PATCH /polls/{id}} body: the fields of {@code POST /polls}, each optional; a field given replaces
 * the stored one, {@code "closesAt": null} removes the closing time. Nothing else is accepted, so a typo is a 400 and
 * not an edit silently dropped.
 *
 * @param title         the new question, or null
 * @param options       the new labels, or null
 * @param opensAt       the new opening time, or null
 * @param closesAt      the new closing time, or null
 * @param clearCloses   whether the closing time is removed
 * @param powDifficulty the new proof-of-work difficulty, or null
 * @param eligibility   the new eligibility, or null
 * @param hideResults   the new embargo setting, or null
 */
public record PollEdit(String title, List<String> options, Instant opensAt, Instant closesAt, boolean clearCloses, Integer powDifficulty,
                       Poll.Eligibility eligibility, Boolean hideResults) {
  private static final Set<String> FIELDS = Set.of("title", "options", "opensAt", "closesAt", "powDifficulty", "eligibility", "hideResults");

  /**
   * @param body the request body
   * @return the edit
   * @throws io.landslide.edge.http.Rejection {@code bad_request} when it is not one
   */
  static PollEdit parse(String body) {
    JsonObject o = Http.jsonObject(body);
    if (o.isEmpty()) throw PollApi.NewPoll.bad("Send the fields to change: " + String.join(", ", new java.util.TreeSet<>(FIELDS)) + ".");
    for (String k : o.fieldNames()) if (!FIELDS.contains(k)) throw PollApi.NewPoll.bad("A poll has no field " + k + " to edit.");
    String title = o.containsKey("title") ? PollApi.NewPoll.text(o.getValue("title"), "title", PollApi.NewPoll.MAX_TITLE) : null;
    List<String> options = o.containsKey("options") ? PollApi.NewPoll.options(o.getValue("options")) : null;
    if (o.containsKey("opensAt") && o.getValue("opensAt") == null) throw PollApi.NewPoll.bad("opensAt cannot be removed: to open now, POST …/open.");
    Instant opensAt = PollApi.NewPoll.time(o.getValue("opensAt"), "opensAt");
    boolean clearCloses = o.containsKey("closesAt") && o.getValue("closesAt") == null;
    Instant closesAt = PollApi.NewPoll.time(o.getValue("closesAt"), "closesAt");
    // Given as null, these are refused as any other bad value (POST's validators take null for "not given").
    Integer pow = PollApi.NewPoll.powDifficulty(given(o, "powDifficulty"));
    Poll.Eligibility eligibility = o.containsKey("eligibility") ? PollApi.NewPoll.eligibility(o.getValue("eligibility")) : null;
    Boolean hide = PollApi.NewPoll.hideResults(given(o, "hideResults"));
    return new PollEdit(title, options, opensAt, closesAt, clearCloses, pow, eligibility, hide);
  }

  /** @return the field's value; a field given as null as a value no validator takes (not as "not given") */
  private static Object given(JsonObject o, String key) {
    Object v = o.getValue(key);
    return v == null && o.containsKey(key) ? JsonObject.class : v;
  }

  /** @return the fields changed, as recorded in the admin actions */
  JsonObject toJson() {
    JsonObject o = new JsonObject();
    if (title != null) o.put("title", title);
    if (options != null) o.put("options", new JsonArray(options));
    if (opensAt != null) o.put("opensAt", opensAt.toString());
    if (closesAt != null || clearCloses) o.put("closesAt", closesAt == null ? null : closesAt.toString());
    if (powDifficulty != null) o.put("powDifficulty", powDifficulty);
    if (eligibility != null) o.put("eligibility", eligibility.toJson());
    if (hideResults != null) o.put("hideResults", hideResults);
    return o;
  }
}
