import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildTestHub, createPage, DIALECTS, type TestHub } from '../../../test/helpers.js';
import { main } from '../../cli.js';
import { seedDemo } from '../../demo.js';
import { listDeclarations } from './declarations.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: page declarations`, () => {
    let hub: TestHub;
    beforeEach(async () => {
      hub = await buildTestHub({ dialect });
    });
    afterEach(async () => {
      await hub.dispose();
    });

    it('declares and rewords a category; refuses unknown categories, empty purposes and unknown pages', async () => {
      const bank = await createPage(hub);
      await hub.services.consents.declare(bank.page_id, 'fraud_alerts', '  Unusual payments.  ');
      await hub.services.consents.declare(bank.page_id, 'balances', 'Balance after payments.');
      await hub.services.consents.declare(bank.page_id, 'fraud_alerts', 'Payments that look unusual.');
      expect(await listDeclarations(hub.ctx.storage.db, bank.page_id)).toEqual([
        { category: 'balances', purpose: 'Balance after payments.' },
        { category: 'fraud_alerts', purpose: 'Payments that look unusual.' },
      ]);
      await expect(hub.services.consents.declare(bank.page_id, 'advertising', 'Offers.')).rejects.toMatchObject({
        key: 'INVALID_PARAMETER',
      });
      await expect(hub.services.consents.declare(bank.page_id, 'balances', '   ')).rejects.toMatchObject({
        key: 'INVALID_PARAMETER',
      });
      await expect(hub.services.consents.declare('999', 'balances', 'x')).rejects.toMatchObject({ key: 'NOT_FOUND' });
      expect(await listDeclarations(hub.ctx.storage.db, bank.page_id)).toHaveLength(2);
    });

    it('seeds the demo pages with their declarations, once', async () => {
      await seedDemo(hub);
      await seedDemo(hub);
      const pages = await hub.services.pages.searchPages('sandbox', 10);
      const of = async (name: string) =>
        (await listDeclarations(hub.ctx.storage.db, pages.find((p) => p.name === name)?.id ?? '')).map(
          (d) => d.category,
        );
      expect(await of('Sandbox Bank')).toEqual(['balances', 'transactions', 'fraud_alerts']);
      expect(await of('Sandbox Shop')).toEqual(['receipts', 'shipping']);
    });
  });
}

describe('confide page declare', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'confide-cli-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    vi.restoreAllMocks();
  });

  it('declares a category from the command line and refuses a missing purpose', async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    const common = ['--data-dir', dir];
    expect(await main(['page', 'create', '--name', 'CLI Bank', '--category', 'bank', '--json', ...common])).toBe(0);
    const pageId = (JSON.parse(out.find((l) => l.startsWith('{')) ?? '{}') as { page_id: string }).page_id;
    out.length = 0;
    expect(
      await main([
        'page',
        'declare',
        '--page',
        pageId,
        '--category',
        'fraud_alerts',
        '--purpose',
        'Unusual payments.',
        '--json',
        ...common,
      ]),
    ).toBe(0);
    expect(JSON.parse(out.find((l) => l.startsWith('{')) ?? '{}')).toEqual({
      category: 'fraud_alerts',
      purpose: 'Unusual payments.',
    });
    expect(await main(['page', 'declare', '--page', pageId, '--category', 'balances', ...common])).toBe(1);
    expect(out.join('')).toContain('page declare needs --page, --category and --purpose');
  });
});
