#!/usr/bin/env node
// `npm install` step (package.json "install"): build the compiled kernels (native/binding.gyp ->
// native/build/Release/eoc_kernels.node) with npm's own node-gyp, offline, against the Node headers
// already on the machine. It never fails the install: on any problem (no compiler, no Python, no
// make, no headers, a build error, a time-out, EOC_NO_COMPILE=1) it prints exactly one line
//   eoc: compiled kernels not built (<reason>); eoc will use the wasm backend
// and exits 0; on success one line naming the file and the CPU paths compiled in. node-gyp's own
// output goes to native/build/eoc-build.log.
//   EOC_NO_COMPILE=1            skip the build
//   EOC_COMPILE_TIMEOUT=<s>     time limit for node-gyp (default 300 s)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const output = join(here, 'build', 'Release', 'eoc_kernels.node');
const logFile = join(here, 'build', 'eoc-build.log');
const shown = (p) => relative(root, p) || p;

function skip(reason) {
  // no stale binary from an earlier build: the line says what eoc will run
  rmSync(output, { force: true });
  process.stdout.write(`eoc: compiled kernels not built (${reason}); eoc will use the wasm backend\n`);
  process.exit(0);
}

function truthy(v) {
  const s = (v ?? '').trim().toLowerCase();
  return s !== '' && s !== '0' && s !== 'false' && s !== 'no';
}

/** npm's bundled node-gyp: the path npm hands its scripts, else the copy beside npm itself. */
function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  if (process.env.npm_execpath) candidates.push(join(dirname(dirname(process.env.npm_execpath)), 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const prefix = dirname(dirname(process.execPath));
  candidates.push(join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((p) => existsSync(p));
}

/** Node's headers on this machine: npm's nodedir, else the prefix of this node, else node-gyp's cache. */
function findNodedir() {
  const has = (dir) => existsSync(join(dir, 'include', 'node', 'node_api.h'));
  const configured = process.env.npm_config_nodedir;
  if (configured) return has(configured) ? { dir: configured } : { missing: `npm's nodedir ${configured} has no include/node/node_api.h` };
  const prefix = dirname(dirname(process.execPath));
  if (has(prefix)) return { dir: prefix };
  const home = process.env.HOME ?? '';
  const cache = [process.env.npm_config_devdir, join(home, '.cache', 'node-gyp'), join(home, '.node-gyp')].filter(Boolean);
  for (const c of cache) {
    const dir = join(c, process.versions.node);
    if (has(dir)) return { dir };
  }
  return { missing: `no Node headers (${join(prefix, 'include', 'node')} has no node_api.h)` };
}

/** What went wrong, from node-gyp's log, as a short reason. */
function diagnose(log, code) {
  const lines = log.split('\n').filter((l) => !/^gyp info /.test(l));
  const find = (re) => lines.map((l) => re.exec(l)).find(Boolean);
  if (find(/Could not find any Python|You need to install the latest version of Python/)) return 'no Python 3 for node-gyp';
  if (find(/not found: make|spawn make ENOENT/)) return 'no make';
  // make runs each recipe's first word straight from PATH
  const tool = find(/^make(?:\[\d+\])?: ([\w.+-]+): (No such file or directory|Command not found|.*symbolic links|Permission denied)/);
  if (tool) {
    const what = /No such|not found/.test(tool[2]) ? 'not found' : tool[2].toLowerCase();
    return ['cc', 'gcc', 'g++', 'c++', 'clang', 'clang++'].includes(tool[1]) ? `no C compiler (${tool[1]}: ${what})` : `${tool[1]}: ${what} (make runs it)`;
  }
  const exec = find(/cannot (?:execute|find) ['\u2018]([^'\u2019]+)['\u2019]/);
  if (exec) return `the compiler cannot run ${exec[1]}`;
  const cerr = find(/^\S+:\d+:\d+: (?:fatal )?error: (.*)$/);
  if (cerr) return `compile error: ${cerr[1].slice(0, 120)}`;
  const err = find(/^gyp ERR! stack Error: (.*)$/);
  return `node-gyp failed with exit code ${code}${err ? `: ${err[1].slice(0, 120)}` : ''}`;
}

function run(cmd, args, opts, timeoutMs) {
  return new Promise((resolveRun) => {
    let out = '';
    let timedOut = false;
    let child;
    try {
      // its own process group, so a time-out ends make and the compiler too
      child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
    } catch (err) {
      resolveRun({ code: -1, out: String(err), timedOut });
      return;
    }
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('error', (err) => (out += `\n${err.message}\n`));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code: code ?? -1, out, timedOut });
    });
  });
}

async function main() {
  if (truthy(process.env.EOC_NO_COMPILE)) skip('EOC_NO_COMPILE is set');
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) skip("npm's node-gyp not found");
  const nodedir = findNodedir();
  if (nodedir.missing) skip(nodedir.missing);
  const timeoutS = Number(process.env.EOC_COMPILE_TIMEOUT) > 0 ? Number(process.env.EOC_COMPILE_TIMEOUT) : 300;

  rmSync(join(here, 'build'), { recursive: true, force: true });
  const env = { ...process.env, npm_config_nodedir: nodedir.dir };
  const r = await run(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodedir.dir}`], { cwd: here, env }, timeoutS * 1000);
  mkdirSync(join(here, 'build'), { recursive: true });
  writeFileSync(logFile, r.out);
  if (r.timedOut) skip(`node-gyp took over ${timeoutS} s (EOC_COMPILE_TIMEOUT)`);
  if (r.code !== 0 || !existsSync(output)) skip(`${diagnose(r.out, r.code)}; log: ${shown(logFile)}`);

  // load it in a child process: a binary that cannot run here must not take the install down
  const probe = spawnSync(process.execPath, ['-e', `const k = require(${JSON.stringify(output)}); console.log(JSON.stringify({ isa: k.isa(), compiled: k.compiledIsas() }))`], { encoding: 'utf8', timeout: 60_000 });
  let info;
  try {
    info = JSON.parse(probe.stdout.trim().split('\n').pop());
  } catch {
    const why = (probe.stderr || probe.error?.message || `exit ${probe.status ?? probe.signal}`).trim().split('\n').find((l) => /Error|error/.test(l)) ?? 'it does not load';
    rmSync(output, { force: true });
    skip(`built, but ${why.trim().slice(0, 160)}`);
  }
  process.stdout.write(`eoc: compiled kernels built: ${shown(output)} (gemm paths ${info.compiled.join(', ')}; this CPU uses ${info.isa})\n`);
}

main().catch((err) => skip(`build script error: ${String(err?.message ?? err).split('\n')[0]}`));
