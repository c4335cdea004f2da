import { createReadStream, type ReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Swagger UI's files, from the swagger-ui-dist package: the gateway serves them itself, so /docs
 * works without the internet (an air-gapped cluster, a laptop on a plane). Only these files are
 * served; the asset name in the URL never reaches the filesystem otherwise.
 */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

// package.json, not the package's main: that one loads the 1.7 MB bundle into this process.
const distDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

export function swaggerUiAsset(name: string): { type: string; stream: () => ReadStream } | undefined {
  const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  return type ? { type, stream: () => createReadStream(path.join(distDir, name)) } : undefined;
}

/** The page: Swagger UI pointed at this gateway's /openapi.json. */
export const SWAGGER_UI_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Hangar API</title>
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: '/openapi.json',
      dom_id: '#swagger-ui',
      deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: 'StandaloneLayout',
    });
  </script>
</body>
</html>
`;
