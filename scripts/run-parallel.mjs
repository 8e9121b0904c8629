// Runs npm scripts at once (`node scripts/run-parallel.mjs typecheck lint build`): npm test's
// checks are independent of each other, and on a 2-core CI machine one after another they
// leave a core idle for most of their minute. Each script's output is printed whole when it
// ends, so two never interleave; the exit status is that of the first script given that failed, else 0.
import { spawn } from 'node:child_process';

function runScript(name) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn('npm', ['run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ name, code: 1, output: `${output}${error.message}\n`, seconds: 0 }));
    child.on('close', (code) => resolve({ name, code: code ?? 1, output, seconds: (Date.now() - started) / 1000 }));
  });
}

const names = process.argv.slice(2);
const results = await Promise.all(
  names.map(async (name) => {
    const result = await runScript(name);
    process.stdout.write(`> npm run ${name}: ${result.code === 0 ? 'passed' : `failed (exit ${result.code})`} in ${result.seconds.toFixed(1)} s\n${result.output}`);
    return result;
  }),
);
process.exitCode = results.find((result) => result.code !== 0)?.code ?? 0;
