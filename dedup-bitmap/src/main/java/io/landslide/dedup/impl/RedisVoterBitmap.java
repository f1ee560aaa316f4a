package io.landslide.dedup.impl;

import io.landslide.dedup.BitmapOptions;
import io.landslide.dedup.VoterBitmap;
import io.landslide.dedup.VoteRecords;
import io.landslide.dedup.VoterSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * {@link VoterBitmap} on pipelined Redis connections ({@link RedisNodes}: one {@link RedisLink} standalone, one per
 * master in cluster mode): a facade over the claims of single
 * users ({@link Claims}, batched), the operations on a whole poll ({@link BitmapAdmin}), the rebuild from a
 * {@link VoterSource} ({@link BitmapRebuild}) and the settling of pending claims ({@link Reconciler}).
 */
public final class RedisVoterBitmap implements VoterBitmap {
  private final RedisNodes nodes;
  private final Claims claims;
  private final BitmapAdmin admin;
  private final BitmapRebuild rebuild;
  private final Reconciler reconciler;

  /**
   * Create on the event loop that will claim (the verticle's): claims from it leave in batches.
   *
   * @param vertx   the Vert.x instance
   * @param options the layout and where Redis is
   */
  public RedisVoterBitmap(Vertx vertx, BitmapOptions options) {
    this.nodes = new RedisNodes(vertx, options);
    this.claims = new Claims(vertx, options, nodes);
    this.admin = new BitmapAdmin(options, nodes);
    this.rebuild = new BitmapRebuild(options, nodes, admin);
    this.reconciler = new Reconciler(options, nodes);
  }

  @Override
  public Future<Void> connect() {
    return nodes.connect();
  }

  @Override
  public Future<Claim> claim(int poll, long user) {
    return claims.claim(poll, user);
  }

  @Override
  public Future<Boolean> release(int poll, long user) {
    return claims.release(poll, user);
  }

  @Override
  public void confirm(int poll, long user) {
    claims.confirm(poll, user);
  }

  @Override
  public Future<Void> doubt(int poll, long user) {
    return claims.doubt(poll, user);
  }

  @Override
  public Future<Reconciled> reconcile(VoteRecords records, long graceMs, int limit) {
    return reconciler.reconcile(records, graceMs, limit);
  }

  @Override
  public Future<Boolean> isClaimed(int poll, long user) {
    return claims.isClaimed(poll, user);
  }

  @Override
  public Future<Long> count(int poll) {
    return admin.count(poll);
  }

  @Override
  public Future<Long> clear(int poll) {
    return admin.clear(poll);
  }

  @Override
  public Future<Long> rebuild(int poll, VoterSource voters) {
    return rebuild.rebuild(poll, voters);
  }

  @Override
  public Future<Void> markComplete(int poll) {
    return admin.markComplete(poll);
  }

  @Override
  public Future<Long> rebuildIfLost(int poll, VoterSource voters) {
    return rebuild.rebuildIfLost(poll, voters);
  }

  @Override
  public Future<Void> ping() {
    return admin.ping();
  }

  @Override
  public Future<Void> close() {
    return nodes.close();
  }
}
