// `node scripts/fuzz.mjs [--quick | --long] [--seconds N] [--target NAME]... [--jobs N]`: runs the
// cargo-fuzz targets in fuzz/ (see fuzz/README.md). Installs cargo-fuzz if it is missing, writes seed
// inputs made from tests/vectors/{jose,rfc}.json into fuzz/corpus/<target>/, builds every target
// once (`cargo +nightly fuzz build`, with debug assertions), then runs each binary for N seconds
// (`--quick`: 20, what `npm test` uses; otherwise 300), as many at a time as there are CPUs, each
// also reading the minimised corpus kept in the repository (fuzz/corpus-min/<target>/).
// `--long`: one target at a time (one core), each until 10 million executions or N seconds
// (default 3600), whichever comes first, built without AddressSanitizer (the crate forbids unsafe
// code; debug assertions stay, so integer overflow still panics) for about three times the
// executions per second; afterwards each target's corpus is minimised
// (libFuzzer's -merge=1) into fuzz/corpus-min/<target>/, and the figures are appended to
// fuzz/artifacts/long-runs.jsonl.
// Prints the executions of each target; exits 1 if any target crashed, naming the input that did.
import { spawn, spawnSync } from 'node:child_process';
import { createCipheriv, createHash, createHmac, hkdfSync } from 'node:crypto';
import {
  appendFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { log, root, run } from './bootstrap.mjs';

const fuzzDir = join(root, 'fuzz');

/** The targets, in fuzz/Cargo.toml order. */
export const TARGETS = [
  'parse_token',
  'parse_jwks',
  'parse_json',
  'verify',
  'claims',
  'remote_cache',
  'session_cookie',
  'ecdsa_differential',
  'rsa_differential',
];

/** The executions `--long` asks of each target (it stops earlier at its time limit). */
export const LONG_RUNS = 10_000_000;

function parseArgs(argv) {
  const options = { seconds: undefined, targets: [], jobs: availableParallelism(), long: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      i += 1;
      if (argv[i] === undefined) throw new Error(`${arg} needs a value`);
      return argv[i];
    };
    if (arg === '--quick') options.seconds = 20;
    else if (arg === '--long') options.long = true;
    else if (arg === '--seconds') options.seconds = Number(value());
    else if (arg === '--target') options.targets.push(...value().split(','));
    else if (arg === '--jobs') options.jobs = Number(value());
    else throw new Error(`unknown argument ${arg} (use --quick, --long, --seconds N, --target NAME, --jobs N)`);
  }
  options.seconds ??= options.long ? 3600 : 300;
  if (options.long) options.jobs = 1;
  if (!(options.seconds > 0)) throw new Error('--seconds must be a positive number');
  if (!(options.jobs >= 1)) throw new Error('--jobs must be at least 1');
  if (options.targets.length === 0) options.targets = [...TARGETS];
  const unknown = options.targets.filter((t) => !TARGETS.includes(t));
  if (unknown.length > 0) throw new Error(`unknown target ${unknown.join(', ')} (targets: ${TARGETS.join(', ')})`);
  return options;
}

function succeeds(command, args) {
  return spawnSync(command, args, { cwd: root, stdio: 'ignore' }).status === 0;
}

function ensureTools() {
  if (!succeeds('rustup', ['run', 'nightly', 'rustc', '--version'])) {
    log('installing the nightly Rust toolchain (cargo-fuzz needs it)');
    run('rustup', ['toolchain', 'install', 'nightly', '--profile', 'minimal']);
  }
  if (!succeeds('cargo', ['fuzz', '--version'])) {
    log('installing cargo-fuzz with cargo (about a minute, once)');
    run('cargo', ['install', 'cargo-fuzz', '--locked']);
  }
}

const b64 = (segment) => Buffer.from(segment, 'base64url');

