import type { FailureReason, Logger, Operation, ProviderName } from './types.js';

/**
 * What the router did, as typed events (`createRouter({ onEvent })`). Logs and metrics are both fed from
 * these: `failover` is logged as `llm_failover`, `cooldown` as `llm_cooldown_started`, `queued` as
 * `llm_request_queued`, `not_queued` as `llm_request_not_queued`.
 */
export type RouterEvent =
  | {
      readonly type: 'attempt';
      readonly callId?: string;
      readonly operation: Operation;
      readonly provider: ProviderName;
      readonly model: string;
      readonly outcome: 'ok' | FailureReason | 'bad_request';
      readonly status?: number | string;
      readonly firstChunkMs?: number;
      readonly totalMs: number;
    }
  | {
      readonly type: 'failover';
      readonly callId?: string;
      readonly from_provider: ProviderName;
      readonly to_provider: ProviderName | 'queue';
      readonly reason: FailureReason;
      readonly error_code: number | string;
      readonly model: string;
      readonly to_model?: string;
      /** HTTP attempts the provider/model got. */
      readonly attempts?: number;
      /** What the provider said (secrets scrubbed). */
      readonly message?: string;
    }
  | {
      readonly type: 'cooldown';
      readonly scope: 'cloud' | 'model';
      readonly model?: string;
      /** Epoch ms. */
      readonly until: number;
      readonly reason: string;
      readonly window?: string;
      readonly status?: number;
    }
  | {
      readonly type: 'answered';
      readonly callId?: string;
      readonly operation: Operation;
      readonly provider: ProviderName;
      readonly model: string;
      readonly stream: boolean;
      readonly upstreamFirstChunkMs?: number;
      readonly upstreamTotalMs?: number;
    }
  | {
      readonly type: 'queued';
      readonly callId?: string;
      readonly requestId: string;
      readonly operation: Operation;
      readonly model: string;
      readonly reason?: FailureReason | 'bad_request';
      readonly error_code?: number | string;
    }
  | {
      readonly type: 'not_queued';
      readonly callId?: string;
      readonly operation: Operation;
      readonly error_code: string;
      readonly error?: string;
    };

/** Receives every router event. */
export type RouterEventListener = (event: RouterEvent) => void;

/** Emits one event: to the caller's listener (its errors never reach the request) and to the log. */
export type Emit = (event: RouterEvent) => void;

/**
 * The router's event sink: calls `onEvent`, then writes the log lines that ARCHITECTURE names from the same
 * event. `attempt` and `answered` are not logged (they are per request; metrics read them).
 */
export function createEmitter(options: {
  readonly onEvent?: RouterEventListener | undefined;
  readonly logger?: Logger | undefined;
  readonly failoverEvents: boolean;
}): Emit {
  const { onEvent, logger, failoverEvents } = options;
  return (event) => {
    if (onEvent !== undefined) {
      try {
        onEvent(event);
      } catch (error) {
        logger?.warn({ event: 'llm_event_listener_failed', error: String(error) }, 'onEvent threw.');
      }
    }
    if (logger === undefined) return;
    switch (event.type) {
      case 'failover': {
        if (!failoverEvents) return;
        const { type: _type, ...fields } = event;
        logger.warn({ event: 'llm_failover', ...fields }, 'llm_failover');
        return;
      }
      case 'cooldown':
        logger.warn(
          {
            event: 'llm_cooldown_started',
            provider: 'cloud',
            scope: event.scope,
            ...(event.model === undefined ? {} : { model: event.model }),
            until: new Date(event.until).toISOString(),
            reason: event.reason,
            ...(event.window === undefined ? {} : { window: event.window }),
            ...(event.status === undefined ? {} : { status: event.status }),
          },
          'llm_cooldown_started',
        );
        return;
      case 'queued':
        logger.warn(
          {
            event: 'llm_request_queued',
            ...(event.callId === undefined ? {} : { call_id: event.callId }),
            request_id: event.requestId,
            operation: event.operation,
            model: event.model,
            reason: event.reason,
            error_code: event.error_code,
          },
          'llm_request_queued',
        );
        return;
      case 'not_queued':
        logger.warn(
          {
            event: 'llm_request_not_queued',
            operation: event.operation,
            error_code: event.error_code,
            ...(event.error === undefined ? {} : { error: event.error }),
          },
          'llm_request_not_queued',
        );
        return;
      default:
        return;
    }
  };
}
