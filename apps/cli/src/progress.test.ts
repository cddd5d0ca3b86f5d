import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphiti, useFakes } from './__fixtures__/harness.js';

// runCli from the build, in this process, to give it a terminal: spawned tests have no TTY.
const { runCli } = (await import(
  resolve(import.meta.dirname, '../dist/run-cli.js')
)) as typeof import('./run-cli.js');

const world = useFakes();

describe('graphiti retry-queue on a terminal', () => {
  it('shows one progress line per item on stderr and clears it, then prints the summary', async () => {
    await Promise.all([world.cloud.stop(), world.local.stop()]);
    for (const prompt of ['one', 'two'])
      expect((await graphiti(['chat', prompt], { env: world.box.env })).code).toBe(1);
    await world.local.start();
    let stdout = '';
    let stderr = '';
    const code = await runCli(['retry-queue'], {
      env: { PATH: process.env.PATH, ...world.box.env },
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
      stderrIsTTY: true,
    });
    expect(code).toBe(0);
    const clear = '\r\u001b[2K'; // carriage return, erase the line
    const lines = stderr.split(clear);
    expect(lines[0]).toBe('');
    // each item is shown as it starts, then as it ends
    expect(lines[1]).toMatch(/^\[1\/2\] \S+ replaying chat…$/);
    expect(lines[2]).toMatch(/^\[1\/2\] \S+ done local gemma2:9b$/);
    expect(lines[3]).toMatch(/^\[2\/2\] \S+ replaying chat…$/);
    expect(lines[4]).toMatch(/^\[2\/2\] \S+ done local gemma2:9b$/);
    expect(lines.slice(5)).toEqual(['']); // cleared at the end
    expect(stdout).toContain('replayed 2 items: 2 done, 0 put back for later, 0 failed; 0 still pending');
  });
});
