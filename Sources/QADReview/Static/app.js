// qad review: queue, spectrum viewer and classification. Plain JS, no
// dependencies. TARGETIDs are kept as strings: they exceed 2^53, so they never
// pass through a JS number.
'use strict';

const csrf = document.querySelector('meta[name="csrf-token"]').content;
const state = {
  session: null, queue: [], total: 0, unlabelled: 0, index: -1, current: null, cache: new Map(),
  frame: 'observed', smooth: 1, xRange: null, confidence: 2, queueParams: '', lines: [],
};
const $ = (id) => document.getElementById(id);

// JSON with every integer literal of 10 or more digits kept as its exact text.
function parseExact(text) {
  const probe = JSON.parse('{"a":12345678901234567}', (k, v, ctx) => (ctx && ctx.source) ? ctx.source : v);
  if (probe && probe.a === '12345678901234567') {
    return JSON.parse(text, (k, v, ctx) =>
      (typeof v === 'number' && ctx && /^-?\d{10,}$/.test(ctx.source)) ? ctx.source : v);
  }
  // Older engines: quote long integer literals outside strings before parsing.
  let out = '', inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') { out += text[++i]; } else if (c === '"') { inString = false; }
    } else if (c === '"') { inString = true; out += c; }
    else if (/[-0-9]/.test(c)) {
      let j = i; while (j < text.length && /[-+0-9.eE]/.test(text[j])) j++;
      const lit = text.slice(i, j);
      out += /^-?\d{10,}$/.test(lit) ? '"' + lit + '"' : lit;
      i = j - 1;
    } else { out += c; }
  }
  return JSON.parse(out);
}

async function api(path, options) {
  const response = await fetch(path, Object.assign({ credentials: 'same-origin' }, options || {}));
  const text = await response.text();
  if (!response.ok) {
    let message = response.status + ' ' + response.statusText;
    try { message = JSON.parse(text).error || message; } catch (e) { /* not JSON */ }
    throw new Error(message);
  }
  return parseExact(text);
}

function setStatus(text, isError) {
  const s = $('status');
  s.textContent = text;
  s.className = isError ? 'status error' : 'status';
}

// ---------- queue ----------

function filterParams() {
  const form = $('filters');
  const p = new URLSearchParams();
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === 'checkbox') p.set(el.name, el.checked ? '1' : '0');
    else if (el.value !== '') p.set(el.name, el.value);
  }
  return p;
}

async function loadQueue(append) {
  const p = filterParams();
  p.set('offset', append ? String(state.queue.length) : '0');
  p.set('limit', '200');
  const page = await api('/api/queue?' + p.toString());
  state.total = page.total;
  state.queue = append ? state.queue.concat(page.items) : page.items;
  state.unlabelled = page.unlabelled;
  renderQueue();
}

function renderQueue() {
  $('queue-count').textContent = state.total + ' candidates, ' + state.unlabelled + ' not labelled by me';
  const body = $('queue-rows');
  body.textContent = '';
  state.queue.forEach((item, i) => {
    const tr = document.createElement('tr');
    tr.dataset.index = String(i);
    if (state.current && item.targetid === state.current.targetid) tr.className = 'current';
    for (const text of [item.targetid, item.score == null ? '' : item.score.toFixed(2),
                        item.z == null ? '' : item.z.toFixed(3), item.mine || '']) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.appendChild(td);
    }
    tr.addEventListener('click', () => openIndex(i));
    body.appendChild(tr);
  });
  $('more').style.display = state.queue.length < state.total ? '' : 'none';
}

// ---------- candidates ----------

function fetchCandidate(id) {
  if (!state.cache.has(id)) {
    const p = api('/api/candidate/' + encodeURIComponent(id));
    p.catch(() => state.cache.delete(id));
    state.cache.set(id, p);
    if (state.cache.size > 40) state.cache.delete(state.cache.keys().next().value);
  }
  return state.cache.get(id);
}

async function openIndex(i) {
  if (i < 0 || i >= state.queue.length) return;
  state.index = i;
  await openTarget(state.queue[i].targetid);
}

