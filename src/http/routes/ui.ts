/**
 * The dashboard's static files under /emulator/ui/ (src/ui, copied to dist/ui by the build). The
 * files themselves are public and hold no data; everything they show comes from the control API,
 * which asks for the Manage right on every request. They are read once, at start, from a fixed
 * list, so no request path ever reaches the file system.
 *
 * The content security policy allows nothing but this origin: the page works offline and cannot
 * be made to load or post anywhere else.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** dist/ui next to the bundle, else src/ui next to this file (tests run from the sources). */
function uiDirectory(): string | undefined {
  for (const rel of ['./ui/', '../../ui/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}index.html`)) return dir;
  }
  return undefined;
}

function loadFiles(): Map<string, { type: string; body: Buffer }> {
  const files = new Map<string, { type: string; body: Buffer }>();
  const dir = uiDirectory();
  if (dir === undefined) return files;
  for (const name of readdirSync(dir)) {
    const type = TYPES[name.slice(name.lastIndexOf('.'))];
    if (type !== undefined) files.set(name, { type, body: readFileSync(`${dir}${name}`) });
  }
  return files;
}

export async function uiRoutes(app: FastifyInstance): Promise<void> {
  const files = loadFiles();
  // Without the trailing slash the page's relative URLs would resolve against /emulator/.
  app.get('/emulator/ui', async (request, reply) => {
    if (!request.url.endsWith('/')) return reply.redirect('/emulator/ui/', 301);
    return serve('index.html', reply);
  });
  app.get('/emulator/ui/:file', async (request, reply) => serve((request.params as { file: string }).file, reply));

  function serve(name: string, reply: import('fastify').FastifyReply) {
    const file = files.get(name);
    if (file === undefined) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    return reply
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-cache')
      .type(file.type)
      .send(file.body);
  }
}
