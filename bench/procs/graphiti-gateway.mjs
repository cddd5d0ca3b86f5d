// The graphiti gateway on its default configuration but for the endpoints and the storage file.
// Usage: node graphiti-gateway.mjs CLOUD_URL KEY LOCAL_URL DB_PATH SYNCHRONOUS(full|normal)
import { loadConfig } from '@graphiti/llm-config';
import { startGateway } from '@graphiti/server';

const [cloud, key, local, db, synchronous] = process.argv.slice(2);
const config = loadConfig({
  path: `${db}.absent.toml`,
  env: {},
  overrides: {
    cloud: { endpoint: cloud, api_key: key, default_model: 'gpt-oss:120b' },
    local: { endpoint: local, models: ['llama3.2:3b'] },
    storage: { url: `sqlite:${db}`, sqlite_synchronous: synchronous },
    logging: { level: 'silent' },
    server: { host: '127.0.0.1', port: 0 },
  },
});
const gateway = await startGateway({ config, replayIntervalMs: 0 });
console.log(`listening on ${gateway.url}`);
process.on('SIGTERM', () => gateway.close().then(() => process.exit(0)));