async function openTarget(id) {
  const i = state.queue.findIndex((q) => q.targetid === id);
  if (i >= 0) state.index = i;
  let c;
  try { c = await fetchCandidate(id); } catch (e) { setStatus('cannot open ' + id + ': ' + e.message, true); return; }
  state.current = c;
  state.xRange = null;
  if (location.hash !== '#t=' + id) history.replaceState(null, '', '#t=' + id);
  renderCandidate();
  renderQueue();
  // Prefetch the next one so moving on is instant.
  if (state.index + 1 < state.queue.length) fetchCandidate(state.queue[state.index + 1].targetid);
}

function cell(row, text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  row.appendChild(td);
  return td;
}

function copyable(row, label, text) {
  const tr = document.createElement('tr');
  cell(tr, label);
  const td = cell(tr, text, 'mono copy');
  td.title = 'click to copy';
  td.addEventListener('click', () => { if (navigator.clipboard) navigator.clipboard.writeText(text); setStatus('copied ' + text); });
  row.appendChild(tr);
}

function fmt(v, digits) { return v == null ? '—' : Number(v).toFixed(digits); }

function renderCandidate() {
  const c = state.current;
  const meta = $('meta');
  meta.textContent = '';
  const t = document.createElement('table');
  copyable(t, 'TARGETID', c.targetid);
  copyable(t, 'RA, Dec', fmt(c.ra, 6) + ' ' + fmt(c.dec, 6));
  const rows = [['z', fmt(c.z, 4) + ' (' + c.z_source + ')'], ['S/N', fmt(c.snr, 2)], ['SPECTYPE', c.spectype || '—'],
                ['BAL_PROB', fmt(c.bal_prob, 2)], ['BI_CIV', fmt(c.bi_civ, 1)],
                ['quality flags', c.flags.length ? c.flags.join(', ') : 'none'], ['masked', fmt(100 * c.mask_frac, 1) + '%'],
                ['source', c.source]];
  for (const [k, v] of rows) { const tr = document.createElement('tr'); cell(tr, k); cell(tr, v); t.appendChild(tr); }
  for (const s of c.scores) {
    const tr = document.createElement('tr');
    cell(tr, s.name);
    cell(tr, fmt(s.value, 3) + '  (' + fmt(s.percentile, 1) + ' pct)', 'mono');
    t.appendChild(tr);
  }
  meta.appendChild(t);

  const win = $('windows');
  win.textContent = c.windows.length ? 'Residual carried by: ' : '';
  for (const w of c.windows) {
    const span = document.createElement('span');
    span.textContent = w.window + ' (' + w.frame + ', ' + Math.round(100 * w.share) + '%)  ';
    win.appendChild(span);
  }

  const nb = $('neighbors');
  nb.textContent = '';
  for (const id of c.neighbors) {
    const a = document.createElement('a');
    a.href = '#t=' + id;
    const img = document.createElement('img');
    img.src = '/figure/' + encodeURIComponent(id) + '.svg?thumb=1&frame=rest';
    img.alt = 'spectrum ' + id;
    img.loading = 'lazy';
    a.appendChild(img);
    a.appendChild(document.createTextNode(id));
    a.addEventListener('click', (e) => { e.preventDefault(); openTarget(id); });
    nb.appendChild(a);
  }
  if (!c.neighbors.length) nb.textContent = 'none stored';

  const xm = $('crossmatches');
  xm.textContent = '';
  if (c.crossmatches == null) xm.textContent = 'no cross-match table in this store';
  else if (!c.crossmatches.length) xm.textContent = 'no counterpart within the radius';
  else {
    const table = document.createElement('table');
    for (const m of c.crossmatches) {
      const tr = document.createElement('tr');
      cell(tr, m.catalog); cell(tr, m.id, 'mono'); cell(tr, fmt(m.sep_arcsec, 2) + '"'); cell(tr, m.summary);
      table.appendChild(tr);
    }
    xm.appendChild(table);
  }
  $('svg-link').href = figureURL('svg');
  $('png-link').href = figureURL('png');
  renderLabel();
  draw();
}

function figureURL(kind) {
  const c = state.current;
  return '/figure/' + c.targetid + '.' + kind + '?frame=' + (state.frame === 'rest' ? 'rest' : 'observed') + '&smooth=' + state.smooth;
}