/** Seed inputs per target, from the tokens and key sets of the vector files. */
export function seeds() {
  const vectors = ['jose.json', 'rfc.json'].flatMap(
    (file) => JSON.parse(readFileSync(join(root, 'tests', 'vectors', file), 'utf8')).vectors,
  );
  const out = Object.fromEntries(TARGETS.map((t) => [t, []]));
  const allKeys = [];
  for (const v of vectors) {
    const [header, payload, signature] = v.token.split('.');
    out.parse_token.push(v.token, `${header}.${payload}.`, `${header}..${signature}`);
    out.verify.push(v.token);
    out.parse_json.push(b64(header), b64(payload));
    out.claims.push(Buffer.concat([b64(header), Buffer.from([0]), b64(payload)]));
    if (v.jwks) {
      const jwks = JSON.stringify(v.jwks);
      allKeys.push(...v.jwks.keys);
      out.parse_json.push(jwks);
      // The key set, then (after a NUL) the token's signature, so the fitting keys verify it in full.
      out.parse_jwks.push(jwks, Buffer.concat([Buffer.from(jwks), Buffer.from([0]), b64(signature)]));
    }
  }
  out.parse_jwks.push(JSON.stringify({ keys: allKeys }));
  out.parse_token.push('eyJhbGciOiJub25lIn0.e30.', 'eyJhbGciOiJIUzI1NiIsImNyaXQiOlsiYjY0Il0sImI2NCI6ZmFsc2V9.e30.');
  out.session_cookie.push(...sessionCookieSeeds());
  // remote_cache reads structured operations (the `arbitrary` crate's encoding); it starts empty.
  return out;
}

/** The secret of fuzz/fuzz_targets/session_cookie.rs. */
const COOKIE_SECRET = 'edge-jwt fuzzing secret, 32 bytes or more';

/**
 * `Cookie` headers carrying Better Auth `session_data` caches that open with COOKIE_SECRET, one per
 * strategy (compact, jwt, jwe) and a chunked one, each followed by a NUL and the cache payload
 * (which the target also checks on its own).
 */
function sessionCookieSeeds() {
  const now = 1_795_392_000_000; // common::NOW in milliseconds
  const payload = {
    session: { id: 's1', token: 'tok', userId: 'u1', expiresAt: '2100-01-01T00:00:00.000Z' },
    user: { id: 'u1', email: 'a@example.com', name: 'Ä ☃' },
    version: '1',
  };
  const text = JSON.stringify(payload);
  const hmac = (hash, key, data) => createHmac(hash, key).update(data).digest();
  const enc = (data) => Buffer.from(data).toString('base64url');
  // compact: HMAC-SHA256 over the session text with "expiresAt" appended.
  const expiresAt = now + 300_000;
  const signed = `${text.slice(0, -1)},"expiresAt":${expiresAt}}`;
  const compact = enc(
    `{"session":${text},"expiresAt":${expiresAt},"signature":${JSON.stringify(enc(hmac('sha256', COOKIE_SECRET, signed)))}}`,
  );
  // jwt: HS256 with the secret.
  const jwtInput = `${enc('{"alg":"HS256","typ":"JWT"}')}.${enc(JSON.stringify({ ...payload, exp: now / 1000 + 300 }))}`;
  const jwt = `${jwtInput}.${enc(hmac('sha256', COOKIE_SECRET, jwtInput))}`;
  // jwe: dir + A256CBC-HS512 under the HKDF-SHA256 key Better Auth derives.
  const key = Buffer.from(hkdfSync('sha256', COOKIE_SECRET, 'better-auth-session', 'BetterAuth.js Generated Encryption Key', 64));
  const protectedHeader = enc('{"alg":"dir","enc":"A256CBC-HS512"}');
  const iv = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex'); // fixed: the same seed every run
  const cipher = createCipheriv('aes-256-cbc', key.subarray(32), iv);
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify({ ...payload, exp: now / 1000 + 300 })), cipher.final()]);
  const aadBits = Buffer.alloc(8);
  aadBits.writeBigUInt64BE(BigInt(protectedHeader.length * 8));
  const tag = hmac('sha512', key.subarray(0, 32), Buffer.concat([Buffer.from(protectedHeader), iv, ciphertext, aadBits])).subarray(0, 32);
  const jwe = `${protectedHeader}..${enc(iv)}.${enc(ciphertext)}.${enc(tag)}`;

  // The session_token cookie signed as Better Auth signs it: <token>.<base64 HMAC-SHA256>, URL-encoded.
  const tokenValue = encodeURIComponent(`tok.${hmac('sha256', COOKIE_SECRET, 'tok').toString('base64')}`);
  const token = `better-auth.session_token=${tokenValue}`;
  const headers = [compact, jwt, jwe].map((value) => `${token}; better-auth.session_data=${value}`);
  const half = Math.floor(compact.length / 2);
  headers.push(
    `__Secure-better-auth.session_data.0=${compact.slice(0, half)}; __Secure-better-auth.session_data.1=${compact.slice(half)}; __Secure-${token}`,
  );
  return headers.map((header) => Buffer.concat([Buffer.from(header), Buffer.from([0]), Buffer.from(text)]));
}

