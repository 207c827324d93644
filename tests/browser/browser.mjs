// The web pages of `reflite serve` in Debian's Chromium, headless, as a person uses them.
// Usage: node browser.mjs ENGINE BASE_URL   (tests/browser.sh starts the server)
// Every step asserts what the page shows; a Content-Security-Policy violation or a script
// error on any page fails the run.  With SCREENSHOTS=DIR the main pages are saved there.
import puppeteer from 'puppeteer-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';

const [engine, base] = process.argv.slice(2);
const shots = process.env.SCREENSHOTS || '';
if (shots) mkdirSync(shots, { recursive: true });

const browser = await puppeteer.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
});
const problems = [];
let failed = 0;

async function newPage(width = 1200) {
  const page = await browser.newPage();
  await page.setViewport({ width, height: 900 });
  // a page's own status (409 for a refused form) is not a problem; a stylesheet, script, icon
  // or fetch that fails, a script error or a Content-Security-Policy refusal is
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
      problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.request().resourceType() !== 'document' && r.status() >= 400)
      problems.push(`${r.status()} for ${r.url()}`);
  });
  page.on('pageerror', (e) => problems.push(`script: ${e.message}`));
  return page;
}

const rowsShown = (page) => page.$$eval('table.rows > tbody > tr', (rows) => rows.length);
const texts = (page, sel) => page.$$eval(sel, (els) => els.map((e) => e.textContent.trim()));
async function follow(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}
async function shot(page, name) {
  if (shots) await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
}
async function json(path) {
  const r = await fetch(base + path, { headers: { Accept: 'application/json' } });
  return r.json();
}

const steps = [];
const step = (name, fn) => steps.push([name, fn]);

step('the tables, counted, with the diagram of their keys', async (page) => {
  await page.goto(base + '/');
  assert.equal(await page.title(), 'database - reflite');
  const names = await texts(page, 'table.tables td:first-child a');
  assert.deepEqual(names, ['authors', 'books', 'reviews']);
  assert.equal(await page.$$eval('svg.diagram line', (l) => l.length), 2);
  await shot(page, 'home');
});

step('a key both ways: book -> its author -> the author\'s books', async (page) => {
  await page.goto(base + '/');
  await follow(page, 'a[href="/books"]');
  assert.equal(await rowsShown(page), 5);
  const labels = await texts(page, 'table.rows a.label[href^="/authors/"]');
  assert.deepEqual(labels, ['Le Guin', 'Le Guin', 'Tolkien', 'Tolkien', 'Butler']);
  await shot(page, 'table');
  await follow(page, 'table.rows a.label[href="/authors/2"]');
  assert.ok(page.url().endsWith('/authors/2'));
  assert.equal(await page.$eval('dl.row', (d) => d.textContent.includes('Tolkien')), true);
  const refs = await texts(page, 'ul.refs a');
  assert.deepEqual(refs, ['2 rows of books']);
  await shot(page, 'row');
  await follow(page, 'ul.refs a');
  assert.ok(decodeURIComponent(page.url()).endsWith('/books?author_id=eq.2'));
  assert.deepEqual(await texts(page, 'table.rows td:nth-child(2)'), ['The Hobbit', 'The Silmarillion']);
});

step('a filter written with the form', async (page) => {
  await page.goto(base + '/books');
  await page.select('form.filters select[name="_col"]', 'title');
  await page.select('form.filters select[name="_op"]', 'ilike');
  await page.type('form.filters input[name="_val"]', '*hobbit*');
  await follow(page, 'form.filters button');
  assert.ok(decodeURIComponent(page.url()).endsWith('/books?title=ilike.*hobbit*'));
  assert.equal(await rowsShown(page), 1);
  await follow(page, '.chip a'); // the filter removed again
  assert.equal(await rowsShown(page), 5);
});