function renderLabel() {
  const c = state.current;
  const last = c.history.length ? c.history[c.history.length - 1] : null;
  for (const b of document.querySelectorAll('#classify button[data-class]')) {
    b.classList.toggle('chosen', !!last && b.dataset.class === last.class);
  }
  $('subtype').value = last ? last.subtype : '';
  $('notes').value = last ? last.notes : '';
  if (last) { state.confidence = last.confidence; $('confidence').value = String(last.confidence); }
  const h = $('history');
  h.textContent = '';
  if (c.history.length) {
    const title = document.createElement('div');
    title.textContent = 'My history of this target (' + c.history.length + ' events):';
    h.appendChild(title);
    for (const e of c.history.slice().reverse()) {
      const d = document.createElement('div');
      d.className = 'event';
      d.textContent = new Date(e.created_at * 1000).toISOString().slice(0, 19) + ' ' + e.class
        + (e.subtype ? ' / ' + e.subtype : '') + ' (' + ['', 'low', 'medium', 'high'][e.confidence] + ')'
        + (e.notes ? ': ' + e.notes : '');
      h.appendChild(d);
    }
  }
  const cls = last ? last.class : null;
  const subtypes = $('subtypes');
  subtypes.textContent = '';
  const info = state.session.classes.find((k) => k.key === cls);
  for (const s of info ? info.subtypes : []) { const o = document.createElement('option'); o.value = s; subtypes.appendChild(o); }
}

async function classify(cls) {
  const c = state.current;
  if (!c) return;
  const body = {
    targetid: c.targetid, class: cls, subtype: $('subtype').value, confidence: Number($('confidence').value),
    notes: $('notes').value, client_event_id: (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()),
  };
  try {
    const e = await api('/api/label', {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify(body),
    });
    c.history.push(e);
    const q = state.queue.find((x) => x.targetid === c.targetid);
    if (q && !q.mine) state.unlabelled -= 1;
    if (q) q.mine = e.class;
    renderLabel();
    renderQueue();
    setStatus('saved: ' + e.class + ' for ' + c.targetid);
  } catch (err) {
    setStatus('not saved: ' + err.message, true);
  }
}

// ---------- figure ----------

const colors = { flux: '#282828', model: '#d62728', noise: 'rgba(120,150,210,0.35)', masked: 'rgba(150,150,150,0.25)',
  window: 'rgba(255,200,0,0.25)', local: 'rgba(230,90,0,0.3)', line: '#2c7850', resid: '#1f5ab4', grid: '#e1e4ea', axis: '#3c3c3c' };

function smoothed(flux, ivar, width) {
  const n = flux.length, h = Math.floor(width / 2), f = new Array(n), s = new Array(n);
  for (let i = 0; i < n; i++) {
    let sw = 0, swf = 0;
    for (let j = Math.max(0, i - h); j <= Math.min(n - 1, i + h); j++) {
      if (ivar[j] > 0) { sw += ivar[j]; swf += ivar[j] * flux[j]; }
    }
    f[i] = sw > 0 ? swf / sw : NaN;
    s[i] = sw > 0 ? 1 / Math.sqrt(sw) : NaN;
  }
  return [f, s];
}

