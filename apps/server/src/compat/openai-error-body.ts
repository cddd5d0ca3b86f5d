import type { ErrorReply } from '../exchange.js';

function openAiType(status: number): string {
  if (status === 400 || status === 413) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 404) return 'not_found_error';
  return 'api_error';
}

/** The OpenAI-shaped error body: `{"error": {"message", "type", "param", "code"}}` (plus `request_id`). */
export function openAiErrorBody(
  status: number,
  message: string,
  code: string | null,
  requestId?: string,
): Record<string, unknown> {
  return {
    error: {
      message,
      type: openAiType(status),
      param: null,
      code,
      ...(requestId === undefined ? {} : { request_id: requestId }),
    },
  };
}

/** A gateway error reply as an OpenAI error body. */
export function openAiErrorReply(reply: ErrorReply): Record<string, unknown> {
  return openAiErrorBody(reply.status, reply.message, reply.code, reply.requestId);
}
