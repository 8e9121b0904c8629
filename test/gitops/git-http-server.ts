// Test support: a git smart-HTTP server over HTTPS on 127.0.0.1 (`git http-backend` run
// as CGI behind Node's HTTPS server) that requires HTTP basic authentication, and a `git`
// wrapper put first on PATH that records the arguments of every git kaji runs and the
// .git/config of the repository it ran in.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface GitHttpServer {
  /** https://127.0.0.1:PORT */
  readonly origin: string;
  /** The Authorization headers received, in order (undefined: none sent). */
  readonly authorizations: (string | undefined)[];
  /** Requests answered by git (authenticated). */
  readonly served: () => number;
  /** Environment for git clients: trust the server's certificate. */
  readonly clientEnv: Record<string, string>;
  close(): Promise<void>;
}

/** Serves the bare repositories under `root` to a client authenticating as `username`:`password`. */
export async function startGitHttpServer(options: { root: string; username: string; password: string }): Promise<GitHttpServer> {
  const realGit = realGitPath();
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  const dir = mkdtempSync(join(tmpdir(), 'kaji-git-https-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, pems.cert);
  const expected = Buffer.from(`${options.username}:${options.password}`).toString('base64');
  const authorizations: (string | undefined)[] = [];
  let served = 0;
  const server = createServer({ cert: pems.cert, key: pems.private }, (req, res) => {
    const authorization = req.headers.authorization;
    authorizations.push(authorization);
    if (authorization === undefined || !/^basic /i.test(authorization) || authorization.slice(6) !== expected) {
      req.resume();
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"', 'Content-Type': 'text/plain' });
      res.end('authentication required\n');
      return;
    }
    served++;
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: options.root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: options.username, // enables receive-pack (push)
      REMOTE_ADDR: '127.0.0.1',
    };
    if (req.headers['content-length'] !== undefined) env.CONTENT_LENGTH = req.headers['content-length'];
    if (req.headers['content-encoding'] !== undefined) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
    if (typeof req.headers['git-protocol'] === 'string') env.GIT_PROTOCOL = req.headers['git-protocol'];
    const cgi = spawn(realGit, ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    req.pipe(cgi.stdin);
    cgi.stdin.on('error', () => undefined);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(end + 4));
    });
    cgi.on('close', () => {
      if (!headersDone) res.writeHead(500).end('git http-backend failed\n');
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    authorizations,
    served: () => served,
    clientEnv: { GIT_SSL_CAINFO: caFile },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}

export interface GitRecorder {
  /** The directory holding the `git` wrapper (put it first on PATH). */
  readonly bin: string;
  /** Every git command line run through the wrapper, one per line. */
  commands(): string;
  /** The .git/config of every repository a git command ran in, after the command. */
  configs(): string;
  cleanup(): void;
}

/** A `git` wrapper that records its arguments and the repository's .git/config, then runs the real git. */
export function gitRecorder(): GitRecorder {
  const realGit = realGitPath();
  const bin = mkdtempSync(join(tmpdir(), 'kaji-git-wrapper-'));
  const commandsLog = join(bin, 'commands.log');
  const configsLog = join(bin, 'configs.log');
  writeFileSync(commandsLog, '');
  writeFileSync(configsLog, '');
  const script = `#!/bin/sh
printf '%s\\n' "$*" >> '${commandsLog}'
'${realGit}' "$@"
status=$?
if [ -f .git/config ]; then cat .git/config >> '${configsLog}'; fi
# a clone: its target is the last argument
for last in "$@"; do :; done
if [ -f "$last/.git/config" ]; then cat "$last/.git/config" >> '${configsLog}'; fi
exit $status
`;
  writeFileSync(join(bin, 'git'), script);
  chmodSync(join(bin, 'git'), 0o755);
  return {
    bin,
    commands: () => readFileSync(commandsLog, 'utf8'),
    configs: () => readFileSync(configsLog, 'utf8'),
    cleanup: () => rmSync(bin, { recursive: true, force: true }),
  };
}

/** A port on 127.0.0.1 nothing listens on (listened on, then closed): a URL there is unreachable. */
export async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  return port;
}

function realGitPath(): string {
  const path = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  if (!existsSync(path)) throw new Error(`git not found (${path})`);
  return path;
}
