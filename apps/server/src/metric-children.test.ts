import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { cachedChildren } from './metric-children.js';

describe('cachedChildren', () => {
  it('hands out one child per label values, counting into the right series, and stays bounded', async () => {
    const registry = new Registry();
    const counter = new Counter({
      name: 't_total',
      help: 't',
      labelNames: ['a', 'b'],
      registers: [registry],
    });
    let made = 0;
    const series = cachedChildren((a, b) => {
      made++;
      return counter.labels(a, b);
    }, 3);
    series('x', 'y').inc();
    series('x', 'y').inc();
    series('x', 'z').inc();
    // values that would collide if joined naively stay apart
    series('x\u0001', 'y').inc();
    expect(made).toBe(3);
    series('p', 'q').inc(); // the fourth distinct pair starts the cache over
    series('x', 'y').inc();
    expect(made).toBe(5);
    const text = await registry.metrics();
    expect(text).toContain('t_total{a="x",b="y"} 3');
    expect(text).toContain('t_total{a="x",b="z"} 1');
    expect(text).toContain('t_total{a="p",b="q"} 1');
  });
});
