// An Ollama fake in its own process (the upstream of every target).
// Usage: node fake.mjs MODEL [KEY] [CHUNK_DELAY_MS]   (an empty KEY means none)
import { startOllamaFake } from '@graphiti/ollama-fake';

const [model, key, chunkDelay] = process.argv.slice(2);
const fake = await startOllamaFake({
  models: [model],
  chunks: 4,
  maxLoggedRequests: 10,
  chunkDelayMs: Number(chunkDelay ?? 0),
  ...(key ? { apiKey: key } : {}),
});
console.log(`listening on ${fake.url}`);
process.on('SIGTERM', () => fake.close().then(() => process.exit(0)));
