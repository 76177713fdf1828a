// Takes the README's pictures from a running AppHost with headless Chromium (puppeteer-core).
// Run by docs/screenshots.sh, which starts the AppHost and makes the traffic first.
// Usage: node docs/screenshots.mjs <dashboard login URL> [output folder]
// Environment: CHROMIUM (default /usr/bin/chromium), PROMETHEUS_URL (default http://localhost:9090).
import { mkdir } from 'node:fs/promises';
import puppeteer from 'puppeteer-core';

const [loginUrl, outDir = new URL('./images/', import.meta.url).pathname] = process.argv.slice(2);
if (!loginUrl?.includes('/login?t=')) {
  console.error('usage: node docs/screenshots.mjs http://localhost:15080/login?t=<token> [output folder]');
  process.exit(2);
}
const dashboard = new URL(loginUrl).origin;
const prometheus = process.env.PROMETHEUS_URL ?? 'http://localhost:9090';
const meter = 'CacheLayer.Cache';
const instrument = 'cachelayer.cache.hits';
const hitsPerRoute = 'sum by (http_route, cachelayer_tier) (rate(cachelayer_cache_hits_total[1m]))';
const hitRatio = 'sum by (http_route) (rate(cachelayer_cache_hits_total[1m]))'
  + ' / (sum by (http_route) (rate(cachelayer_cache_hits_total[1m])) + sum by (http_route) (rate(cachelayer_cache_misses_total[1m])))';
const waitMs = 60_000;

await mkdir(outDir, { recursive: true });
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--hide-scrollbars'],
  defaultViewport: { width: 1440, height: 900 },
});
try {
  const page = await browser.newPage();
  // The login link sets the dashboard's auth cookie, as when a user opens it from the console.
  await page.goto(loginUrl, { waitUntil: 'networkidle2' });
  if (new URL(page.url()).pathname.startsWith('/login')) {
    throw new Error(`the dashboard refused the login link (still on ${page.url()})`);
  }

  const replica = await resources(page);
  await metrics(page, replica);
  await prometheusGraph(page);
} finally {
  await browser.close();
}

async function resources(page) {
  await page.goto(`${dashboard}/`, { waitUntil: 'networkidle2' });
  // Blazor renders the grid after the page loads: wait for every resource to be Running.
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[role=row]')].map(r => r.innerText);
    const running = name => rows.some(r => r.trim().startsWith(name) && r.includes('Running'));
    return running('cache') && running('prometheus') && rows.filter(r => /^\s*api-\w+/.test(r) && r.includes('Running')).length >= 2;
  }, { timeout: waitMs });
  await dismissNotifications(page);

  // Open the first replica's Actions menu, so its commands show.
  const replica = await page.evaluate(() =>
    [...document.querySelectorAll('[role=row]')].map(r => r.innerText.trim().match(/^api-\w+/)?.[0]).filter(Boolean).sort()[0]);
  const rows = await page.$$('[role=row]');
  for (const row of rows) {
    if ((await row.evaluate(r => r.innerText.trim())).startsWith(replica)) {
      await (await row.$('fluent-button[title=Actions]')).click();
      break;
    }
  }
  // The layer's commands sit in the menu's Commands submenu, which opens on hover.
  const commands = await page.waitForFunction(() =>
    [...document.querySelectorAll('fluent-menu-item')].find(m => m.innerText.trim().startsWith('Commands')), { timeout: waitMs });
  await commands.hover();
  await page.waitForFunction(() =>
    [...document.querySelectorAll('fluent-menu-item')].some(m => m.innerText.trim() === 'Flush cache' && m.checkVisibility()), { timeout: waitMs });
  await settle(page);
  await shoot(page, 'dashboard-resources.png', 900);
  await page.keyboard.press('Escape');
  return replica;
}

async function metrics(page, replica) {
  const url = `${dashboard}/metrics/resource/${encodeURIComponent(replica)}`
    + `?meter=${encodeURIComponent(meter)}&instrument=${encodeURIComponent(instrument)}&duration=5&view=Graph`;
  await page.goto(url, { waitUntil: 'networkidle2' });
  // Wait for the plotly chart to draw a line with more than a couple of points, and for the tag filters.
  await page.waitForFunction(() => {
    const line = document.querySelector('.js-plotly-plot .scatterlayer path.js-line');
    return line && (line.getAttribute('d') ?? '').split('L').length > 5
      && document.body.innerText.includes('cachelayer.tier');
  }, { timeout: waitMs });
  await dismissNotifications(page);
  await settle(page);
  await shoot(page, 'dashboard-metrics.png', 900);
}

async function prometheusGraph(page) {
  const panel = (i, expr) => `g${i}.expr=${encodeURIComponent(expr)}&g${i}.tab=0&g${i}.stacked=0&g${i}.range_input=4m`;
  await page.goto(`${prometheus}/graph?${panel(0, hitsPerRoute)}&${panel(1, hitRatio)}`, { waitUntil: 'networkidle2' });
  // Prometheus 2.42's graph page (Debian's build) draws each panel with Rickshaw: an SVG and a legend of its series.
  await page.waitForFunction(() => {
    const graphs = [...document.querySelectorAll('div.rickshaw_graph')];
    const legends = [...document.querySelectorAll('div.rickshaw_legend')];
    return graphs.length === 2 && graphs.every(g => g.querySelector('svg path'))
      && legends.length === 2 && legends[0].querySelectorAll('li').length >= 3 && legends[1].querySelectorAll('li').length >= 3;
  }, { timeout: waitMs });
  // Show each whole expression, unfocused, and the whole page in the viewport (its navbar is fixed).
  const height = await page.evaluate(() => {
    document.activeElement?.blur();
    for (const box of document.querySelectorAll('textarea')) {
      box.style.height = `${box.scrollHeight + 4}px`;
    }
    return document.documentElement.scrollHeight;
  });
  await page.setViewport({ width: 1440, height });
  await settle(page);
  await shoot(page, 'prometheus-hit-ratio.png', height);
}

async function dismissNotifications(page) {
  for (const button of await page.$$('fluent-button[aria-label="Dismiss notification"]')) {
    await button.click();
  }
}

// Lets animations and the last render finish; the content itself is waited for above.
async function settle(page) {
  await page.evaluate(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))));
  await new Promise(r => setTimeout(r, 1000));
}

async function shoot(page, name, height) {
  const path = `${outDir.replace(/\/?$/, '/')}${name}`;
  await page.screenshot({ path, clip: { x: 0, y: 0, width: 1440, height } });
  console.log(`wrote ${path}`);
}
