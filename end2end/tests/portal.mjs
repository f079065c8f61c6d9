// Starts a TCRM portal of its own for a test file: a fresh SQLite data dir, the
// fixture accounts created through the real CLI, the server bound to port 0 (its
// address read from its own log line), and headless Debian Chromium.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

export const PASSWORD = 'Nước-sạch-2026!';

const binary = process.env.TCRM_BIN ?? resolve(import.meta.dirname, '../../target/debug/tcrm');

export const ACCOUNTS = [
  { username: 'e2e.admin', role: 'admin', name: 'Phạm Quốc Anh' },
  { username: 'e2e.agent', role: 'branch_staff', branch: 'GD', name: 'Võ Thị Lan' },
  { username: 'e2e.locked', role: 'branch_staff', branch: 'CL', name: 'Đỗ Minh Tuấn' },
  { username: 'e2e.exec', role: 'executive', name: 'Hồ Văn Sáu' },
];

function run(args, env, input = '') {
  const result = spawnSync(binary, args, { env, input, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`tcrm ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  }
}

// `env` adds to the portal's environment (e.g. TCRM_ROLE=branch); `apiAccounts`
// ({ username, kind, branch }) are created with `tcrm api-account create`.
export async function startPortal({ env: extraEnv = {}, apiAccounts = [] } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tcrm-e2e-'));
  const env = {
    ...process.env,
    DATABASE_URL: '',
    TCRM_DATA_DIR: dataDir,
    TCRM_ADDR: '127.0.0.1:0',
    TCRM_LOG_FORMAT: 'json',
    RUST_LOG: 'info',
    ...extraEnv,
  };
  for (const account of ACCOUNTS) {
    const args = ['user', 'create', '--username', account.username, '--role', account.role, '--name', account.name];
    if (account.branch) args.push('--branch', account.branch);
    run(args, env, `${PASSWORD}\n`);
  }
  for (const account of apiAccounts) {
    const args = ['api-account', 'create', '--username', account.username, '--kind', account.kind];
    if (account.branch) args.push('--branch', account.branch);
    run(args, env, `${PASSWORD}\n`);
  }
  const server = spawn(binary, ['serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const baseURL = await new Promise((resolveUrl, reject) => {
    const lines = createInterface({ input: server.stderr });
    lines.on('line', (line) => {
      try {
        const event = JSON.parse(line);
        if (event.fields?.addr) resolveUrl(`http://${event.fields.addr}`);
      } catch {
        // not a JSON log line
      }
    });
    server.once('exit', (code) => reject(new Error(`tcrm serve exited with ${code}`)));
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  return {
    baseURL,
    browser,
    async newPage() {
      const context = await browser.newContext({ baseURL, locale: 'vi-VN' });
      return context.newPage();
    },
    async stop() {
      await browser.close();
      server.kill('SIGTERM');
      await new Promise((done) => server.once('exit', done));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function signIn(page, username, password = PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForLoadState('domcontentloaded');
}
