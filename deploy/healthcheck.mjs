#!/usr/bin/env node
/**
 * Docker HEALTHCHECK for the memfleet image: GET /healthz of the service this
 * container runs. Exit 0 when it answers 200, 1 otherwise.
 *
 * One image runs two roles on different ports, so the role comes from the
 * command the container was started with (PID 1's command line: ENTRYPOINT +
 * CMD, also behind `--init`, or the process title the service sets from it,
 * "memfleet shard <domain>"), not from environment variables an .env file may
 * set for both: a shard probes METRICS_PORT (default 9464), anything else
 * (coordinator, `up`) probes PORT (default 8080).
 *
 *   node deploy/healthcheck.mjs [coordinator|shard]   # an explicit role skips the detection
 */
import { readFileSync } from 'node:fs';

const TIMEOUT_MS = 2_000;

function detectRole() {
  try {
    const cmdline = readFileSync('/proc/1/cmdline', 'utf8');
    // The services set their process title ("memfleet shard moby-dick-1", "memfleet coordinator :8080"),
    // which replaces the command line Linux shows for them.
    const title = cmdline.match(/^memfleet (shard|coordinator)\b/);
    if (title) return title[1];
    const argv = cmdline.split('\0');
    const cli = argv.findIndex((arg) => arg.endsWith('main.js'));
    return cli >= 0 ? argv[cli + 1] : undefined;
  } catch {
    return undefined; // not Linux, or /proc hidden: fall back to the coordinator
  }
}

const role = process.argv[2] ?? detectRole() ?? 'coordinator';
const port = role === 'shard' ? (process.env.METRICS_PORT || '9464') : (process.env.PORT || '8080');

if (port === '0') {
  console.error(`healthcheck: ${role === 'shard' ? 'METRICS_PORT' : 'PORT'}=0 picks a random port, which a healthcheck cannot know; set a fixed port`);
  process.exit(1);
}

const url = `http://127.0.0.1:${port}/healthz`;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!res.ok) {
    console.error(`healthcheck: ${role} ${url} answered ${res.status}`);
    process.exit(1);
  }
} catch (err) {
  console.error(`healthcheck: ${role} ${url} unreachable: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
