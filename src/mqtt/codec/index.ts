// The codec's public face: packet types, encode, the incremental Decoder, UTF-8 and reason texts.
export type * from "./packet.js";
export { decodeUtf8, encodeUtf8, utf8Length } from "./utf8.js";
