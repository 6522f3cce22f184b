/** The README's code blocks, found by the bold label line that introduces each one. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/** The first fenced block after the line that starts with `label` in section `section`. */
export function readmeSnippet(section: string, label: string): string {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf(`\n## ${section}\n`);
  if (start < 0) throw new Error(`README has no section '${section}'`);
  const at = text.indexOf(`\n${label}`, start);
  if (at < 0) throw new Error(`README section '${section}' has no '${label}'`);
  const open = text.indexOf('```', at);
  const bodyStart = text.indexOf('\n', open) + 1;
  const close = text.indexOf('\n```', bodyStart);
  return text.slice(bodyStart, close + 1);
}
