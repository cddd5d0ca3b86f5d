// Runs every README example marked `<!-- example: tested -->` (the line right before a ```ts block) against the
// fakes, and checks that the README's install line names every package the example imports.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeWorld, startFakeWorld } from './fakes.js';

const root = resolve(import.meta.dirname, '../..');
const blocksDir = join(import.meta.dirname, 'readme-blocks');
const MARKER = '<!-- example: tested -->';

interface Block {
  readonly file: string;
  readonly line: number;
  readonly code: string;
  /** Packages named by `npm install` lines of the same README. */
  readonly installed: readonly string[];
}

function readmes(): string[] {
  const files = [join(root, 'README.md'), join(root, 'examples', 'README.md')];
  for (const dir of readdirSync(join(root, 'packages'))) files.push(join(root, 'packages', dir, 'README.md'));
  return files.filter((file) => existsSync(file));
}

/** The tested blocks of one README. */
export function extractBlocks(file: string, text: string): Block[] {
  const installed = [...text.matchAll(/npm install ([^\n`]+)/g)].flatMap((m) =>
    (m[1] ?? '').split(/\s+/).filter((word) => word !== '' && !word.startsWith('-')),
  );
  const lines = text.split('\n');
  const blocks: Block[] = [];
  lines.forEach((line, index) => {
    if (line.trim() !== MARKER) return;
    const fence = lines[index + 1]?.trim();
    if (fence !== '```ts' && fence !== '```typescript')
      throw new Error(`${file}:${index + 1}: ${MARKER} must be followed by a \`\`\`ts block`);
    const end = lines.findIndex((l, i) => i > index + 1 && l.trim() === '```');
    if (end === -1) throw new Error(`${file}:${index + 2}: the block is not closed`);
    blocks.push({ file, line: index + 2, code: lines.slice(index + 2, end).join('\n'), installed });
  });
  return blocks;
}

/** Bare package names a block imports (`@scope/name` or `name`), node: built-ins left out. */
export function importedPackages(code: string): string[] {
  const names = [...code.matchAll(/\bfrom\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => (m[1] ?? m[2]) as string,
  );
  return [
    ...new Set(
      names
        .filter((name) => !name.startsWith('node:') && !name.startsWith('.'))
        .map((name) =>
          name
            .split('/')
            .slice(0, name.startsWith('@') ? 2 : 1)
            .join('/'),
        ),
    ),
  ];
}

const blocks = readmes().flatMap((file) => extractBlocks(file, readFileSync(file, 'utf8')));
let world: FakeWorld;
const savedEnv = { ...process.env };

beforeAll(async () => {
  world = await startFakeWorld();
  rmSync(blocksDir, { recursive: true, force: true });
  mkdirSync(blocksDir, { recursive: true });
});
afterAll(async () => {
  process.env = savedEnv;
  rmSync(blocksDir, { recursive: true, force: true });
  await world.close();
});

describe('README examples marked tested', () => {
  it('include at least the root README example', () => {
    expect(blocks.some((block) => block.file === join(root, 'README.md'))).toBe(true);
  });

  for (const [index, block] of blocks.entries()) {
    const where = `${relative(root, block.file)}:${block.line}`;
    it(`${where} names every package it imports in its install line`, () => {
      const missing = importedPackages(block.code).filter((name) => !block.installed.includes(name));
      expect(missing, `${where}: add these to the README's npm install line`).toEqual([]);
    });
    it(`${where} runs against the fakes`, async () => {
      const file = join(blocksDir, `block-${index}.ts`);
      writeFileSync(file, `${block.code}\nexport {};\n`);
      // the example reads its configuration as a user's program would: from the environment
      process.env = { ...savedEnv, ...world.env, LOG_LEVEL: 'silent' };
      await import(file);
    });
  }
});
