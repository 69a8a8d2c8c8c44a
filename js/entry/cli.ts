/**
 * The `edge-jwt` command (Node): `edge-jwt verify <token> --jwks <url|file>` prints the verdict and,
 * when the token fails, why in plain words; `edge-jwt inspect <token>` shows the header and claims
 * without verifying anything. The token may also come on standard input (`-`).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, errors, verifyToken, type VerifyOptions } from './inline.js';
import { bindingsSync } from '../wasm.js';
import { wasmFailure } from '../failure.js';

const VERIFY_USAGE = `usage: edge-jwt verify <token|-> --jwks <url|file> [options]

Verifies a JWT (the token, or - to read it from standard input) against a JWKS file or URL, or an
HS256/384/512 secret, with jose's rules; prints the claims, or why the token is refused.

options:
  --jwks <url|file>          the key set (a URL such as https://app.example.com/api/auth/jwks, or a file)
  --secret <secret>          the shared secret for HS256/384/512 tokens (instead of --jwks)
  --issuer <iss>             the iss claim must equal this (repeat for several allowed values)
  --audience <aud>           the aud claim must contain this (repeat for several allowed values)
  --subject <sub>            the sub claim must equal this
  --algorithms <alg,alg>     the allowed header alg values
  --clock-tolerance <30s>    clock skew allowed for exp, nbf and iat (seconds or a duration)
  --max-token-age <1h>       iat must be present and no older than this
  -h, --help                 print this help

exit status: 0 valid, 1 invalid, 2 usage or setup error`;

const INSPECT_USAGE = `usage: edge-jwt inspect <token|->

Prints a token's header and claims, and when iat, nbf and exp fall, without verifying anything.

options:
  -h, --help                 print this help

exit status: 0 decoded, 1 not a JWT, 2 usage error`;

const USAGE = `usage:
  edge-jwt verify <token|-> --jwks <url|file> [--issuer <iss>]... [--audience <aud>]... [--subject <sub>]
                  [--algorithms <alg,alg>] [--clock-tolerance <30s>] [--max-token-age <1h>] [--secret <hs-secret>]
  edge-jwt inspect <token|->
  edge-jwt help [verify|inspect]
  edge-jwt --help | -h

exit status: 0 valid, 1 invalid, 2 usage or setup error`;

/** The flags each command knows (each takes a value). */
const FLAGS: Record<string, string[]> = {
  verify: ['jwks', 'secret', 'issuer', 'audience', 'subject', 'algorithms', 'clock-tolerance', 'max-token-age'],
  inspect: [],
};

const COMMAND_USAGE: Record<string, string> = { verify: VERIFY_USAGE, inspect: INSPECT_USAGE };

/** A usage mistake: the message, then the usage it refers to. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}

interface Parsed {
  command: string | undefined;
  token: string | undefined;
  flags: Map<string, string[]>;
  help: boolean;
}

function knownFlags(command: string | undefined): string {
  const names = FLAGS[command ?? ''] ?? [];
  return [...names.map((name) => `--${name}`), '--help'].join(', ');
}

function parse(argv: string[]): Parsed {
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  let help = false;
  const command = argv.find((arg) => !arg.startsWith('-'));
  const usage = COMMAND_USAGE[command ?? ''] ?? USAGE;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      help = true;
    } else if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
      const known = FLAGS[command ?? ''];
      if (known !== undefined && !known.includes(name)) {
        throw new UsageError(`unknown flag --${name}${command ? ` for ${command}` : ''}; known flags: ${knownFlags(command)}`, usage);
      }
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`, usage);
      flags.set(name, [...(flags.get(name) ?? []), value]);
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`unknown flag ${arg}; known flags: ${knownFlags(command)}, -h`, usage);
    } else {
      positional.push(arg);
    }
  }
  return { command: positional[0], token: positional[1], flags, help };
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
  const wasm = bindingsSync();
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

function help(topic: string | undefined): number {
  if (topic !== undefined && COMMAND_USAGE[topic] === undefined) {
    process.stderr.write(`edge-jwt: no help for "${topic}"; commands: verify, inspect\n${USAGE}\n`);
    return 2;
  }
  process.stdout.write(`${topic === undefined ? USAGE : COMMAND_USAGE[topic]}\n`);
  return 0;
}

async function main(): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parse(process.argv.slice(2));
    if (parsed.command === 'help') return help(parsed.token);
    if (parsed.help) return help(COMMAND_USAGE[parsed.command ?? ''] === undefined ? undefined : parsed.command);
    if (parsed.command === 'inspect') return inspect(readToken(parsed.token));
    if (parsed.command === 'verify') return await verify(readToken(parsed.token), parsed.flags);
    process.stderr.write(
      `${parsed.command === undefined ? 'edge-jwt: a command is required' : `edge-jwt: unknown command "${parsed.command}"`}\n${USAGE}\n`,
    );
    return 2;
  } catch (error) {
    const usage = error instanceof UsageError ? error.usage : USAGE;
    process.stderr.write(`edge-jwt: ${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
    return 2;
  }
}

main().then((code) => {
  process.exitCode = code;
});
