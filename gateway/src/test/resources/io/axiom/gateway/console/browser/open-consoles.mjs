// Keeps N web consoles open and live on a server, for measuring what they cost it (BENCHMARKS.md, "Console").
// Usage: node open-consoles.mjs BASE_URL N SECONDS
// One headless Chromium (Debian's), N pages in turn on the workflows table, the charts, the task queues and one
// workflow (its live subscription); each page polls the metrics once a second as the console does. Every request
// outside the server is aborted. Prints every 10 s how many API requests and WebSocket messages the pages made.
import {chromium} from 'playwright-core';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

const [base, countText, secondsText] = process.argv.slice(2);
const count = Number(countText);
const seconds = Number(secondsText);
const origin = new URL(base);
const views = ['#/workflows', '#/charts', '#/tasks', '#/workflows/1'];
const profile = mkdtempSync(join(tmpdir(), 'axiom-consoles-'));
const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: {width: 1280, height: 900},
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync']
});
let api = 0;
let frames = 0;
const outside = [];
try {
    await context.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (url.host === origin.host) {
            if (url.pathname.startsWith('/api/')) {
                api++;
            }
            return route.continue();
        }
        outside.push(url.href);
        return route.abort();
    });
    const pages = [];
    for (let i = 0; i < count; i++) {
        const page = i === 0 && context.pages().length ? context.pages()[0] : await context.newPage();
        page.on('websocket', (ws) => ws.on('framereceived', () => frames++));
        await page.goto(base + '/' + views[i % views.length]);
        pages.push(page);
    }
    console.log('opened ' + count + ' consoles on ' + base + ': ' + pages.map((p, i) => views[i % views.length]));
    const started = Date.now();
    const startApi = api;
    const startFrames = frames;
    while (Date.now() - started < seconds * 1000) {
        await new Promise((resolve) => setTimeout(resolve, 10000));
        const elapsed = (Date.now() - started) / 1000;
        console.log('over ' + elapsed.toFixed(1) + ' s: ' + (api - startApi) + ' API requests (' +
            ((api - startApi) / elapsed).toFixed(1) + '/s), ' + (frames - startFrames) + ' WebSocket messages ' +
            'received (' + ((frames - startFrames) / elapsed).toFixed(1) + '/s), outside requests: ' + outside.length);
    }
} finally {
    await context.close();
    rmSync(profile, {recursive: true, force: true});
}
