// Content-Security-Policy for the renderer, set at build time. The page's CSP (a meta tag in
// src/renderer/index.html) allows scripts by hash only: `script-src 'strict-dynamic'
// 'sha384-…'`. This plugin hashes the built entry script, adds the matching `integrity`
// attribute and writes the hash into the policy; scripts that entry loads (code-split
// chunks) are trusted through 'strict-dynamic'. Nothing else, no inline script, no remote
// origin can run. The dev server gets no CSP (its modules change on every edit).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Plugin } from 'vite';

/** Stands in the source HTML for the entry script's hash until the build fills it in. */
export const ENTRY_HASH_PLACEHOLDER = 'sha384-ENTRYSCRIPTHASHSETBYTHEBUILD';

const CSP_META = /\s*<meta http-equiv="Content-Security-Policy"[^>]*>/;

export function rendererCsp(): Plugin {
  let outDir = '';
  return {
    name: 'foresight-renderer-csp',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        return ctx.server ? html.replace(CSP_META, '') : html;
      },
    },
    closeBundle() {
      const file = join(outDir, 'index.html');
      let html = readFileSync(file, 'utf8');
      if (!html.includes(ENTRY_HASH_PLACEHOLDER)) throw new Error(`${file}: the CSP hash placeholder is missing`);
      const hashes: string[] = [];
      html = html.replace(/<script type="module"([^>]*) src="([^"]+)"([^>]*)><\/script>/g, (_tag, before: string, src: string, after: string) => {
        const bytes = readFileSync(join(outDir, src));
        const hash = `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
        hashes.push(hash);
        return `<script type="module"${before} src="${src}"${after} integrity="${hash}"></script>`;
      });
      if (hashes.length === 0) throw new Error(`${file}: no module script to hash`);
      html = html.replace(`'${ENTRY_HASH_PLACEHOLDER}'`, hashes.map((h) => `'${h}'`).join(' '));
      writeFileSync(file, html);
    },
  };
}