/** Writes each seed as fuzz/corpus/<target>/<sha1>, libFuzzer's own naming, so nothing is stored twice. */
function writeSeeds(targets) {
  const all = seeds();
  for (const target of targets) {
    const dir = join(fuzzDir, 'corpus', target);
    mkdirSync(dir, { recursive: true });
    for (const seed of all[target]) {
      const bytes = Buffer.from(seed);
      writeFileSync(join(dir, createHash('sha1').update(bytes).digest('hex')), bytes);
    }
  }
}

function hostTriple() {
  const out = spawnSync('rustc', ['+nightly', '-vV'], { encoding: 'utf8' }).stdout ?? '';
  const host = /^host: (\S+)$/m.exec(out);
  if (!host) throw new Error('cannot read the host triple from rustc +nightly -vV');
  return host[1];
}

/** The minimised corpus kept in the repository for `target`. */
const keptCorpus = (target) => join(fuzzDir, 'corpus-min', target);

/** Runs one target's binary (`runs`: stop after that many executions too); resolves with what happened. */
function fuzzOne(binary, target, seconds, runs) {
  const artifacts = join(fuzzDir, 'artifacts', target);
  mkdirSync(artifacts, { recursive: true });
  const logFile = join(fuzzDir, 'artifacts', `${target}.log`);
  const args = [
    `-max_total_time=${seconds}`,
    ...(runs ? [`-runs=${runs}`] : []),
    '-print_final_stats=1',
    '-max_len=16384',
    '-timeout=20', // one input taking 20 s would be a denial of service: report it as a crash
    '-rss_limit_mb=2048',
    `-artifact_prefix=${artifacts}/`,
    // New inputs go to the first directory (git-ignored); the kept corpus is only read.
    join(fuzzDir, 'corpus', target),
    ...(existsSync(keptCorpus(target)) ? [keptCorpus(target)] : []),
  ];
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(binary, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const logStream = createWriteStream(logFile);
    let text = '';
    const collect = (chunk) => {
      logStream.write(chunk);
      text += chunk.toString();
      if (text.length > 4_000_000) text = text.slice(-2_000_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err) => collect(`cannot run ${binary}: ${err.message}\n`));
    child.on('close', (code, signal) => {
      logStream.end();
      const units = /stat::number_of_executed_units:\s*(\d+)/.exec(text) ?? /#(\d+)\s+DONE/.exec(text);
      const crashInput = /Test unit written to (\S+)/.exec(text)?.[1];
      resolve({
        target,
        code,
        signal,
        seconds: (Date.now() - started) / 1000,
        executions: units ? Number(units[1]) : undefined,
        crashInput,
        logFile,
        tail: text.split('\n').filter((line) => !/^\s*"|^###### /.test(line)).slice(-40).join('\n'),
      });
    });
  });
}

/**
 * Minimises `target`'s corpus (the working one and the kept one) into a fresh directory with
 * libFuzzer's -merge=1, then makes that the kept corpus. Returns the file count and bytes.
 */
