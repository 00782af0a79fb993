// The codec's public face: packet types, encode, the incremental Decoder, UTF-8 and reason texts.
export type * from "./packet.js";
export { encode } from "./encode.js";
export { Decoder, TOPIC_KEPT, type DecoderOptions, type SkippedPublish } from "./decoder.js";
export { Reason } from "./parse.js";
export { BytePool } from "./pool.js";
export { decodeUtf8, encodeUtf8, utf8Length } from "../../utf8.js";
export {
  CONNACK_REASONS,
  CONNACK_RETURN_CODES,
  REASON_TEXTS,
  REASONS_BY_PACKET,
  connackReasonCode,
  isReasonFor,
  reasonText,
} from "./reasons.js";
