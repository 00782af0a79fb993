import {
  CONNACK_REASONS,
  CONNACK_RETURN_CODES,
  REASON_TEXTS,
  REASONS_BY_PACKET,
  connackReasonCode,
  reasonText,
} from "../../src/mqtt/codec/index.js";

describe("reason codes", () => {
  test("every code any packet may carry has a sentence", () => {
    for (const codes of Object.values(REASONS_BY_PACKET)) {
      for (const code of codes) expect(typeof REASON_TEXTS[code]).toBe("string");
    }
  });

  test("CONNACK sentences cover exactly the CONNACK reason codes", () => {
    expect(Object.keys(CONNACK_REASONS).map(Number).sort((a, b) => a - b)).toEqual([...REASONS_BY_PACKET.connack]);
  });

  test("maps 3.1.1 return codes to the MQTT 5 reason codes that mean the same", () => {
    expect(Object.keys(CONNACK_RETURN_CODES)).toHaveLength(6);
    expect([0, 1, 2, 3, 4, 5, 6].map(connackReasonCode)).toEqual([0x00, 0x84, 0x85, 0x88, 0x86, 0x87, 0x80]);
  });

  test("gives a sentence for any code, naming an unknown one in hex", () => {
    expect(reasonText(0x86)).toBe("bad user name or password");
    expect(reasonText(0x07)).toBe("unknown reason code 0x07");
  });

  test("tables are frozen, so preloading keeps them in flash", () => {
    for (const table of [CONNACK_REASONS, CONNACK_RETURN_CODES, REASON_TEXTS, REASONS_BY_PACKET]) {
      expect(Object.isFrozen(table)).toBe(true);
    }
  });
});
