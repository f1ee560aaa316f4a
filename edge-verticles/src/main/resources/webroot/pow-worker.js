// Proof of work, off the main thread: the first decimal nonce such that SHA-256(prefix + nonce) starts with
// `difficulty` zero bits (shared/api-contract.md). The page's thread stays free while it runs.
self.onmessage = async e => {
  const {prefix, difficulty} = e.data;
  const encoder = new TextEncoder();
  for (let nonce = 0; ; nonce++) {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(prefix + nonce)));
    if (leadingZeroBits(digest) >= difficulty) {
      self.postMessage({nonce: String(nonce)});
      return;
    }
  }
};

function leadingZeroBits(bytes) {
  let bits = 0;
  for (const b of bytes) {
    if (b === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(b) - 24;
  }
  return bits;
}
