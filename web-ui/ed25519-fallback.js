/* ed25519-fallback.js: Ed25519 and SHA-256 for the consumer page where WebCrypto cannot do
 * them (browsers without WebCrypto Ed25519, and any page served over plain http on a LAN
 * address, where crypto.subtle does not exist).  An ES module, imported by consumer.js only
 * when needed, so the first view of a capable browser never loads it.  The libraries are
 * noble's (npm @noble/ed25519, @noble/hashes), vendored under vendor/ and embedded in the
 * station at build time. */
import * as ed from './vendor/noble-ed25519/index.js';
import { sha256 as nobleSha256, sha512 } from './vendor/noble-hashes/sha2.js';

ed.hashes.sha512 = sha512;

/* RFC 8032 verification, as WebCrypto does it (not ZIP-215's looser rules). */
export function verify(publicKey, signature, message) {
  return ed.verify(signature, message, publicKey, { zip215: false });
}

export function sha256(bytes) {
  return nobleSha256(bytes).slice().buffer;
}
