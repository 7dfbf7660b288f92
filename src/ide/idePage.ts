import { IDE_ASSET_PREFIX } from './ideAssets';
import type { IdeSettings } from './ideSettings';

/**
 * Everything the page loads comes from this gateway: scripts only from its own files (the
 * settings travel in a JSON data block, which is never executed), GraphiQL's inlined fonts and
 * icons as data: URLs, requests to /graphql over HTTP and WebSocket. 'self' covers ws:// and
 * wss:// of the page's own host.
 */
export const IDE_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The scripts in the order they need each other: React, ReactDOM, then what uses them. */
const SCRIPTS = ['react.production.min.js', 'react-dom.production.min.js', 'graphql-ws.min.js', 'graphiql.min.js', 'boot.js'];

/**
 * The GraphiQL page. `<` is escaped in the settings so that no value can close the data block;
 * the empty data: icon spares the browser a /favicon.ico request (a 404).
 */
export function renderIdePage(settings: IdeSettings): string {
  const json = JSON.stringify(settings).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL: orders gateway</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${IDE_ASSET_PREFIX}graphiql.min.css">
<link rel="stylesheet" href="${IDE_ASSET_PREFIX}ide.css">
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script id="graphiql-settings" type="application/json">${json}</script>
${SCRIPTS.map((name) => `<script src="${IDE_ASSET_PREFIX}${name}"></script>`).join('\n')}
</body>
</html>
`;
}
