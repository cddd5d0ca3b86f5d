/**
 * Filters an NDJSON byte stream so that only parseable JSON lines reach the `ollama` client: blank lines
 * are dropped and malformed lines are reported through `onMalformed` instead of the client's console.warn.
 * Chunks made only of whole valid lines pass through as the same bytes.
 */
export function guardNdjson(
  body: ReadableStream<Uint8Array>,
  onMalformed: (line: string) => void,
): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let buffer = '';

  const valid = (line: string): boolean => {
    if (line.trim() === '') return false;
    try {
      JSON.parse(line);
      return true;
    } catch {
      onMalformed(line);
      return false;
    }
  };

  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        const startedEmpty = buffer === '';
        buffer += decoder.decode(chunk, { stream: true });
        let start = 0;
        let kept = '';
        let dropped = false;
        for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n', start)) {
          const line = buffer.slice(start, end);
          start = end + 1;
          if (valid(line)) kept += `${line}\n`;
          else dropped = true;
        }
        const whole = start === buffer.length;
        buffer = buffer.slice(start);
        if (startedEmpty && whole && !dropped) controller.enqueue(chunk);
        else if (kept !== '') controller.enqueue(encoder.encode(kept));
      },
      flush(controller) {
        buffer += decoder.decode();
        if (buffer !== '' && valid(buffer)) controller.enqueue(encoder.encode(buffer));
      },
    }),
  );
}
