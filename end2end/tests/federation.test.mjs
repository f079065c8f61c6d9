// Two portals: SAWACO's TCRM (HQ) and Gia Định's own TCRM. A ticket created at HQ
// is processed at the branch, and HQ shows the result.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PASSWORD, signIn, startPortal } from './portal.mjs';

let hq;
let branch;
before(async () => {
  hq = await startPortal({ apiAccounts: [{ username: 'gd_tcrm', kind: 'branch', branch: 'GD' }] });
  branch = await startPortal({
    env: {
      TCRM_ROLE: 'branch',
      TCRM_BRANCH: 'GD',
      TCRM_HQ_URL: hq.baseURL,
      TCRM_HQ_USERNAME: 'gd_tcrm',
      TCRM_HQ_PASSWORD: PASSWORD,
      TCRM_OUTBOX_BACKOFF_MS: '200',
    },
    apiAccounts: [{ username: 'sawaco_hq', kind: 'hq' }],
  });
});
after(async () => {
  await branch?.stop();
  await hq?.stop();
});

/**
 * Waits until the page's own URL, fetched again from the page, serves an element
 * matching `selector` whose text holds `text` (the outbox delivers within a second
 * or two), then reloads the page to show it. The check is synchronous (a
 * synchronous XMLHttpRequest): Playwright's waitForFunction does not await a
 * promise a predicate returns.
 */
async function untilServed(page, selector, text, what) {
  try {
    await page.waitForFunction(
      ({ selector, text }) => {
        const request = new XMLHttpRequest();
        request.open('GET', location.href, false);
        request.send();
        const served = new DOMParser().parseFromString(request.responseText, 'text/html');
        return [...served.querySelectorAll(selector)].some((node) => node.textContent.includes(text));
      },
      { selector, text },
      { polling: 250, timeout: 20_000 },
    );
  } catch {
    assert.fail(`timed out waiting for ${what}`);
  }
  await page.reload();
}

test('a ticket created at HQ is processed at the branch and HQ sees the result', async () => {
  const atHq = await hq.newPage();
  await signIn(atHq, 'e2e.admin');

  // HQ points GD at the branch's TCRM.
  await atHq.goto('/admin/branches');
  const gd = atHq.locator('#branch-GD');
  await gd.getByLabel('Địa chỉ TCRM chính thức (production)').fill(branch.baseURL);
  await gd.getByLabel('Tài khoản API tại đơn vị').fill('sawaco_hq');
  await gd.getByLabel('Mật khẩu tài khoản API').fill(PASSWORD);
  await gd.getByLabel('Bật gửi phiếu sang TCRM của đơn vị').check();
  await gd.getByRole('button', { name: 'Lưu' }).click();
  await atHq.waitForLoadState('domcontentloaded');
  assert.ok((await atHq.locator('main').textContent()).includes('Đã lưu cấu hình kết nối.'));

  // A call-center agent at HQ takes an incident for GD.
  await atHq.goto('/tickets/new');
  await atHq.getByRole('navigation', { name: 'Loại yêu cầu' }).getByRole('link', { name: 'Báo sự cố', exact: true }).click();
  const form = atHq.locator('form.ticket-form');
  await form.getByLabel('Họ tên khách hàng').fill('Phan Thị Hồng');
  await form.getByLabel('Số điện thoại').fill('0903 111 222');
  await form.getByLabel('Địa chỉ', { exact: true }).fill('45 Phan Đăng Lưu, Bình Thạnh');
  await form.getByLabel('Đơn vị').selectOption('GD');
  await form.getByLabel('Nội dung yêu cầu').fill('Mất nước từ sáng, liên thông');
  await form.getByRole('button', { name: 'Tạo phiếu' }).click();
  await atHq.waitForLoadState('domcontentloaded');
  const hqTicket = new URL(atHq.url()).pathname;
  assert.match(hqTicket, /^\/tickets\/\d+$/);

  // At Gia Định, the ticket arrives; a technician processes it.
  const atBranch = await branch.newPage();
  await signIn(atBranch, 'e2e.admin');
  await atBranch.goto('/tickets?q=lien+thong');
  const rows = atBranch.getByTestId('tickets-table').locator('tbody tr');
  await untilServed(atBranch, '[data-testid="tickets-table"] tbody tr', 'Phan Thị Hồng', 'the ticket at the branch');
  assert.equal(await rows.count(), 1);
  await rows.first().getByRole('link').first().click();
  await atBranch.waitForLoadState('domcontentloaded');
  const status = async (label) => {
    await atBranch.getByLabel('Trạng thái', { exact: true }).selectOption({ label });
    await atBranch.getByRole('button', { name: 'Chuyển trạng thái' }).click();
    await atBranch.waitForLoadState('domcontentloaded');
  };
  await status('Đang xử lý');
  await atBranch.getByLabel('Phản hồi cho khách hàng').fill('Đã sửa van tổng, nước có lại lúc 14h.');
  await atBranch.locator('form', { has: atBranch.getByLabel('Phản hồi cho khách hàng') }).getByRole('button', { name: 'Lưu' }).click();
  await atBranch.waitForLoadState('domcontentloaded');
  await status('Đã xử lý');
  assert.ok((await atBranch.locator('h1').textContent()).includes('Đã xử lý'));

  // HQ shows the branch's result.
  await atHq.goto(hqTicket);
  await untilServed(atHq, 'h1', 'Đã xử lý', 'the status at HQ');
  const main = await atHq.locator('main').textContent();
  assert.ok(main.includes('Đã sửa van tổng, nước có lại lúc 14h.'), 'the solution reached HQ');
  assert.ok(main.includes('API · gd_tcrm'), 'the timeline names the branch');
  await atHq.context().close();
  await atBranch.context().close();
});
