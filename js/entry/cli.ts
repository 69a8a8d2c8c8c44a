/**
 * The `edge-jwt` command (Node): `edge-jwt verify <token> --jwks <url|file>` prints the verdict and,
 * when the token fails, why in plain words; `edge-jwt inspect <token>` shows the header and claims
 * without verifying anything. The token may also come on standard input (`-`).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, errors, verifyToken, type VerifyOptions } from './inline.js';
import { bindingsSync, type Bindings } from '../wasm.js';
import { wasmFailure } from '../failure.js';

const USAGE = `usage:
  edge-jwt verify <token|-> --jwks <url|file> [--issuer <iss>]... [--audience <aud>]... [--subject <sub>]
                  [--algorithms <alg,alg>] [--clock-tolerance <30s>] [--max-token-age <1h>] [--secret <hs-secret>]
  edge-jwt inspect <token|->

exit status: 0 valid, 1 invalid, 2 usage or setup error`;

interface Parsed {
  command: string | undefined;
  token: string | undefined;
  flags: Map<string, string[]>;
}

function parse(argv: string[]): Parsed {
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      flags.set(name, [...(flags.get(name) ?? []), value]);
    } else {
      positional.push(arg);
    }
  }
  return { command: positional[0], token: positional[1], flags };
}

function readToken(token: string | undefined): string {
  if (token === undefined) throw new Error('a token is required');
  return (token === '-' ? readFileSync(0, 'utf8') : token).trim();
}

function ago(seconds: number): string {
  const abs = Math.abs(seconds);
  if (abs < 120) return `${Math.round(abs)} seconds`;
  if (abs < 7200) return `${Math.round(abs / 60)} minutes`;
  if (abs < 172800) return `${Math.round(abs / 3600)} hours`;
  return `${Math.round(abs / 86400)} days`;
}

function inspect(token: string): number {
  const wasm = bindingsSync() as Bindings & { inspectToken(token: string): string[] };
  let parts: string[];
  try {
    parts = wasm.inspectToken(token);
  } catch (error) {
    const failure = wasmFailure(error) as Error & { code?: string };
    process.stdout.write(`not a JWT: ${failure.message} (${failure.code})\n`);
    return 1;
  }
  const [header, payload] = parts;
  process.stdout.write(`header (unverified):\n${JSON.stringify(JSON.parse(header ?? '{}'), null, 2)}\n`);
  let claims: Record<string, unknown> | undefined;
  try {
    claims = JSON.parse(payload ?? '') as Record<string, unknown>;
  } catch {
    process.stdout.write(`payload (unverified, not JSON):\n${payload}\n`);
    return 0;
  }
  process.stdout.write(`claims (unverified):\n${JSON.stringify(claims, null, 2)}\n`);
  const now = Date.now() / 1000;
  for (const claim of ['iat', 'nbf', 'exp']) {
    const value = claims[claim];
    if (typeof value === 'number') {
      const when = new Date(value * 1000).toISOString();
      process.stdout.write(`${claim}: ${when} (${value < now ? `${ago(now - value)} ago` : `in ${ago(value - now)}`})\n`);
    }
  }
  return 0;
}

async function keysFrom(source: string): Promise<unknown> {
  if (/^https?:\/\//.test(source)) return createRemoteJWKSet(source, { timeoutDuration: 10_000 });
  return readFileSync(source, 'utf8');
}

async function verify(token: string, flags: Map<string, string[]>): Promise<number> {
  const jwks = flags.get('jwks')?.[0];
  const secret = flags.get('secret')?.[0];
  if (jwks === undefined && secret === undefined) throw new Error('--jwks <url|file> (or --secret for HS256/384/512) is required');
  const options: VerifyOptions = {};
  const issuer = flags.get('issuer');
  const audience = flags.get('audience');
  if (issuer !== undefined) options.issuer = issuer;
  if (audience !== undefined) options.audience = audience;
  const subject = flags.get('subject')?.[0];
  if (subject !== undefined) options.subject = subject;
  const algorithms = flags.get('algorithms')?.[0];
  if (algorithms !== undefined) options.algorithms = algorithms.split(',');
  const tolerance = flags.get('clock-tolerance')?.[0];
  if (tolerance !== undefined) options.clockTolerance = /^\d+(\.\d+)?$/.test(tolerance) ? Number(tolerance) : tolerance;
  const maxAge = flags.get('max-token-age')?.[0];
  if (maxAge !== undefined) options.maxTokenAge = /^\d+(\.\d+)?$/.test(maxAge) ? Number(maxAge) : maxAge;
  if (secret !== undefined) options.secret = secret;
  const keys = jwks === undefined ? null : await keysFrom(jwks);
  try {
    const { payload, protectedHeader } = await verifyToken(token, keys as Parameters<typeof verifyToken>[1], options);
    process.stdout.write(`valid: ${protectedHeader.alg} signature verified${protectedHeader.kid ? ` with key ${protectedHeader.kid}` : ''}\n`);
    process.stdout.write(`${JSON.stringify(payload, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof errors.JOSEError)) throw error;
    const claim = (error as { claim?: string }).claim;
    process.stdout.write(`invalid: ${error.message}\n  code: ${error.code}${claim ? `\n  claim: ${claim}` : ''}\n`);
    return 1;
  }
}

async function main(): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parse(process.argv.slice(2));
    if (parsed.command === 'inspect') return inspect(readToken(parsed.token));
    if (parsed.command === 'verify') return await verify(readToken(parsed.token), parsed.flags);
    process.stderr.write(`${USAGE}\n`);
    return 2;
  } catch (error) {
    process.stderr.write(`edge-jwt: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
}

main().then((code) => {
  process.exitCode = code;
});