function ticks(lo, hi, count) {
  const raw = (hi - lo) / count, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

function label(v) { return Math.abs(v - Math.round(v)) < 1e-9 ? String(Math.round(v)) : String(+v.toFixed(3)); }

function layout() {
  const canvas = $('figure');
  const w = canvas.clientWidth || 1000, h = canvas.clientHeight || 520;
  const left = 62, right = w - 14, top = 30, bottom = h - 40, split = top + (bottom - top) * 0.72;
  return { canvas, w, h, left, right, top, bottom, flux: [top, split - 6], resid: [split + 6, bottom] };
}

function draw() {
  const c = state.current;
  const L = layout();
  const ratio = window.devicePixelRatio || 1;
  L.canvas.width = L.w * ratio; L.canvas.height = L.h * ratio;
  const g = L.canvas.getContext('2d');
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.fillStyle = '#fff'; g.fillRect(0, 0, L.w, L.h);
  const sp = c.spectrum, factor = state.frame === 'observed' ? 1 + c.z : 1;
  const lam = sp.lambda.map((x) => x * factor);
  if (lam.length < 2) { g.fillStyle = colors.axis; g.fillText('no covered pixels', L.w / 2, L.h / 2); L.canvas.dataset.points = '0'; return; }
  const xr = state.xRange || [lam[0], lam[lam.length - 1]];
  const X = (v) => L.left + (v - xr[0]) / (xr[1] - xr[0]) * (L.right - L.left);
  const [flux, sigma] = smoothed(sp.flux.map((v) => v == null ? NaN : v), sp.ivar.map((v) => v || 0), state.smooth);
  const model = sp.model.map((v) => v == null ? NaN : v);
  const vis = [];
  for (let i = 0; i < lam.length; i++) if (lam[i] >= xr[0] && lam[i] <= xr[1]) vis.push(i);
  const vals = [];
  for (const i of vis) { if (isFinite(flux[i])) vals.push(flux[i]); if (isFinite(model[i])) vals.push(model[i]); }
  vals.sort((a, b) => a - b);
  let lo = vals.length ? vals[Math.floor((vals.length - 1) * 0.01)] : 0, hi = vals.length ? vals[Math.floor((vals.length - 1) * 0.99)] : 1;
  if (hi <= lo) { lo -= 1; hi += 1; }
  const pad = (hi - lo) * 0.1; lo -= pad; hi += pad;
  const Y = (v) => L.flux[1] - (Math.min(Math.max(v, lo), hi) - lo) / (hi - lo) * (L.flux[1] - L.flux[0]);
  const resid = lam.map((_, i) => (isFinite(sigma[i]) && isFinite(model[i])) ? (flux[i] - model[i]) / sigma[i] : NaN);
  let rmax = 5;
  for (const i of vis) if (isFinite(resid[i])) rmax = Math.max(rmax, Math.abs(resid[i]) * 1.1);
  rmax = Math.min(rmax, 30);
  const R = (v) => L.resid[1] - (Math.min(Math.max(v, -rmax), rmax) + rmax) / (2 * rmax) * (L.resid[1] - L.resid[0]);

  g.save();
  g.beginPath(); g.rect(L.left, L.top, L.right - L.left, L.bottom - L.top); g.clip();
  const shade = (a, b, color) => { g.fillStyle = color; g.fillRect(X(a), L.top, Math.max(1, X(b) - X(a)), L.bottom - L.top); };
  // Masked pixels, explanation windows and the localized-residual windows.
  for (let i = 0; i < lam.length; i++) {
    if (!(sp.ivar[i] > 0)) { let j = i; while (j + 1 < lam.length && !(sp.ivar[j + 1] > 0)) j++; shade(lam[i], lam[j], colors.masked); i = j; }
  }
  const toFrame = (a, frame) => frame === 'obs' ? (state.frame === 'observed' ? a : a / (1 + c.z)) : a * factor;
  for (const w of c.windows) if (w.range) shade(toFrame(w.range[0], w.frame), toFrame(w.range[1], w.frame), colors.window);
  if (c.local_rest) shade(toFrame(c.local_rest[0] - c.local_rest[1] / 2, 'rest'), toFrame(c.local_rest[0] + c.local_rest[1] / 2, 'rest'), colors.local);
  if (c.local_obs) shade(toFrame(c.local_obs[0] - c.local_obs[1] / 2, 'obs'), toFrame(c.local_obs[0] + c.local_obs[1] / 2, 'obs'), colors.local);
  g.strokeStyle = colors.grid; g.lineWidth = 1;
  for (const t of ticks(lo, hi, 5)) { g.beginPath(); g.moveTo(L.left, Y(t)); g.lineTo(L.right, Y(t)); g.stroke(); }
  // Noise band around the model (or the flux where there is no model).
  g.fillStyle = colors.noise;
  for (let i = 0; i < lam.length; i++) {
    if (!(sp.ivar[i] > 0)) continue;
    let j = i; while (j + 1 < lam.length && sp.ivar[j + 1] > 0) j++;
    g.beginPath();
    for (let k = i; k <= j; k++) { const m = isFinite(model[k]) ? model[k] : flux[k]; g.lineTo(X(lam[k]), Y(m + sigma[k])); }
    for (let k = j; k >= i; k--) { const m = isFinite(model[k]) ? model[k] : flux[k]; g.lineTo(X(lam[k]), Y(m - sigma[k])); }
    g.closePath(); g.fill();
    i = j;
  }
  let drawn = 0;
  const curve = (values, Yf, color, valid) => {
    g.strokeStyle = color; g.lineWidth = 1; g.beginPath();
    let pen = false;
    for (let i = 0; i < lam.length; i++) {
      if (!valid(i) || !isFinite(values[i])) { pen = false; continue; }
      if (pen) g.lineTo(X(lam[i]), Yf(values[i])); else g.moveTo(X(lam[i]), Yf(values[i]));
      pen = true; drawn++;
    }
    g.stroke();
  };
  curve(flux, Y, colors.flux, (i) => sp.ivar[i] > 0);
  curve(model, Y, colors.model, () => true);
  g.strokeStyle = colors.axis; g.beginPath(); g.moveTo(L.left, R(0)); g.lineTo(L.right, R(0)); g.stroke();
  curve(resid, R, colors.resid, () => true);
  g.setLineDash([4, 3]); g.strokeStyle = colors.line; g.fillStyle = colors.line; g.font = '10px sans-serif';
  let row = 0;
  for (const line of state.lines) {
    const at = line.rest * factor;
    if (at < xr[0] || at > xr[1]) continue;
    g.beginPath(); g.moveTo(X(at), L.top); g.lineTo(X(at), L.bottom); g.stroke();
    g.fillText(line.name, X(at) + 2, L.top + 10 + (row++ % 2) * 11);
  }
  g.setLineDash([]);
  g.restore();
  // Axes.
  g.strokeStyle = colors.axis; g.fillStyle = colors.axis; g.font = '10px sans-serif';
  for (const box of [L.flux, L.resid]) g.strokeRect(L.left, box[0], L.right - L.left, box[1] - box[0]);
  g.textAlign = 'center';
  for (const t of ticks(xr[0], xr[1], 8)) { g.beginPath(); g.moveTo(X(t), L.bottom); g.lineTo(X(t), L.bottom + 4); g.stroke(); g.fillText(label(t), X(t), L.bottom + 15); }
  g.textAlign = 'right';
  for (const t of ticks(lo, hi, 5)) g.fillText(label(t), L.left - 6, Y(t) + 3.5);
  for (const t of ticks(-rmax, rmax, 2)) g.fillText(label(t), L.left - 6, R(t) + 3.5);
  g.textAlign = 'left'; g.font = '13px sans-serif'; g.fillStyle = '#000';
  g.fillText('TARGETID ' + c.targetid + '   z = ' + c.z.toFixed(4) + (state.smooth > 1 ? '   smoothed ' + state.smooth + ' bins' : ''), L.left, 18);
  g.textAlign = 'center'; g.font = '12px sans-serif'; g.fillStyle = colors.axis;
  g.fillText(state.frame === 'observed' ? 'Observed wavelength (Å)' : 'Rest-frame wavelength (Å)', (L.left + L.right) / 2, L.h - 6);
  g.save(); g.translate(14, (L.flux[0] + L.flux[1]) / 2); g.rotate(-Math.PI / 2); g.fillText('Flux (normalized)', 0, 0); g.restore();
  g.save(); g.translate(14, (L.resid[0] + L.resid[1]) / 2); g.rotate(-Math.PI / 2); g.fillText('Resid/σ', 0, 0); g.restore();
  L.canvas.dataset.points = String(drawn);
  L.canvas.dataset.targetid = c.targetid;
  L.canvas._scale = { xr, left: L.left, right: L.right };
}

// Zoom (wheel, around the cursor) and pan (drag).
function installZoom() {
  const canvas = $('figure');
  const toLambda = (px) => { const s = canvas._scale; return s.xr[0] + (px - s.left) / (s.right - s.left) * (s.xr[1] - s.xr[0]); };
  canvas.addEventListener('wheel', (e) => {
    if (!state.current || !canvas._scale) return;
    e.preventDefault();
    const at = toLambda(e.offsetX), k = e.deltaY > 0 ? 1.25 : 0.8, xr = canvas._scale.xr;
    state.xRange = [at - (at - xr[0]) * k, at + (xr[1] - at) * k];
    draw();
  }, { passive: false });
  let dragFrom = null;
  canvas.addEventListener('mousedown', (e) => { dragFrom = { x: e.offsetX, xr: canvas._scale && canvas._scale.xr.slice() }; });
  window.addEventListener('mouseup', () => { dragFrom = null; });
  canvas.addEventListener('mousemove', (e) => {
    if (!dragFrom || !dragFrom.xr) return;
    const s = canvas._scale, dl = (e.offsetX - dragFrom.x) / (s.right - s.left) * (dragFrom.xr[1] - dragFrom.xr[0]);
    state.xRange = [dragFrom.xr[0] - dl, dragFrom.xr[1] - dl];
    draw();
  });
}

// ---------- controls ----------

function toggleFrame() {
  state.frame = state.frame === 'observed' ? 'rest' : 'observed';
  state.xRange = null;
  $('frame').textContent = state.frame === 'observed' ? 'observed frame' : 'rest frame';
  if (state.current) { renderCandidate(); }
}

function cycleSmoothing() {
  const sel = $('smooth');
  sel.selectedIndex = (sel.selectedIndex + 1) % sel.options.length;
  state.smooth = Number(sel.value);
  if (state.current) renderCandidate();
}

function move(step) {
  const next = state.index + step;
  if (next >= 0 && next < state.queue.length) openIndex(next);
  else if (step > 0 && state.queue.length < state.total) loadQueue(true).then(() => openIndex(next));
}

function installKeys() {
  document.addEventListener('keydown', (e) => {
    const typing = ['INPUT', 'TEXTAREA', 'SELECT'].includes(document.activeElement.tagName);
    if (typing) { if (e.key === 'Escape') document.activeElement.blur(); return; }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const n = Number(e.key);
    if (n >= 1 && n <= state.session.classes.length) { classify(state.session.classes[n - 1].key); e.preventDefault(); return; }
    switch (e.key) {
      case 'j': case 'ArrowRight': move(1); break;
      case 'k': case 'ArrowLeft': move(-1); break;
      case 'o': toggleFrame(); break;
      case 's': cycleSmoothing(); break;
      case 'r': state.xRange = null; if (state.current) draw(); break;
      case 'c': { const sel = $('confidence'); sel.selectedIndex = (sel.selectedIndex + 1) % 3; break; }
      case 'n': $('notes').focus(); break;
      case '?': $('keys').open = !$('keys').open; break;
      default: return;
    }
    e.preventDefault();
  });
}

async function start() {
  state.session = await api('/api/session');
  state.lines = state.session.lines;
  for (const b of document.querySelectorAll('#classify button[data-class]')) b.addEventListener('click', () => classify(b.dataset.class));
  $('prev').addEventListener('click', () => move(-1));
  $('next').addEventListener('click', () => move(1));
  $('frame').addEventListener('click', toggleFrame);
  $('reset').addEventListener('click', () => { state.xRange = null; if (state.current) draw(); });
  $('smooth').addEventListener('change', () => { state.smooth = Number($('smooth').value); if (state.current) renderCandidate(); });
  $('more').addEventListener('click', () => loadQueue(true));
  $('filters').addEventListener('submit', (e) => { e.preventDefault(); state.cache.clear(); loadQueue(false).then(() => openIndex(0)); });
  window.addEventListener('resize', () => { if (state.current) draw(); });
  window.addEventListener('hashchange', () => { const m = /^#t=(\d+)$/.exec(location.hash); if (m && (!state.current || state.current.targetid !== m[1])) openTarget(m[1]); });
  installKeys();
  installZoom();
  await loadQueue(false);
  const m = /^#t=(\d+)$/.exec(location.hash);
  if (m) await openTarget(m[1]); else await openIndex(0);
  document.body.dataset.ready = '1';
}

start().catch((e) => setStatus('could not start: ' + e.message, true));
