/**
 * The browser origins Ollama allows by default (`envconfig.AllowedOrigins`): localhost, 127.0.0.1 and 0.0.0.0
 * over http and https on any port, and the schemes of desktop and editor webviews. `*` matches any text.
 */
export const DEFAULT_CORS_ORIGINS: readonly string[] = [
  ...['localhost', '127.0.0.1', '0.0.0.0'].flatMap((host) => [
    `http://${host}`,
    `https://${host}`,
    `http://${host}:*`,
    `https://${host}:*`,
  ]),
  'app://*',
  'file://*',
  'tauri://*',
  'vscode-webview://*',
  'vscode-file://*',
];
