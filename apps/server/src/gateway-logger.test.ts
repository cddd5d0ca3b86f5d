import { describe, expect, it } from 'vitest';
import { createGatewayLogger } from './gateway-logger.js';

describe('createGatewayLogger', () => {
  it('writes human lines on a TTY and JSON lines off one, with credentials redacted', () => {
    const human: string[] = [];
    const json: string[] = [];
    const fields = { event: 'llm_failover', reason: 'rate_limit', authorization: 'Bearer s3cret-value' };
    createGatewayLogger({ level: 'info', tty: true, write: (line) => human.push(line) }).warn(
      fields,
      'cloud 429',
    );
    createGatewayLogger({ level: 'info', tty: false, write: (line) => json.push(line) }).warn(
      fields,
      'cloud 429',
    );
    expect(human[0]).toMatch(
      /^\d\d:\d\d:\d\d WARN {2}llm_failover: cloud 429 reason=rate_limit authorization=\[redacted\]\n$/,
    );
    expect(JSON.parse(json[0] as string)).toMatchObject({
      level: 40,
      event: 'llm_failover',
      msg: 'cloud 429',
    });
    expect(json.join('') + human.join('')).not.toContain('s3cret-value');
  });

  it('honours the level', () => {
    const lines: string[] = [];
    const logger = createGatewayLogger({ level: 'warn', tty: false, write: (line) => lines.push(line) });
    logger.info({ event: 'quiet' }, 'quiet');
    expect(lines).toEqual([]);
  });
});
