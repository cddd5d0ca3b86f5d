// Scaffolds packages/<dir> with the shared package layout. Usage: node scripts/new-package.mjs <dir> "<description>"
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, description = ''] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node scripts/new-package.mjs <dir> "<description>"');
  process.exit(2);
}
const root = join('packages', dir);
mkdirSync(join(root, 'src'), { recursive: true });
const write = (file, text) => {
  if (!existsSync(join(root, file))) writeFileSync(join(root, file), text);
};
write(
  'package.json',
  `${JSON.stringify(
    {
      name: `@graphiti/${dir}`,
      version: '0.1.0',
      description,
      license: 'MIT',
      type: 'module',
      sideEffects: false,
      exports: {
        '.': { types: './dist/index.d.ts', import: './dist/index.js' },
        './package.json': './package.json',
      },
      files: ['dist', '!dist/**/*.test.*', '!dist/**/__fixtures__'],
      engines: { node: '>=20.18.1' },
      publishConfig: { access: 'public' },
      repository: { type: 'git', url: 'git+https://example.invalid/graphiti-llm.git', directory: root },
      scripts: {
        build: 'tsc -p tsconfig.build.json',
        typecheck: 'tsc -p tsconfig.json --noEmit',
        test: 'vitest run --reporter=default --reporter=json --outputFile.json=.vitest-report.json',
        clean: 'rm -rf dist .turbo .vitest-report.json',
      },
      dependencies: {},
      devDependencies: {},
    },
    null,
    2,
  )}\n`,
);
write(
  'tsconfig.json',
  `{\n  "extends": "../../tsconfig.base.json",\n  "compilerOptions": { "noEmit": true },\n  "include": ["src"]\n}\n`,
);
write(
  'tsconfig.build.json',
  `{\n  "extends": "../../tsconfig.base.json",\n  "compilerOptions": { "rootDir": "src", "outDir": "dist" },\n  "include": ["src"],\n  "exclude": ["src/**/*.test.ts", "src/**/__fixtures__", "src/**/*.test-d.ts"]\n}\n`,
);
write('src/index.ts', `export {};\n`);
write('README.md', `# @graphiti/${dir}\n\n${description}\n`);
