// Test-only helper: the two fakes, routers on them, and what every router test checks after each test.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage, type Storage, type StorageOptions } from '@graphiti/llm-queue';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { createRouter, type Router, type RouterOptions } from '../create-router.js';
import type { RouterEvent } from '../events.js';
import { API_KEY, type CapturedLog, captureLog, type Fakes, startFakes, testConfig } from './harness.js';

/** Options of {@link useRouterFixture}. */
export interface RouterFixtureOptions {
  /** The cloud fake's models, set again before each test. @default ['gpt-oss:120b', 'nomic-embed-text'] */
  readonly cloudModels?: readonly string[];
}

/** What a test file gets from {@link useRouterFixture}. Each member may be destructured at the top level. */
export interface RouterFixture {
  /** The cloud and local fakes, reset (faults, request log, models) before each test. */
  readonly fakes: Fakes;
  /** The current test's log: a real pino logger writing JSON lines into memory. */
  readonly log: CapturedLog;
  /** Every event the routers made by {@link RouterFixture.make} emitted in the current test. */
  readonly events: RouterEvent[];
  /** The current test's temporary folder (the routers' `stateDir`), removed after it. */
  readonly directory: string;
  /** A router on the two fakes (see testConfig), logging to `log` and recording `events`; closed after the test. */
  make(patch?: Parameters<typeof testConfig>[2], extra?: Partial<RouterOptions>): Router;
  /** Closes this router (made some other way) after the test. */
  closeLater(router: Router): void;
  /** A queue storage on the SQLite file `queue.db` in the test's folder; closed after the test. */
  openQueue(options?: StorageOptions): Promise<Storage>;
}

const localModels = ['gemma2:9b', 'llama3.2:3b', 'nomic-embed-text'];

/**
 * Registers the file's hooks: the fakes start once, everything else is fresh per test. After each test it
 * closes the routers and checks what must hold whatever a test did: the API key is in no log line and no
 * event, and the local server never got an Authorization header.
 */
export function useRouterFixture(options: RouterFixtureOptions = {}): RouterFixture {
  const cloudModels = [...(options.cloudModels ?? ['gpt-oss:120b', 'nomic-embed-text'])];
  let started: Fakes | undefined;
  let current: { log: CapturedLog; directory: string } | undefined;
  const events: RouterEvent[] = [];
  let routers: Router[] = [];
  let storages: Storage[] = [];

  const inTest = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} exists only inside a test`);
    return value;
  };
  const fakes: Fakes = {
    get cloud() {
      return inTest(started, 'the cloud fake').cloud;
    },
    get local() {
      return inTest(started, 'the local fake').local;
    },
    close: async () => inTest(started, 'the fakes').close(),
  };
  const log: CapturedLog = {
    get logger() {
      return inTest(current, 'the log').log.logger;
    },
    text: () => inTest(current, 'the log').log.text(),
    lines: () => inTest(current, 'the log').log.lines(),
    events: (name) => inTest(current, 'the log').log.events(name),
  };

  beforeAll(async () => {
    started = await startFakes();
  });
  afterAll(async () => {
    await started?.close();
  });
  beforeEach(async () => {
    fakes.cloud.reset();
    fakes.local.reset();
    fakes.local.setModels(localModels);
    fakes.cloud.setModels(cloudModels);
    events.length = 0;
    current = { log: captureLog(), directory: await mkdtemp(join(tmpdir(), 'llm-router-')) };
  });
  afterEach(async () => {
    await Promise.all(routers.map((router) => router.close()));
    routers = [];
    await Promise.all(storages.map((storage) => storage.close()));
    storages = [];
    // the key never shows up in any log line or event, whatever the test did
    expect(log.text()).not.toContain(API_KEY);
    expect(JSON.stringify(events)).not.toContain(API_KEY);
    // the local server never gets the cloud key
    expect(fakes.local.requests.filter((request) => request.headers.authorization !== undefined)).toEqual([]);
    await rm(inTest(current, 'the folder').directory, { recursive: true, force: true });
  });

  return {
    fakes,
    log,
    events,
    get directory() {
      return inTest(current, 'the folder').directory;
    },
    make(patch, extra) {
      const test = inTest(current, 'a router');
      const router = createRouter({
        config: testConfig(fakes.cloud, fakes.local, patch),
        logger: test.log.logger,
        stateDir: test.directory,
        // a router left over from an earlier test does not add to this test's events
        onEvent: (event) => {
          if (current === test) events.push(event);
        },
        ...extra,
      });
      routers.push(router);
      return router;
    },
    closeLater(router) {
      routers.push(router);
    },
    async openQueue(storageOptions) {
      const directory = inTest(current, 'a queue').directory;
      const storage = await openStorage(`sqlite:${join(directory, 'queue.db')}`, storageOptions);
      storages.push(storage);
      return storage;
    },
  };
}

/** The rejection of `promise`; fails when it resolves. */
export async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
