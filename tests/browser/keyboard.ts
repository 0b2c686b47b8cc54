/** Keyboard reachability: what Tab visits, in order, from the top of the page. */
import type { Page } from 'playwright-core';

/** Presses Tab up to `max` times from the document's start and returns each focused control's accessible name (or text). */
export async function tabStops(page: Page, max = 80): Promise<string[]> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const names: string[] = [];
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    const name = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (el === null || el === document.body) return null;
      const labelled =
        el.getAttribute('aria-label') ??
        (el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`)?.textContent : null) ??
        el.closest('label')?.textContent;
      return (labelled ?? el.textContent ?? '').replace(/\s+/g, ' ').trim();
    });
    if (name === null) break;
    names.push(name);
  }
  return names;
}
