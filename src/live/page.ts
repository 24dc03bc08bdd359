/** The preview page: the MJPEG stream and a status line fed by /stats. Everything it loads carries the token. */
export function previewPage(token: string, nonce: string, title: string): string {
  const q = `token=${encodeURIComponent(token)}`;
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>faceblur — ${esc(title)}</title>
<style nonce="${nonce}">
body{margin:0;background:#111;color:#ddd;font:14px system-ui,sans-serif;display:flex;flex-direction:column;align-items:center}
img{max-width:100vw;max-height:calc(100vh - 3em);margin-top:.5em;background:#000}
#status{padding:.5em;font-variant-numeric:tabular-nums}
</style></head><body>
<img id="video" alt="anonymized stream" src="stream.mjpg?${q}">
<div id="status">connecting…</div>
<script nonce="${nonce}">
const status = document.getElementById('status');
async function poll() {
  try {
    const s = await (await fetch('stats?${q}', { cache: 'no-store' })).json();
    status.textContent = s.fps.toFixed(1) + ' fps · latency ' + s.latencyMs.median + ' ms (p95 ' + s.latencyMs.p95 + ') · ' +
      s.faces + ' face' + (s.faces === 1 ? '' : 's') + ' · frame ' + s.frames + (s.dropped ? ' · ' + s.dropped + ' dropped' : '');
    status.dataset.frames = String(s.frames);
    status.dataset.faces = String(s.faces);
  } catch { status.textContent = 'stopped'; }
}
setInterval(poll, 500); poll();
</script></body></html>
`;
}
