/**
 * The preview page's look: one set of colours, type and spacing for faceblur's local pages (this
 * preview and the review editor to come), as CSS custom properties so that both read the same.
 */
export const PAGE_STYLE = `
:root{--bg:#0f1115;--panel:#171a21;--line:#2a2f3a;--text:#e6e8ee;--muted:#9aa3b2;--accent:#4cc38a;--warn:#f5a524;--stop:#ef5f5f;
--font:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;--mono:ui-monospace,"SF Mono",Menlo,Consolas,monospace;--radius:8px}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:14px/1.45 var(--font)}
header{display:flex;align-items:center;gap:.75em;padding:.6em 1.2em;border-bottom:1px solid var(--line);background:var(--panel)}
header h1{font-size:16px;font-weight:600;margin:0}
header .title{color:var(--muted);overflow:hidden;text-overflow:ellipsis;white-space:nowrap;flex:1}
.pill{font-size:12px;font-weight:600;padding:.15em .7em;border-radius:999px;border:1px solid currentColor}
.pill[data-state=live]{color:var(--accent)}.pill[data-state=ended]{color:var(--muted)}.pill[data-state=connecting]{color:var(--warn)}
main{display:grid;grid-template-columns:minmax(0,1fr) 17em;gap:1em;padding:1em 1.2em;max-width:1400px;margin:0 auto}
@media (max-width:800px){main{grid-template-columns:1fr}}
.stage{position:relative;background:#000;border:1px solid var(--line);border-radius:var(--radius);overflow:hidden;display:flex;justify-content:center}
.stage img{display:block;max-width:100%;max-height:calc(100vh - 8em)}
.banner{position:absolute;inset:auto 0 0 0;padding:.7em 1em;background:rgba(15,17,21,.88);border-top:1px solid var(--line);font-weight:600}
.banner[hidden]{display:none}
aside{display:flex;flex-direction:column;gap:1em}
.figures{display:grid;grid-template-columns:1fr 1fr;gap:.5em}
.figure{background:var(--panel);border:1px solid var(--line);border-radius:var(--radius);padding:.5em .7em}
.figure b{display:block;font:600 20px var(--mono);font-variant-numeric:tabular-nums}
.figure span{color:var(--muted);font-size:12px}
.bar{height:6px;background:var(--line);border-radius:3px;overflow:hidden}.bar i{display:block;height:100%;background:var(--accent);width:0}
dl{margin:0;background:var(--panel);border:1px solid var(--line);border-radius:var(--radius);padding:.6em .8em;font-size:12px;color:var(--muted)}
dt{color:var(--text);font-weight:600}dd{margin:0 0 .4em}
`;

/** The small mark served as the favicon (an SVG: a face under a blurred band). */
export const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#171a21"/><circle cx="16" cy="16" r="10" fill="none" stroke="#4cc38a" stroke-width="2.5"/><rect x="7" y="12" width="18" height="6" rx="3" fill="#4cc38a"/></svg>`;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** What each figure on the page means, shown beside it: live capture and file jobs show different ones. */
const LEGEND = {
  live: [
    ['fps', 'anonymized frames shown per second, over the last 5 s'],
    ['latency', 'milliseconds from reading a camera frame to showing it anonymized: median / 95th percentile'],
    ['faces', 'faces covered in the frame shown now'],
    ['dropped', 'camera frames skipped because the previous one was still being processed (live frames never queue)'],
  ],
  files: [
    ['progress', 'frames of the current file anonymized so far, of its total'],
    ['speed', 'frames per second the job processes (not the preview, which shows at most 15 a second)'],
    ['time left', "estimated from the job's own speed so far"],
    ['faces', 'faces covered in the frame shown now'],
  ],
} as const;

/**
 * The preview page: a heading, the MJPEG stream, the figures fed by /stats with a legend of what
 * they mean, and a clear end state (after which it stops polling). Everything it loads carries the token.
 */
export function previewPage(token: string, nonce: string, title: string, mode: 'live' | 'files'): string {
  const q = `token=${encodeURIComponent(token)}`;
  const ids = mode === 'live' ? ['fps', 'latency', 'faces', 'dropped'] : ['progress', 'speed', 'eta', 'faces'];
  const figures = ids.map((id, i) => `<div class="figure"><b id="${id}">–</b><span>${LEGEND[mode][i]![0]}</span></div>`).join('');
  const legend = LEGEND[mode].map(([term, text]) => `<dt>${term}</dt><dd>${text}</dd>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>faceblur — ${esc(title)}</title>
<link rel="icon" type="image/svg+xml" href="favicon.ico">
<style nonce="${nonce}">${PAGE_STYLE}</style></head><body>
<header><h1>faceblur ${mode === 'live' ? 'live preview' : 'preview'}</h1><span class="title" id="title">${esc(title)}</span><span class="pill" id="state" data-state="connecting">connecting</span></header>
<main>
<div class="stage"><img id="video" alt="the anonymized stream" src="stream.mjpg?${q}"><div class="banner" id="banner" hidden></div></div>
<aside>
${mode === 'files' ? '<div class="bar"><i id="bar"></i></div>' : ''}
<div class="figures" id="status" data-mode="${mode}">${figures}</div>
<dl id="legend">${legend}</dl>
</aside>
</main>
<script nonce="${nonce}">
const $ = (id) => document.getElementById(id);
const status = $('status');
const clock = (s) => { if (!isFinite(s) || s < 0) return '–'; s = Math.round(s); return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0'); };
let failures = 0;
let timer;
function end(text) {
  clearInterval(timer);
  $('state').dataset.state = 'ended';
  $('state').textContent = 'ended';
  $('banner').textContent = text;
  $('banner').hidden = false;
  status.dataset.state = 'ended';
}
function show(s) {
  $('state').dataset.state = 'live';
  $('state').textContent = 'live';
  $('faces').textContent = s.faces;
  if (s.job) {
    const j = s.job;
    $('title').textContent = j.file + (j.files > 1 ? ' (file ' + j.fileNumber + ' of ' + j.files + ')' : '');
    $('progress').textContent = j.total ? Math.round(100 * j.done / j.total) + '%' : j.done;
    $('bar').style.width = j.total ? (100 * j.done / j.total) + '%' : '0';
    $('speed').textContent = j.fps.toFixed(1);
    $('eta').textContent = clock(j.etaSeconds);
    status.dataset.done = String(j.done);
  } else if ($('fps')) {
    $('fps').textContent = s.fps.toFixed(1);
    $('latency').textContent = Math.round(s.latencyMs.median) + ' / ' + Math.round(s.latencyMs.p95);
    $('dropped').textContent = s.dropped;
  }
  status.dataset.frames = String(s.frames);
  status.dataset.faces = String(s.faces);
}
async function poll() {
  try {
    const s = await (await fetch('stats?${q}', { cache: 'no-store' })).json();
    failures = 0;
    show(s);
    if (s.ended) end(s.mode === 'files' ? 'The job has finished: this is the last frame shown. Close this page.' : 'The stream has ended: this is its last frame. Close this page.');
  } catch {
    // faceblur has exited (its server is gone): say so once instead of polling into errors.
    if (++failures >= 2) end('faceblur has stopped: this is the last frame it showed. Close this page.');
  }
}
timer = setInterval(poll, 500); poll();
</script></body></html>
`;
}
