import { randomFillSync } from 'node:crypto';

const hex: string[] = Array.from({ length: 256 }, (_, index) => index.toString(16).padStart(2, '0'));

/**
 * Returns a generator of UUID version 7 strings: time-ordered (48-bit millisecond timestamp) and
 * strictly increasing within one process, so ids sort like their creation order.
 */
export function createIdGenerator(): (nowMs: number) => string {
  let lastMs = 0;
  let counter = 0;
  const bytes = Buffer.alloc(16);
  return (nowMs: number): string => {
    let ms = Math.max(Math.floor(nowMs), lastMs);
    if (ms === lastMs) {
      counter++;
      if (counter > 0xfff) {
        ms++;
        counter = 0;
      }
    } else {
      counter = 0;
    }
    lastMs = ms;
    randomFillSync(bytes, 8, 8);
    bytes.writeUIntBE(ms, 0, 6);
    bytes[6] = 0x70 | (counter >> 8);
    bytes[7] = counter & 0xff;
    bytes[8] = 0x80 | (bytes[8]! & 0x3f);
    let out = '';
    for (let index = 0; index < 16; index++) {
      if (index === 4 || index === 6 || index === 8 || index === 10) out += '-';
      out += hex[bytes[index]!];
    }
    return out;
  };
}
