import type { LlmConfig } from '@graphiti/llm-config';
import type { Router } from '@graphiti/llm-router';
import { type CallReporter, createCallReporter, servedLine } from './call-reporter.js';
import { createCliLogger } from './context.js';
import type { CliIo } from './io.js';

/** What a data verb works with: the router, the reporter following the call, and a way to name who served. */
export interface RouterSession {
  readonly router: Router;
  readonly reporter: CallReporter;
  /** Whether the storage opened (without it nothing can be queued). */
  readonly storage: boolean;
  /** Prints the one `served by …` line on stderr (with the fallback's reason and cooldown, if any). */
  served(provider: string, model: string, extra?: string): Promise<void>;
}

/** The error's text with any password in a URL (`postgres://user:secret@host`) masked. */
function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)[^@\s]+@/gi, '$1***@');
}

/**
 * Opens a router for one data verb and runs `work`. The storage holds the queue and the cooldown; when it
 * does not open, the verb still answers (a warning says that nothing could be queued) with a router that keeps
 * its cooldown in GRAPHITI_HOME's state file.
 */
export async function withRouterSession<T>(
  io: CliIo,
  config: LlmConfig,
  work: (session: RouterSession) => Promise<T>,
): Promise<T> {
  const reporter = createCallReporter({
    stderr: io.stderr,
    tty: io.stderrIsTTY === true,
    retry: config.retry,
  });
  const logger = createCliLogger(io, config, {
    quiet: true,
    onRecord: (record) => reporter.onRecord(record),
    claimed: (record) => reporter.claimed(record),
  });
  const onEvent = (event: unknown): void => reporter.onEvent(event);
  const { openRuntime } = await import('@graphiti/server');
  let router: Router;
  let close: () => Promise<void>;
  let storage = true;
  const warn = (why: string): void => {
    storage = false;
    io.stderr(
      `graphiti: warning: the storage (storage.url) does not open: ${errorText(why)}. Answering without it: if neither cloud nor local can answer, nothing can be queued.\n`,
    );
  };
  try {
    const runtime = await openRuntime({ config, logger, onEvent });
    router = runtime.router;
    close = () => runtime.close();
    // a runtime may stand in for a storage that did not open (it retries later): say so now
    const deferred = runtime.storage as { current?: unknown; lastError?: unknown };
    if ('current' in deferred && deferred.current === undefined && typeof deferred.lastError === 'string')
      warn(deferred.lastError);
  } catch (error) {
    warn(errorText(error));
    const { createRouter } = await import('@graphiti/llm-router');
    const home = io.env.GRAPHITI_HOME;
    router = createRouter({
      config,
      logger,
      ...(home === undefined || home === '' ? {} : { stateDir: home }),
      ...({ onEvent } as object),
    });
    close = () => router.close();
  }
  const session: RouterSession = {
    router,
    reporter,
    storage,
    async served(provider, model, extra = '') {
      const cooldown = await router.cooldown().catch(() => undefined);
      const line = servedLine(provider, model, {
        fallbacks: reporter.fallbacks,
        cooldown,
        cloudConfigured: config.cloud.api_key !== undefined,
      });
      io.stderr(extra === '' ? line : line.replace(/\n$/, `${extra}\n`));
    },
  };
  try {
    return await work(session);
  } finally {
    reporter.settle();
    await close();
  }
}
