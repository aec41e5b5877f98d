// @onekey/sdk/crypto — client-side envelope encryption and key wrapping.
export {
  encryptRecord, decryptRecord, parseBundle, deriveFieldKey, fieldKeysFor, fieldMaskOf, fieldsOfMask, SCHEME_ENVELOPE_V1,
  type EncryptRecordParameters, type EncryptedRecord, type DecryptRecordParameters, type Manifest, type ManifestField,
  type FieldValue, type KeyReleaseMode, type ParsedBundle,
} from "./record.ts";
export {
  wrapKeys, unwrapKeys, unwrapKeysWith, localKeyAgreement, type KeyAgreement, wrappedLength, grantContext, reviewKeyContext, splitProjectWrap, type PublicKeyInput, type PrivateKeyInput,
} from "./wrap.ts";
export {
  aesGcmEncrypt, aesGcmDecrypt, hkdf, x25519, x25519PublicKey, generateX25519KeyPair, importX25519PrivateKey, hasWebCryptoX25519, randomKey,
  type X25519KeyPair, type X25519Private,
} from "./primitives.ts";
export { WebCryptoUnavailableError } from "./webcrypto.ts";
export {
  envelopeKeyRelease, keyReleaseModeName, assertMode, granteeKeyOf, rewrapKeys, wrapReviewKey, unwrapReviewKey, KeyReleaseModes,
  type KeyRelease, type KeyReleaseModeName, type GranteeRef, type SealKeysParameters, type OpenKeysParameters,
  type EnvelopeKeyReleaseParameters, type WrapReviewKeyParameters, type UnwrapReviewKeyParameters,
} from "./release.ts";
export { sha256Hex, toHex, fromHex, equalBytes } from "./bytes.ts";
export * from "./errors.ts";
