package io.landslide.dedup.impl;

import io.landslide.dedup.BitmapOptions;
import io.landslide.dedup.VoterSource;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.List;
import java.util.UUID;

/**
 * Restores a poll's bits from a {@link VoterSource} after Redis lost data. The source streams users in key order,
 * so one chunk's image is in memory at a time; each finished chunk is written to a temporary key and OR-ed into
 * the live one, so bits set meanwhile by voters are kept. A batch's chunks are pipelined; the source's next
 * batch waits for them.
 *
 * <p>The temporary key ({@link BitmapOptions#rebuildKey}) carries the chunk's key as its hash tag: in a cluster it
 * sits in the chunk's slot, so {@code SET tmp; BITOP OR live live tmp; DEL tmp} run on the chunk's master, in one
 * pipelined write; the three are idempotent as a group, so a redirect sends them again whole. The temporary key
 * expires by itself should a rebuild die between its SET and its DEL. The lock is one key on its own slot.
 */
final class BitmapRebuild {
  private static final long REBUILD_LOCK_MS = 120_000;
  private static final long TEMP_KEY_MS = 600_000;

  private final BitmapOptions options;
  private final RedisNodes nodes;
  private final BitmapAdmin admin;

  /**
   * @param options the key layout
   * @param nodes   the servers
   * @param admin   the sentinel
   */
  BitmapRebuild(BitmapOptions options, RedisNodes nodes, BitmapAdmin admin) {
    this.options = options;
    this.nodes = nodes;
    this.admin = admin;
  }

  /** See {@link io.landslide.dedup.VoterBitmap#rebuild}. */
  Future<Long> rebuild(int poll, VoterSource voters) {
    Run run = new Run(poll, UUID.randomUUID().toString());
    return voters.forEachBatch(poll, run::accept).compose(v -> run.finish());
  }

  /** See {@link io.landslide.dedup.VoterBitmap#rebuildIfLost}. */
  Future<Long> rebuildIfLost(int poll, VoterSource voters) {
    String lock = options.prefix() + "rebuilding:" + poll;
    return admin.isComplete(poll).compose(complete -> {
      if (complete) return Future.succeededFuture(-1L);
      return nodes.withTimeout(nodes.send(lock, Request.cmd(Command.SET).arg(lock).arg("1").arg("NX").arg("PX").arg(REBUILD_LOCK_MS)))
        .compose(locked -> {
          if (locked == null) return Future.succeededFuture(-1L); // another edge is on it
          return rebuild(poll, voters).compose(users -> admin.markComplete(poll).map(users))
            .eventually(() -> nodes.send(lock, Request.cmd(Command.DEL).arg(lock)));
        });
    });
  }

  /** One rebuild of one poll: the chunk being filled; its id names the temporary keys its images pass through. */
  private final class Run {
    final int poll;
    final String id;
    final ChunkImages images = new ChunkImages(options.chunkBits());

    Run(int poll, String id) {
      this.poll = poll;
      this.id = id;
    }

    /** The source's sink: fills images, writes each finished one; done when this batch's writes are. */
    Future<Void> accept(long[] users) {
      Future<Void> written = Future.succeededFuture();
      for (long user : users) {
        ChunkImages.Image done = images.add(user);
        if (done != null) {
          Future<Void> prev = written;
          Future<Void> w = write(done);
          written = prev.compose(v -> w);
        }
      }
      return written;
    }

    /** @return writes the last image; the number of users read */
    Future<Long> finish() {
      ChunkImages.Image last = images.finish();
      Future<Void> written = last == null ? Future.succeededFuture() : write(last);
      return written.map(v -> images.users());
    }

    private Future<Void> write(ChunkImages.Image image) {
      String live = options.chunkKey(poll, image.chunk());
      String tmp = options.rebuildKey(poll, image.chunk(), id);
      return nodes.batch(live, List.of(Request.cmd(Command.SET).arg(tmp).arg(Buffer.buffer(image.bits())).arg("PX").arg(TEMP_KEY_MS),
        Request.cmd(Command.BITOP).arg("OR").arg(live).arg(live).arg(tmp),
        Request.cmd(Command.DEL).arg(tmp))).mapEmpty();
    }
  }
}
