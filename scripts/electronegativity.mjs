#!/usr/bin/env node
/**
 * Electronegativity (Doyensec's Electron security scanner) for CI: scans src/ and, when it is
 * built and not older than the sources, out/. Exits 1 on any finding above INFORMATIONAL
 * that is not in REVIEWED below, 2 when the scan itself fails; prints every finding.
 *
 * Offline on purpose: the Electron version is pinned (otherwise the tool reads it from
 * node_modules or asks the network) and AvailableSecurityFixesGlobalCheck, which downloads
 * Electron's release list, is excluded; the tool's translation download times out after 1 s
 * when there is no network and falls back to its bundled English strings.
 *
 * The tool is called through its programmatic API rather than its CSV output: its CSV writer
 * writes the header and the rows with two racing async writes, so the first row comes out
 * truncated (seen with 1.10.3).
 *
 * Usage: node scripts/electronegativity.mjs [--json] [--input DIR]
 *   --json         one JSON summary line on stdout
 *   --input DIR    scan DIR instead of src/ and out/ (the gate's own test uses it)
 */
import { createRequire } from 'node:module';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The Electron release the app is built against (package-lock: electron 39.x). */
const ELECTRON_VERSION = '39.8.10';

/** Severity order of the tool (its finder/attributes.js). */
const SEVERITY_RANK = { INFORMATIONAL: 0, LOW: 1, MEDIUM: 2, HIGH: 3 };

/** Checks switched off for the whole scan, by class name (the tool's -x option). */
const EXCLUDED_CHECKS = [
  // Downloads Electron's release list from GitHub; CI runs offline. The Electron version is
  // pinned in package.json and upgraded deliberately.
  'AvailableSecurityFixesGlobalCheck',
  // PRELOAD_JS_CHECK only says "review the use of preload scripts": it fires on any preload.
  // Reviewed: src/preload/index.ts runs sandboxed and context-isolated without Node, exposes
  // exactly the typed ForesightApi (method and event names checked against the API lists)
  // through contextBridge, and every payload is validated again with zod in main
  // (src/main/api/validate.ts). Re-review when the preload changes.
  'PreloadJSCheck',
];

/**
 * Findings that were reviewed and accepted, pinned to the exact flagged text: if the text
 * changes, the finding fails the run again until it is reviewed again.
 */
// None today: the renderer's CSP allows scripts by hash only (vite.csp.ts), which the CSP
// evaluator has nothing to say about. Add an entry only after reviewing a finding.
const REVIEWED = [];

function newestMtimeMs(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** out/ is scanned only when it was built after the last change to the Electron-side sources. */
function outTarget() {
  const out = join(root, 'out');
  if (!existsSync(join(out, 'main'))) return { scan: false, note: 'out/ not built; scanned src/ only' };
  // The Electron-side bundles only: a renderer-only rebuild (vite build) does not refresh them.
  const builtAt = Math.min(newestMtimeMs(join(out, 'main')), existsSync(join(out, 'preload')) ? newestMtimeMs(join(out, 'preload')) : 0);
  const sourcesAt = Math.max(newestMtimeMs(join(root, 'src/main/hosts/electron')), newestMtimeMs(join(root, 'src/preload')));
  if (builtAt < sourcesAt) return { scan: false, note: 'out/ is older than src/main/hosts/electron or src/preload; skipped (run npm run build to scan it)' };
  return { scan: true, note: 'out/ scanned' };
}

async function scan(input) {
  const runModule = require('@doyensec/electronegativity');
  const run = runModule.default ?? runModule;
  const result = await run(
    {
      input,
      electronVersionOverride: ELECTRON_VERSION,
      excludeFromScan: EXCLUDED_CHECKS,
      customScan: [],
      isRelative: false,
      parserPlugins: [],
    },
    false,
  );
  return result;
}

function isReviewed(issue) {
  return REVIEWED.some((r) => r.id === issue.id && r.sample === issue.sample);
}

async function main() {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const inputAt = args.indexOf('--input');
  const targets = [];
  let out = { scan: false, note: 'explicit --input' };
  if (inputAt >= 0) {
    const dir = args[inputAt + 1];
    if (!dir || !existsSync(dir)) throw new Error(`--input needs an existing directory, got ${dir ?? 'nothing'}`);
    targets.push(resolve(dir));
  } else {
    targets.push(join(root, 'src'));
    out = outTarget();
    if (out.scan) targets.push(join(root, 'out'));
  }

  const findings = [];
  const errors = [];
  for (const target of targets) {
    const result = await scan(target);
    for (const e of result.errors ?? []) errors.push({ target: relative(root, target), ...e });
    for (const issue of result.issues) {
      findings.push({
        id: issue.id,
        severity: issue.severity.name,
        confidence: issue.confidence.name,
        file: issue.file === 'N/A' ? 'N/A' : relative(root, issue.file),
        line: issue.location?.line ?? 0,
        column: issue.location?.column ?? 0,
        sample: issue.sample ?? '',
        description: issue.description,
        reviewed: isReviewed(issue),
      });
    }
  }
  const aboveInformational = findings.filter((f) => SEVERITY_RANK[f.severity] > SEVERITY_RANK.INFORMATIONAL);
  const failing = aboveInformational.filter((f) => !f.reviewed);

  const summary = {
    electronVersion: ELECTRON_VERSION,
    scanned: targets.map((t) => relative(root, t)),
    out: out.note,
    excluded: EXCLUDED_CHECKS,
    findings: findings.length,
    aboveInformational: aboveInformational.length,
    reviewed: aboveInformational.filter((f) => f.reviewed).length,
    failing: failing.length,
    parseErrors: errors.length,
  };
  if (json) {
    console.log(JSON.stringify({ ...summary, details: findings, errors }));
  } else {
    console.log(`electronegativity: Electron ${ELECTRON_VERSION}; scanned ${summary.scanned.join(', ')} (${out.note})`);
    console.log(`  excluded checks: ${EXCLUDED_CHECKS.join(', ')}`);
    for (const f of findings) {
      const tag = SEVERITY_RANK[f.severity] === 0 ? 'info' : f.reviewed ? 'reviewed' : 'FAIL';
      console.log(`  [${tag}] ${f.id} ${f.severity}/${f.confidence} ${f.file}:${f.line}:${f.column} — ${f.description}`);
      if (f.sample) console.log(`         ${f.sample}`);
    }
    for (const e of errors) console.log(`  [parse error] ${e.target}: ${JSON.stringify(e)}`);
    console.log(
      failing.length === 0 && errors.length === 0
        ? `electronegativity: clean (${summary.reviewed} reviewed finding(s) above informational, none unreviewed)`
        : `electronegativity: ${failing.length} unreviewed finding(s) above informational, ${errors.length} file(s) not parsed`,
    );
  }
  // A file the tool cannot parse is a file it did not check.
  process.exit(failing.length > 0 || errors.length > 0 ? 1 : 0);
}

main().catch((err) => {
  console.error(`electronegativity: scan failed: ${err?.stack ?? err}`);
  process.exit(2);
});
