/**
 * The router's typed events (contract B), declared structurally so the gateway compiles against a router
 * that does not export them yet. Metrics are fed from these, never from log lines.
 */
export type RouterEvent =
  | {
      readonly type: 'attempt';
      readonly callId?: string;
      readonly operation: string;
      readonly provider: string;
      readonly model: string;
      readonly outcome: string;
      readonly status?: number | string;
      readonly firstChunkMs?: number;
      readonly totalMs: number;
    }
  | {
      readonly type: 'failover';
      readonly callId?: string;
      readonly from_provider: string;
      readonly to_provider: string;
      readonly reason: string;
      readonly error_code: number | string;
      readonly model: string;
      readonly to_model?: string;
    }
  | {
      readonly type: 'cooldown';
      readonly scope: 'cloud' | 'model';
      readonly model?: string;
      readonly until: number;
      readonly reason: string;
      readonly window?: string;
    }
  | {
      readonly type: 'answered';
      readonly callId?: string;
      readonly operation: string;
      readonly provider: string;
      readonly model: string;
      readonly stream: boolean;
      readonly upstreamFirstChunkMs?: number;
      readonly upstreamTotalMs?: number;
    }
  | {
      readonly type: 'queued';
      readonly callId?: string;
      readonly requestId: string;
      readonly operation: string;
      readonly model: string;
    }
  | {
      readonly type: 'not_queued';
      readonly callId?: string;
      readonly operation: string;
      readonly error_code: string;
    };
