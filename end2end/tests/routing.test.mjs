// HQ's unrouted queue: a ticket taken without knowing its branch waits for HQ
// staff, who route it from its page with a reason; a branch user never sees it.
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

test('an unrouted ticket waits in the queue until HQ routes it', async () => {
  const page = await portal.newPage();
  await signIn(page, 'e2e.admin');
  await page.goto('/tickets/new');
  await page.getByRole('navigation', { name: 'Loại yêu cầu' }).getByRole('link', { name: 'Báo sự cố', exact: true }).click();
  const form = page.locator('form.ticket-form');
  await form.getByLabel('Họ tên khách hàng').fill('Lê Văn Tám');
  await form.getByLabel('Số điện thoại').fill('0903 111 222');
  await form.getByLabel('Địa chỉ', { exact: true }).fill('12 Lê Lợi');
  assert.equal(await form.getByLabel('Đơn vị').inputValue(), '', 'no branch is chosen for the agent');
  await form.getByLabel('Nội dung yêu cầu').fill('Nước đục, chưa rõ đơn vị');
  await form.getByRole('button', { name: 'Tạo phiếu' }).click();
  await page.waitForLoadState('domcontentloaded');
  const ticketPath = new URL(page.url()).pathname;
  assert.match(ticketPath, /^\/tickets\/\d+$/);
  const code = (await page.locator('h1').textContent()).trim();
  assert.match(code, /^HQ-\d{7}/);

  // The queue and the home card show it to HQ…
  await page.goto('/tickets?branch=unrouted');
  assert.ok((await page.locator('main table').textContent()).includes(code.slice(0, 10)));
  await page.goto('/');
  assert.equal((await page.getByTestId('unrouted-count').textContent()).trim(), '1');

  // …but not to a branch user.
  const agent = await portal.newPage();
  await signIn(agent, 'e2e.agent');
  const response = await agent.goto(ticketPath);
  assert.equal(response.status(), 404);

  // Routing needs a branch and a reason, each refusal next to its field.
  await page.goto(ticketPath);
  const route = page.locator('form', { has: page.getByRole('button', { name: 'Phân phiếu cho đơn vị' }) });
  await route.getByRole('button', { name: 'Phân phiếu cho đơn vị' }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.equal(await route.getByLabel('Đơn vị').getAttribute('aria-invalid'), 'true');
  assert.equal(await route.getByLabel('Lý do chuyển').getAttribute('aria-invalid'), 'true');
  await route.getByLabel('Đơn vị').selectOption('GD');
  await route.getByLabel('Lý do chuyển').fill('Địa chỉ thuộc Gia Định');
  await route.getByRole('button', { name: 'Phân phiếu cho đơn vị' }).click();
  await page.waitForLoadState('domcontentloaded');
  const facts = await page.locator('dl.facts').textContent();
  assert.ok(facts.includes('GD'), facts);
  const timeline = await page.locator('main').textContent();
  assert.ok(timeline.includes('phân phiếu cho đơn vị') && timeline.includes('GD — Địa chỉ thuộc Gia Định'), timeline);

  // Now the GD agent works it.
  const routed = await agent.goto(ticketPath);
  assert.equal(routed.status(), 200);
});
