// API accounts as an administrator manages them: create with a generated
// password shown exactly once, a refused form kept filled in, deactivation.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signIn, startPortal } from './portal.mjs';

let portal;
before(async () => {
  portal = await startPortal();
});
after(async () => {
  await portal?.stop();
});

async function create(page) {
  await page.getByRole('button', { name: 'Tạo', exact: true }).click();
  await page.waitForLoadState('domcontentloaded');
}

test('an admin creates an account and sees its generated password once', async () => {
  const page = await portal.newPage();
  await page.setViewportSize({ width: 1366, height: 900 });
  await signIn(page, 'e2e.admin');
  await page.getByRole('navigation', { name: 'Điều hướng chính' }).getByRole('link', { name: 'Tài khoản API' }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.equal(new URL(page.url()).pathname, '/admin/api-accounts');

  await page.getByLabel('Tên đăng nhập').fill('gd.erp');
  await page.getByLabel('Loại', { exact: true }).selectOption('branch');
  await page.getByLabel('Email').fill('it@capnuocgiadinh.vn');
  await create(page);
  const branch = page.getByLabel('Đơn vị');
  assert.equal(await branch.getAttribute('aria-invalid'), 'true', 'a branch account needs its branch');
  assert.equal(await page.getByLabel('Tên đăng nhập').inputValue(), 'gd.erp', 'what was typed is kept');

  await branch.selectOption('GD');
  await create(page);
  assert.match(new URL(page.url()).pathname, /^\/admin\/api-accounts\/\d+$/);
  assert.equal((await page.getByRole('status').first().textContent()).trim(), 'Đã tạo tài khoản API.');
  const password = (await page.getByTestId('generated-password').textContent()).trim();
  assert.match(password, /^[A-Za-z0-9]{24}$/);
  assert.ok(!page.url().includes(password), 'never in the address');

  await page.reload();
  assert.equal(await page.getByTestId('generated-password').count(), 0, 'shown only once');

  await page.getByRole('button', { name: 'Khoá tài khoản' }).click();
  await page.waitForLoadState('domcontentloaded');
  await page.goto('/admin/api-accounts');
  const row = page.getByTestId('api-accounts-table').getByRole('row', { name: /gd\.erp/ });
  const text = await row.textContent();
  assert.ok(text.includes('Phần mềm đơn vị (branch)') && text.includes('GD') && text.includes('Đã khoá'), text);
  await page.context().close();
});

test('staff without administration rights get no entry and a refusal', async () => {
  const page = await portal.newPage();
  await signIn(page, 'e2e.agent');
  const nav = await page.getByRole('navigation', { name: 'Điều hướng chính' }).textContent();
  assert.ok(!nav.includes('Tài khoản API'), nav);
  const response = await page.goto('/admin/api-accounts');
  assert.equal(response.status(), 403);
  await page.context().close();
});
