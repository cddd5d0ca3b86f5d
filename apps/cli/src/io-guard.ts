/**
 * Makes a closed pipe (`graphiti … | head -1`) end the process quietly: an EPIPE on stdout or stderr exits 0
 * at once, with nothing printed, the way command-line tools are expected to behave when the reader has gone.
 * Any other stream error is reported once on stderr (if it still works) and exits 1.
 */
export function exitQuietlyOnClosedPipe(
  streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr],
): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') process.exit(0);
      try {
        process.stderr.write(`graphiti: cannot write output: ${error.message}\n`);
      } finally {
        process.exit(1);
      }
    });
  }
}

/** A writer that drops its text once the stream is closed (after an EPIPE the process is exiting anyway). */
export function safeWriter(stream: NodeJS.WriteStream): (text: string) => void {
  return (text) => {
    if (stream.destroyed || stream.writableEnded) return;
    stream.write(text);
  };
}
