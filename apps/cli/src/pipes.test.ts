import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bin, useFakes } from './__fixtures__/harness.js';

const world = useFakes();

/**
 * Runs `graphiti …args | reader` in bash, as a user types it, and returns graphiti's own exit status
 * (PIPESTATUS[0]) and what it wrote on stderr.
 */
function piped(
  args: readonly string[],
  reader: string,
  env: Record<string, string>,
): Promise<{ status: number; stderr: string }> {
  const quoted = args.map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `"${process.execPath}" "${bin}" ${quoted} 2>"$ERRFILE" | ${reader}; echo "\${PIPESTATUS[0]}"`;
  return new Promise((resolve, reject) => {
    const errFile = `${world.box.home}/stderr-${Math.random().toString(36).slice(2)}`;
    const child = spawn('bash', ['-c', `${script}; cat "$ERRFILE" >&2`], {
      env: { PATH: process.env.PATH ?? '', ...env, ERRFILE: errFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      out += text;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      err += text;
    });
    child.on('error', reject);
    child.on('close', () => resolve({ status: Number(out.trim().split('\n').at(-1)), stderr: err }));
  });
}

const verbs: readonly (readonly string[])[] = [
  ['--help'],
  ['--version'],
  ['config', 'show'],
  ['config', 'show', '--json'],
  ['health'],
  ['quota'],
  ['quota', '--json'],
  ['queue', 'list'],
  ['queue', 'list', '--json'],
  ['retry-queue', '--json'],
  ['chat', 'hello there'],
  ['generate', '--json', 'hello'],
  ['embed', '--json', 'a', 'b'],
];

describe('output into a closed pipe', () => {
  // `true` exits without reading: the first write meets a closed pipe (EPIPE)
  for (const args of verbs) {
    it(`graphiti ${args.join(' ')} | true ends quietly`, async () => {
      const run = await piped(args, 'true', world.box.env);
      expect([0, 141]).toContain(run.status);
      expect(run.stderr).not.toMatch(/EPIPE|Unhandled|Error:|at .*\.js:\d+/);
    });
  }

  it('graphiti config show | head -1 prints one line and ends quietly', async () => {
    const run = await piped(['config', 'show'], 'head -1 >/dev/null', world.box.env);
    expect([0, 141]).toContain(run.status);
    expect(run.stderr).not.toMatch(/EPIPE|Unhandled/);
  });
});
