// Tickets as a call-center agent works them: create, find without accents, walk the
// workflow, attach photos.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import { signIn, startPortal } from './portal.mjs';

let portal;
before(async () => {
  portal = await startPortal();
});
after(async () => {
  await portal?.stop();
});

async function openKind(page, kindLabel) {
  await page.goto('/tickets/new');
  await page.getByRole('navigation', { name: 'Loại yêu cầu' }).getByRole('link', { name: kindLabel, exact: true }).click();
  await page.waitForLoadState('domcontentloaded');
}

async function fillCustomer(page, { name, phone, address, contract, branch }) {
  const form = page.locator('form.ticket-form');
  if (contract) await form.getByLabel('Mã danh bộ').fill(contract);
  await form.getByLabel('Họ tên khách hàng').fill(name);
  await form.getByLabel('Số điện thoại').fill(phone);
  if (address) await form.getByLabel('Địa chỉ', { exact: true }).fill(address);
  if (branch) await form.getByLabel('Đơn vị').selectOption(branch);
  return form;
}

async function submit(page, form) {
  await form.getByRole('button', { name: 'Tạo phiếu' }).click();
  await page.waitForLoadState('domcontentloaded');
}

test('an agent creates tickets of several kinds through the form', async () => {
  const page = await portal.newPage();
  await signIn(page, 'e2e.admin');

  await openKind(page, 'Báo sự cố');
  let form = await fillCustomer(page, { name: 'Nguyễn Văn Đức', phone: '0912 345 678', address: '12 Lê Lợi, Phường Bến Nghé', branch: 'GD' });
  await form.getByLabel('Nội dung yêu cầu').fill('Bể ống nước trước nhà');
  await submit(page, form);
  assert.match(new URL(page.url()).pathname, /^\/tickets\/\d+$/);
  assert.ok(await page.getByRole('status').filter({ hasText: 'Đã tạo phiếu.' }).isVisible());
  assert.match(await page.getByRole('heading', { level: 1 }).textContent(), /^GD-\d{7}/);

  await openKind(page, 'Báo chỉ số nước');
  form = await fillCustomer(page, { name: 'Trần Thị Bích', phone: '84908123456', contract: '1234 567 8901', branch: 'CL' });
  await form.getByLabel('Chỉ số nước').fill('1532');
  await form.getByLabel('Tháng').fill('11');
  await form.getByLabel('Năm').fill('2026');
  await submit(page, form);
  assert.ok((await page.locator('main').textContent()).includes('1532 (11/2026)'));

  await openKind(page, 'Đăng ký định mức');
  form = await fillCustomer(page, { name: 'Lê Văn Cường', phone: '0987654321', contract: '11112222333', branch: 'GD' });
  await form.getByLabel('Số CCCD').first().fill('079201012345');
  await form.getByLabel('Họ tên trên CCCD').first().fill('Lê Văn Cường');
  await submit(page, form);
  assert.ok((await page.locator('main').textContent()).includes('*********345'), 'members shown with masked ids');

  await openKind(page, 'Đăng ký gắn mới ĐHN');
  form = await fillCustomer(page, { name: 'Công ty TNHH Nước Xanh', phone: '028 3822 1234', address: '5 Võ Văn Ngân', branch: 'TD' });
  await form.getByLabel('Loại khách hàng').selectOption('2');
  await form.getByLabel('Mã số thuế').fill('0312345678');
  await form.getByLabel('Người liên hệ', { exact: true }).fill('Võ Minh');
  await form.getByLabel('Điện thoại người liên hệ').fill('0901234567');
  await submit(page, form);
  assert.ok((await page.locator('main').textContent()).includes('0312345678'));
  await page.context().close();
});

test('a form with mistakes explains each field and keeps what was typed', async () => {
  const page = await portal.newPage();
  await signIn(page, 'e2e.admin');
  await openKind(page, 'Báo chỉ số nước');
  const form = await fillCustomer(page, { name: 'Ngô Thị Giang', phone: '09123', contract: '12345', branch: 'GD' });
  await form.getByLabel('Tháng').fill('13');
  await submit(page, form);
  const again = page.locator('form.ticket-form');
  const text = await again.textContent();
  assert.ok(text.includes('Mã danh bộ gồm đúng 11 chữ số.'), text);
  assert.ok(text.includes('Số điện thoại viết dạng 0xxxxxxxxx'));
  assert.equal(await again.getByLabel('Họ tên khách hàng').inputValue(), 'Ngô Thị Giang');
  assert.equal(await again.getByLabel('Tháng').getAttribute('aria-invalid'), 'true');
  await page.context().close();
});