function minimise(binary, target) {
  const fresh = join(fuzzDir, 'artifacts', `${target}.merge`);
  rmSync(fresh, { recursive: true, force: true });
  mkdirSync(fresh, { recursive: true });
  const inputs = [join(fuzzDir, 'corpus', target), keptCorpus(target)].filter((dir) => existsSync(dir));
  const merged = spawnSync(binary, ['-merge=1', '-max_len=16384', '-timeout=20', '-rss_limit_mb=2048', fresh, ...inputs], {
    cwd: root,
    stdio: 'ignore',
  });
  if (merged.status !== 0) throw new Error(`minimising the ${target} corpus failed (exit ${merged.status ?? merged.signal})`);
  rmSync(keptCorpus(target), { recursive: true, force: true });
  mkdirSync(join(fuzzDir, 'corpus-min'), { recursive: true });
  renameSync(fresh, keptCorpus(target));
  const files = readdirSync(keptCorpus(target));
  const bytes = files.reduce((sum, file) => sum + statSync(join(keptCorpus(target), file)).size, 0);
  return { files: files.length, bytes };
}

/** Builds and runs the targets; returns the results (and sets process.exitCode on a crash). */
export async function fuzz({ seconds, targets = TARGETS, jobs = availableParallelism(), long = false }) {
  const started = Date.now();
  ensureTools();
  writeSeeds(targets);
  log(`cargo +nightly fuzz build (${targets.length === TARGETS.length ? 'all targets' : targets.join(', ')})`);
  const buildArgs = ['+nightly', 'fuzz', 'build', '--debug-assertions'];
  if (long) buildArgs.push('--sanitizer', 'none');
  if (targets.length === 1) buildArgs.push(targets[0]);
  run('cargo', buildArgs);
  const binDir = join(fuzzDir, 'target', hostTriple(), 'release');
  log(
    long
      ? `long run: ${targets.length} targets one at a time, each until ${LONG_RUNS} executions or ${seconds} s`
      : `fuzzing ${targets.length} targets for ${seconds} s each, ${Math.min(jobs, targets.length)} at a time`,
  );

  const queue = [...targets];
  const results = [];
  const worker = async () => {
    for (let target = queue.shift(); target !== undefined; target = queue.shift()) {
      const binary = join(binDir, target);
      if (!existsSync(binary)) throw new Error(`${relative(root, binary)} was not built`);
      const result = await fuzzOne(binary, target, seconds, long ? LONG_RUNS : undefined);
      const crashed = result.code !== 0;
      log(
        `${target.padEnd(13)} ${String(result.executions ?? '?').padStart(11)} executions in ${result.seconds.toFixed(0)} s` +
          (crashed ? `  CRASHED (exit ${result.code ?? result.signal})` : ', no crash'),
      );
      if (long && !crashed) {
        result.corpus = minimise(binary, target);
        log(`${target.padEnd(13)} minimised corpus: ${result.corpus.files} inputs, ${result.corpus.bytes} bytes (fuzz/corpus-min/${target}/)`);
        const record = {
          date: new Date().toISOString(),
          target,
          executions: result.executions,
          seconds: Math.round(result.seconds),
          corpusFiles: result.corpus.files,
          corpusBytes: result.corpus.bytes,
        };
        appendFileSync(join(fuzzDir, 'artifacts', 'long-runs.jsonl'), `${JSON.stringify(record)}\n`);
      }
      results.push(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, targets.length) }, worker));

  const crashes = results.filter((r) => r.code !== 0);
  for (const r of crashes) {
    log(`--- ${r.target} crashed; full log: ${relative(root, r.logFile)}`);
    process.stderr.write(`${r.tail}\n`);
    if (r.crashInput) {
      const input = relative(root, r.crashInput);
      log(`crashing input: ${input}`);
      log(`reproduce: cargo +nightly fuzz run ${r.target} ${input}`);
      log(`minimise:  cargo +nightly fuzz tmin ${r.target} ${input}`);
    }
  }
  const total = results.reduce((sum, r) => sum + (r.executions ?? 0), 0);
  log(
    `fuzzing done in ${((Date.now() - started) / 1000).toFixed(0)} s: ${total} executions, ` +
      (crashes.length ? `${crashes.length} target(s) crashed` : 'no crash'),
  );
  if (crashes.length) process.exitCode = 1;
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    await fuzz(parseArgs(process.argv.slice(2)));
  } catch (err) {
    log(`fuzz: ${err.message}`);
    process.exitCode = 1;
  }
}

