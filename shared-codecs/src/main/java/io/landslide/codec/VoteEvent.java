package io.landslide.codec;

import java.util.Arrays;

/**
 * One accepted vote, as the edge hands it to Kafka and the writer stores it.
 *
 * @param pollId        the poll (positive)
 * @param userId        the voter's index, 1 to 4,294,967,295 (its bit in the poll's bitmap)
 * @param option        the chosen option id, 0 to 65,535
 * @param acceptedAt    when the edge accepted it, epoch milliseconds
 * @param receipt       the receipt handed to the voter
 * @param clientAddress the client's IP address: 4 bytes (IPv4), 16 bytes (IPv6) or empty when unknown
 * @param botScore      abuse score 0 to {@value VoteEventDescriptor#MAX_BOT_SCORE}; 0 = not scored
 */
public record VoteEvent(int pollId, long userId, int option, long acceptedAt, Receipt receipt,
                        byte[] clientAddress, int botScore) {

  /** Validates the fields, so an event that exists can always be encoded. */
  public VoteEvent {
    if (pollId <= 0) throw new IllegalArgumentException("pollId must be positive: " + pollId);
    if (userId < UserIds.MIN || userId > UserIds.MAX) throw new IllegalArgumentException("userId out of range: " + userId);
    if (option < 0 || option > 0xFFFF) throw new IllegalArgumentException("option out of range: " + option);
    if (receipt == null) throw new IllegalArgumentException("receipt is required");
    if (clientAddress == null) clientAddress = new byte[0];
    int n = clientAddress.length;
    if (n != 0 && n != 4 && n != 16) throw new IllegalArgumentException("clientAddress must be 0, 4 or 16 bytes: " + n);
    if (botScore < 0 || botScore > VoteEventDescriptor.MAX_BOT_SCORE) throw new IllegalArgumentException("botScore out of range: " + botScore);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VoteEvent v && pollId == v.pollId && userId == v.userId && option == v.option
      && acceptedAt == v.acceptedAt && receipt.equals(v.receipt) && Arrays.equals(clientAddress, v.clientAddress)
      && botScore == v.botScore;
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Integer.hashCode(pollId) + Long.hashCode(userId)) + receipt.hashCode();
  }

  @Override
  public String toString() {
    return "VoteEvent[poll=" + pollId + ", user=" + userId + ", option=" + option + ", receipt=" + receipt + "]";
  }
}