test('a ticket is found without accents and walked through its statuses', async () => {
  const page = await portal.newPage();
  await signIn(page, 'e2e.admin');
  await page.goto('/tickets');
  await page.getByLabel('Tìm kiếm').fill('nguyen van duc');
  await page.getByRole('button', { name: 'Lọc' }).click();
  await page.waitForLoadState('domcontentloaded');
  const rows = page.getByTestId('tickets-table').locator('tbody tr');
  assert.equal(await rows.count(), 1);
  await rows.first().getByRole('link').click();
  await page.waitForLoadState('domcontentloaded');

  const status = async (label) => {
    await page.getByLabel('Trạng thái', { exact: true }).selectOption({ label });
    await page.getByRole('button', { name: 'Chuyển trạng thái' }).click();
    await page.waitForLoadState('domcontentloaded');
  };
  await status('Đang xử lý');
  assert.ok((await page.locator('h1').textContent()).includes('Đang xử lý'));
  await status('Đã xử lý');
  assert.ok(
    (await page.locator('main').textContent()).includes('Cần nhập nội dung phản hồi cho khách hàng trước khi chuyển sang Đã xử lý.'),
    'the refused transition is explained',
  );
  await page.getByLabel('Phản hồi cho khách hàng').fill('Đã thay đoạn ống bị bể.');
  await page.locator('form', { has: page.getByLabel('Phản hồi cho khách hàng') }).getByRole('button', { name: 'Lưu' }).click();
  await page.waitForLoadState('domcontentloaded');
  await page.getByLabel('Ghi chú nội bộ').fill('Khách hẹn buổi chiều.');
  await page.getByRole('button', { name: 'Thêm ghi chú' }).click();
  await page.waitForLoadState('domcontentloaded');
  await status('Đã xử lý');
  await status('Đóng');
  const timeline = await page.locator('ol.timeline').textContent();
  for (const text of ['tạo phiếu', 'Mới → Đang xử lý', 'Đang xử lý → Đã xử lý', 'Đã xử lý → Đóng', 'Khách hẹn buổi chiều.']) {
    assert.ok(timeline.includes(text), `timeline shows ${text}`);
  }
  await page.context().close();
});

test('a branch user sees only their branch', async () => {
  const page = await portal.newPage();
  await signIn(page, 'e2e.agent');
  await page.goto('/tickets');
  const branches = await page.getByTestId('tickets-table').locator('tbody td.branch').allTextContents();
  assert.ok(branches.length >= 2, 'the GD tickets are listed');
  assert.ok(branches.every((code) => code === 'GD'), branches.join(','));
  await page.goto('/tickets?q=tran+thi+bich');
  assert.ok((await page.locator('main').textContent()).includes('Không có phiếu nào phù hợp.'));
  await page.context().close();
});

/** A real PNG of `width` × `height` pixels of one colour, made here rather than kept as a fixture. */
function png(width, height, [red, green, blue]) {
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const check = Buffer.alloc(4);
    check.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, check]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array(width).fill([red, green, blue]).flat())]);
  const pixels = deflateSync(Buffer.concat(Array(height).fill(row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

test('a photo attached to a ticket is shown on it; a file that is not an image or PDF is refused', async () => {
  const page = await portal.newPage();
  await signIn(page, 'e2e.admin');
  await openKind(page, 'Báo sự cố');
  const form = await fillCustomer(page, { name: 'Đặng Thị Hoa', phone: '0933 111 222', address: '8 Pasteur, Phường Bến Thành', branch: 'SG' });
  await form.getByLabel('Nội dung yêu cầu').fill('Nước rò rỉ ở đồng hồ, có ảnh chụp');
  await submit(page, form);
  const ticketPath = new URL(page.url()).pathname;
  assert.match(ticketPath, /^\/tickets\/\d+$/);

  const attachments = page.getByRole('region', { name: 'Tệp đính kèm' });
  await attachments.getByLabel('Chọn tệp').setInputFiles({ name: 'dong-ho-ro-ri.png', mimeType: 'image/png', buffer: png(40, 30, [30, 120, 200]) });
  await attachments.getByRole('button', { name: 'Tải lên' }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.equal(new URL(page.url()).pathname, ticketPath);
  assert.ok(await page.getByRole('status').filter({ hasText: 'Đã tải tệp lên.' }).isVisible());
  const image = attachments.getByRole('img', { name: 'dong-ho-ro-ri.png' });
  await image.scrollIntoViewIfNeeded(); // the image is lazy-loaded
  // decode() rejects an image the browser cannot render; the pixel read back proves the
  // bytes stored and served are the ones uploaded.
  const shown = await image.evaluate(async (element) => {
    await element.decode();
    const canvas = document.createElement('canvas');
    canvas.width = element.naturalWidth;
    canvas.height = element.naturalHeight;
    const context = canvas.getContext('2d');
    context.drawImage(element, 0, 0);
    return { width: element.naturalWidth, height: element.naturalHeight, pixel: [...context.getImageData(5, 5, 1, 1).data] };
  });
  assert.deepEqual(shown, { width: 40, height: 30, pixel: [30, 120, 200, 255] }, 'the image is shown as uploaded');
  const link = await attachments.getByRole('link', { name: 'dong-ho-ro-ri.png' }).first().getAttribute('href');
  const served = await page.request.get(link);
  assert.equal(served.headers()['content-type'], 'image/png');
  assert.ok((await page.locator('ol.timeline').textContent()).includes('đính kèm tệp'), 'the upload is on the timeline');

  // Named like a photo, but the content decides.
  await attachments.getByLabel('Chọn tệp').setInputFiles({ name: 'hoa-don.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('Hóa đơn tháng 11: 245.000 đ\n') });
  await attachments.getByRole('button', { name: 'Tải lên' }).click();
  await page.waitForLoadState('domcontentloaded');
  assert.equal(new URL(page.url()).pathname, ticketPath);
  const alert = attachments.getByRole('alert');
  assert.equal(
    (await alert.textContent()).trim(),
    'Chỉ nhận ảnh JPEG, PNG, GIF, WEBP hoặc PDF (kiểm tra theo nội dung tệp).',
    'the refusal says why',
  );
  assert.equal(await attachments.locator('li.attachment').count(), 1, 'nothing was stored');
  assert.equal(await attachments.getByRole('link', { name: 'hoa-don.jpg' }).count(), 0);
  await page.context().close();
});