step('a facet', async (page) => {
  await page.goto(base + '/books');
  const facet = await page.$$eval('section.facet', (s) =>
    s.map((f) => [f.querySelector('h3').textContent, f.querySelectorAll('li').length]));
  assert.deepEqual(facet, [['author_id', 3], ['in_print', 2]]);
  await follow(page, 'section.facet a[href$="in_print=eq.false"]');
  assert.deepEqual(await texts(page, 'table.rows td:nth-child(2)'), ['The Silmarillion']);
});

step('pages of rows, and back to the first', async (page) => {
  await page.goto(base + '/books?_size=2');
  const seen = [];
  for (;;) {
    seen.push(...await texts(page, 'table.rows td:nth-child(2)'));
    if (!(await page.$('a[rel="next"]'))) break;
    await follow(page, 'a[rel="next"]');
  }
  assert.equal(seen.length, 5);
  assert.equal(new Set(seen).size, 5);
  await follow(page, 'a[rel="first"]');
  assert.equal(await rowsShown(page), 2);
});

step('insert a row, its key picked by the parent\'s name', async (page) => {
  await page.goto(base + '/books');
  await page.click('details.edit summary');
  await page.type('form.edit input[name="title"]', 'Parable of the Sower');
  await page.type('form.edit input[name="author_id"]', 'Butl');
  await page.waitForFunction(() => {
    const o = document.querySelectorAll('#l2 option');
    return o.length === 1 && o[0].value === '3' && o[0].textContent === 'Butler';
  });
  await page.$eval('form.edit input[name="author_id"]', (i) => { i.value = '3'; });
  await page.type('form.edit input[name="price"]', '7.5');
  await follow(page, 'form.edit button');
  assert.match(page.url(), /\/books\/\d+$/);
  assert.equal(await page.$eval('dl.row', (d) => d.textContent.includes('Parable of the Sower')), true);
  const rows = await json('/books?title=eq.Parable%20of%20the%20Sower');
  assert.equal(rows.length, 1);
  assert.equal(rows[0].author_id, 3);
});

step('a refused insert: the sentence next to its field, what was typed kept', async (page) => {
  await page.goto(base + '/books');
  await page.click('details.edit summary');
  await page.type('form.edit input[name="title"]', 'Nobody\'s book');
  await page.type('form.edit input[name="author_id"]', '999');
  await follow(page, 'form.edit button');
  const error = await page.$eval('input[name="author_id"] ~ .field-error', (p) => p.textContent);
  assert.match(error, /author_id = 999 has no matching row in authors/);
  assert.equal(await page.$eval('input[name="title"]', (i) => i.value), 'Nobody\'s book');
  await shot(page, 'refused');
  assert.equal((await json('/books?author_id=eq.999')).length, 0);
});

step('a delete that cascades, said before it is confirmed', async (page) => {
  await page.goto(base + '/authors/2');
  await follow(page, 'a.delete');
  const said = await texts(page, '#consequences li');
  assert.deepEqual(said, [
    '2 rows of books will be deleted with it (ON DELETE CASCADE, through author_id)',
    '2 rows of reviews will be deleted with it (ON DELETE CASCADE, through book_id)',
  ]);
  await shot(page, 'delete');
  await follow(page, 'form.edit button');
  assert.ok(page.url().endsWith('/authors'));
  assert.equal((await json('/authors?id=eq.2')).length, 0);
  assert.equal((await json('/books?author_id=eq.2')).length, 0);
  assert.equal((await json('/reviews')).length, 1);
});

step('a hostile value is text, and a narrow screen scrolls the table, not the page', async (page) => {
  await page.goto(base + '/authors');
  assert.ok((await texts(page, 'table.rows td')).includes('<script>alert(1)</script>'));
  const narrow = await newPage(360);
  await narrow.goto(base + '/books');
  const wide = await narrow.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 360, `the page is ${wide} pixels wide on a 360-pixel screen`);
  await narrow.close();
});

for (const [name, fn] of steps) {
  const page = await newPage();
  try {
    await fn(page);
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name} (${engine}): ${e.message}`);
  }
  await page.close();
}
await browser.close();
for (const p of problems) console.log(`FAIL ${p}`);
process.exit(failed || problems.length ? 1 : 0);
