/** An SSE `data:` event (OpenAI chat completions and completions). */
export function sseData(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

/** A named SSE event (`event: <type>` then `data:`), as the Anthropic and Responses streams send them. */
export function sseEvent(type: string, value: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(value)}\n\n`;
}
