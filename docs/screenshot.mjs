// Screenshot of a local page through the Chrome DevTools protocol (Debian chromium; Node 20's
// WebSocket). chromium --screenshot renders this report blank. docs/conformance-report.png:
//   cephwire conformance --expected conformance/expected/librados-16.2.15.json --report /tmp/rep
//   node --experimental-websocket docs/screenshot.mjs file:///tmp/rep/index.html docs/conformance-report.png
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
const [url, out] = process.argv.slice(2);
const chrome = spawn('chromium', ['--headless=new', '--no-sandbox', '--disable-gpu', '--hide-scrollbars',
  '--remote-debugging-port=9333', '--user-data-dir=' + (process.env.TMPDIR || '/tmp') + '/cephwire-shot-profile', '--window-size=1400,1100', 'about:blank'],
  { stdio: 'ignore' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let targets;
for (let i = 0; i < 50; i++) {
  try { targets = await (await fetch('http://127.0.0.1:9333/json')).json(); break; } catch { await sleep(200); }
}
const page = targets.find((t) => t.type === 'page');
const ws = new WebSocket(page.webSocketDebuggerUrl);
await new Promise((r) => ws.addEventListener('open', r));
let id = 0; const pending = new Map();
ws.addEventListener('message', (e) => { const m = JSON.parse(e.data); if (m.id && pending.has(m.id)) { pending.get(m.id)(m); pending.delete(m.id); } });
const send = (method, params = {}) => new Promise((r) => { const i = ++id; pending.set(i, r); ws.send(JSON.stringify({ id: i, method, params })); });
await send('Emulation.setDeviceMetricsOverride', { width: 1400, height: 1000, deviceScaleFactor: 1, mobile: false });
await send('Page.navigate', { url });
await sleep(3000);
const shot = await send('Page.captureScreenshot', { format: 'png' });
writeFileSync(out, Buffer.from(shot.result.data, 'base64'));
ws.close(); chrome.kill();
process.exit(0);
