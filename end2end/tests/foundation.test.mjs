// The foundation as a user meets it: sign-in, its failures, language, roles, sign-out.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PASSWORD, signIn, startPortal } from './portal.mjs';

let portal;
before(async () => {
  portal = await startPortal();
});
after(async () => {
  await portal?.stop();
});

test('a staff member signs in and sees who they are', async () => {
  const page = await portal.newPage();
  await page.goto('/');
  assert.match(page.url(), /\/login\?next=\/$/, 'anonymous visitors are sent to sign in');
  await signIn(page, 'e2e.agent');
  assert.equal(new URL(page.url()).pathname, '/');
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Xin chào, Võ Thị Lan');
  const header = await page.locator('header').textContent();
  assert.ok(header.includes('Nhân viên đơn vị') && header.includes('GD'), header);
  await page.context().close();
});

test('a wrong password says so without telling which part was wrong', async () => {
  const page = await portal.newPage();
  await signIn(page, 'e2e.agent', 'not-the-password');
  assert.equal(new URL(page.url()).pathname, '/login');
  const alert = page.getByRole('alert');
  assert.equal((await alert.textContent()).trim(), 'Tên đăng nhập hoặc mật khẩu không đúng.');
  await signIn(page, 'no.such.user', 'not-the-password');
  assert.equal((await page.getByRole('alert').textContent()).trim(), 'Tên đăng nhập hoặc mật khẩu không đúng.');
  await page.context().close();
});

test('the language switch turns the portal English and is remembered', async () => {
  const page = await portal.newPage();
  await signIn(page, 'e2e.exec');
  await page.getByRole('button', { name: 'Chuyển sang tiếng Anh' }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.ok((await page.getByRole('navigation', { name: 'Main navigation' }).textContent()).includes('Overview'));
  await page.goto('/reference');
  assert.ok(await page.getByRole('heading', { name: 'Ticket statuses' }).isVisible());
  await page.getByRole('button', { name: 'Switch to Vietnamese' }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  assert.ok(await page.getByRole('heading', { name: 'Trạng thái phiếu yêu cầu' }).isVisible());
  await page.context().close();
});

test('a branch user is refused the administration pages', async () => {
  const page = await portal.newPage();
  await signIn(page, 'e2e.agent');
  const nav = await page.getByRole('navigation', { name: 'Điều hướng chính' }).textContent();
  assert.ok(!nav.includes('Người dùng'), 'no admin entry in the navigation');
  const response = await page.goto('/admin/users');
  assert.equal(response.status(), 403);
  assert.ok(await page.getByRole('heading', { name: 'Không có quyền truy cập' }).isVisible());
  await page.context().close();
});

test('an admin creates an account; bad input is explained next to its field', async () => {
  const page = await portal.newPage();
  await signIn(page, 'e2e.admin');
  await page.getByRole('link', { name: 'Người dùng' }).click();
  const form = page.locator('form', { has: page.getByRole('button', { name: 'Tạo' }) });
  await form.getByLabel('Tên đăng nhập').fill('ab');
  await form.getByLabel('Vai trò').selectOption('branch_staff');
  await form.getByLabel('Đơn vị').selectOption({ index: 0 });
  await form.getByLabel('Mật khẩu ban đầu').fill(PASSWORD);
  await form.getByRole('button', { name: 'Tạo' }).click();
  await page.waitForLoadState('domcontentloaded');
  const again = page.locator('form', { has: page.getByRole('button', { name: 'Tạo' }) });
  assert.equal(await again.getByLabel('Tên đăng nhập').inputValue(), 'ab', 'what was typed is kept');
  assert.equal(await again.getByLabel('Tên đăng nhập').getAttribute('aria-invalid'), 'true');
  assert.ok((await again.textContent()).includes('Tên đăng nhập dài 3–40 ký tự.'));
  assert.ok((await again.textContent()).includes('Vai trò này phải gắn với một đơn vị.'));

  await again.getByLabel('Tên đăng nhập').fill('tong.dai.vien');
  await again.getByLabel('Họ và tên').fill('Nguyễn Thị Thu');
  await again.getByLabel('Đơn vị').selectOption('TD');
  await again.getByLabel('Mật khẩu ban đầu').fill(PASSWORD);
  await again.getByRole('button', { name: 'Tạo' }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.ok(await page.getByRole('status').filter({ hasText: 'Đã tạo người dùng.' }).isVisible());
  assert.ok((await page.getByRole('heading', { level: 1 }).textContent()).includes('tong.dai.vien'));
  await page.context().close();
});

test('signing out ends the session', async () => {
  const page = await portal.newPage();
  await signIn(page, 'e2e.exec');
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.equal(new URL(page.url()).pathname, '/login');
  await page.goto('/');
  assert.equal(new URL(page.url()).pathname, '/login');
  await page.context().close();
});

test('repeated wrong passwords lock sign-in with a clear message', async () => {
  const page = await portal.newPage();
  for (let attempt = 0; attempt < 5; attempt += 1) {
    await signIn(page, 'e2e.locked', `wrong-password-${attempt}`);
  }
  await signIn(page, 'e2e.locked');
  const message = (await page.getByRole('alert').textContent()).trim();
  assert.match(message, /^Đăng nhập tạm thời bị khoá do nhập sai nhiều lần\. Vui lòng thử lại sau \d+ giây\.$/);
  assert.equal(new URL(page.url()).pathname, '/login');
  await page.context().close();
});

test('pages work without JavaScript', async () => {
  const context = await portal.browser.newContext({ baseURL: portal.baseURL, javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, 'e2e.admin');
  assert.equal(new URL(page.url()).pathname, '/');
  await page.goto('/account');
  await page.getByLabel('Mật khẩu hiện tại').fill('wrong-current');
  await page.getByLabel('Mật khẩu mới', { exact: true }).fill('Một-mật-khẩu-mới');
  await page.getByLabel('Nhập lại mật khẩu mới').fill('Một-mật-khẩu-mới');
  await page.getByRole('button', { name: 'Đổi mật khẩu' }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.ok((await page.locator('main').textContent()).includes('Mật khẩu hiện tại không đúng.'));
  await context.close();
});
