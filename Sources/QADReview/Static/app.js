// qad review: queue, spectrum viewer and classification. Plain JS, no
// dependencies. TARGETIDs are kept as strings: they exceed 2^53, so they never
// pass through a JS number.
'use strict';

const csrf = document.querySelector('meta[name="csrf-token"]').content;
const state = {
  session: null, queue: [], total: 0, unlabelled: 0, index: -1, current: null, cache: new Map(),
  frame: 'observed', smooth: 1, xRange: null, yRange: null, confidence: 2, queueParams: '', lines: [], absorbers: [],
  trialZ: null, showAbsorbers: false, physical: false, showArms: false, arms: new Map(), drafts: {}, like: null, labelsUsed: null,
  showRedrock: false, redrock: new Map(),
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

// ---------- drafts: notes, sub-type and confidence typed but not yet stored ----------

// Kept per candidate in localStorage (per reviewer), so neither moving on nor
// a reload loses what was typed; a stored label clears its draft.
function draftKey() { return 'qad-drafts:' + state.session.reviewer; }
function loadDrafts() { try { state.drafts = JSON.parse(localStorage.getItem(draftKey()) || '{}') || {}; } catch (e) { state.drafts = {}; } }
function saveDrafts() { try { localStorage.setItem(draftKey(), JSON.stringify(state.drafts)); } catch (e) { /* storage full or off */ } }

function lastLabel(c) { return c && c.history.length ? c.history[c.history.length - 1] : null; }

function formValues() {
  return { subtype: $('subtype').value, notes: $('notes').value, confidence: Number($('confidence').value) };
}

// True when the form holds something the store does not.
function isDirty(c, v) {
  const last = lastLabel(c);
  if (!last) return v.subtype !== '' || v.notes !== '';
  return v.subtype !== last.subtype || v.notes !== last.notes || v.confidence !== last.confidence;
}

function noteInput() {
  const c = state.current;
  if (!c) return;
  const v = formValues();
  if (isDirty(c, v)) state.drafts[c.targetid] = v; else delete state.drafts[c.targetid];
  saveDrafts();
  showDraft();
}

function showDraft() {
  const c = state.current;
  $('draft').textContent = c && state.drafts[c.targetid] ? 'draft: not stored until you label' : '';
}

// Leaving a candidate: a draft on a candidate already labelled is stored with
// that label; on an unlabelled one it stays as its draft.
async function leaveCurrent() {
  const c = state.current;
  if (!c || !state.drafts[c.targetid]) return;
  const last = lastLabel(c);
  if (last) await classify(last.class, { advance: false, quiet: true });
  else setStatus('draft kept for ' + c.targetid + ': label it to store the note');
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

const byRelevance = () => $('filters').elements.order.value === 'relevance';

async function loadQueue(append) {
  const p = filterParams();
  p.set('offset', append ? String(state.queue.length) : '0');
  p.set('limit', '200');
  const page = await api('/api/queue?' + p.toString());
  state.like = null;
  state.total = page.total;
  state.queue = append ? state.queue.concat(page.items) : page.items;
  state.unlabelled = page.unlabelled;
  state.labelsUsed = page.labels;
  renderQueue();
}

// "More like this": the spectra a label on the current one would move most.
async function loadSimilar() {
  const c = state.current;
  if (!c) return;
  const p = filterParams();
  p.set('limit', '50');
  const page = await api('/api/similar/' + encodeURIComponent(c.targetid) + '?' + p.toString());
  state.like = c.targetid;
  state.total = page.total;
  state.queue = page.items;
  state.unlabelled = page.unlabelled;
  state.index = -1;
  renderQueue();
  setStatus('spectra like ' + c.targetid + ' (apply the filters to go back to the queue)');
}

// "Hide family": every candidate whose strongest residual sits where the
// current one's does (in the frame shown) leaves this reviewer's queue; the
// list above the queue shows each hidden family with its undo.
async function hideFamily() {
  const c = state.current;
  if (!c) return;
  const s = await api('/api/suppress', {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
    body: JSON.stringify({ targetid: c.targetid, frame: state.frame === 'rest' ? 'rest' : 'obs' }),
  });
  await loadSuppressions();
  await loadQueue(false);
  setStatus('hid ' + s.members + ' candidates (' + s.frame + ' ' + s.lambda_min.toFixed(1) + '–' + s.lambda_max.toFixed(1)
    + ' Å); undo above the queue');
}

async function undoSuppression(id) {
  await api('/api/suppress/' + encodeURIComponent(id) + '/undo', { method: 'POST', headers: { 'X-CSRF-Token': csrf } });
  await loadSuppressions();
  await loadQueue(false);
  setStatus('suppression ' + id + ' undone');
}

async function loadSuppressions() {
  const list = (await api('/api/suppressions')).suppressions.filter((s) => s.withdrawn_at == null);
  const box = $('suppressions');
  box.textContent = '';
  for (const s of list) {
    const row = document.createElement('div');
    row.className = 'suppression';
    row.title = s.description;
    row.textContent = 'hidden: ' + s.frame + ' ' + s.lambda_min.toFixed(1) + '–' + s.lambda_max.toFixed(1) + ' Å ('
      + s.members + ') ';
    const undo = document.createElement('button');
    undo.type = 'button';
    undo.textContent = 'undo';
    undo.dataset.suppression = String(s.id);
    undo.addEventListener('click', () => undoSuppression(s.id).catch((e) => setStatus('undo: ' + e.message, true)));
    row.appendChild(undo);
    box.appendChild(row);
  }
}

// Why a candidate is where it is: short in the row, in full as its tooltip.
function why(item) {
  if (item.similarity != null) return '≈' + item.similarity.toFixed(2);
  if (item.relevance == null) return '';
  return (item.relevance >= 0 ? '+' : '') + item.relevance.toFixed(2) + (item.because.length ? ' ·' + item.because.length : '');
}

function whyInFull(item) {
  if (item.similarity != null) return 'similarity ' + item.similarity.toFixed(3) + (item.label ? '; labelled ' + item.label : '');
  if (item.relevance == null) return '';
  return 'relevance ' + item.relevance.toFixed(3) + ', novelty ' + item.novelty.toFixed(2) + ', anomaly quantile '
    + item.anomaly_g.toFixed(2) + ', queue key ' + item.queue_key.toFixed(2)
    + (item.because.length ? '; labelled spectra behind it: ' + item.because.map((b) => b.targetid + ' ('
      + (b.relevance >= 0 ? '+' : '') + b.relevance + ', weight ' + b.weight.toFixed(2) + ')').join(', ') : '');
}

function renderQueue() {
  $('queue-count').textContent = state.like ? state.total + ' spectra like ' + state.like
    : byRelevance() ? state.total + ' unlabelled candidates by relevance, learned from ' + state.labelsUsed + ' labels'
      : state.total + ' candidates, ' + state.unlabelled + ' not labelled by me';
  const body = $('queue-rows');
  body.textContent = '';
  state.queue.forEach((item, i) => {
    const tr = document.createElement('tr');
    tr.dataset.index = String(i);
    if (state.current && item.targetid === state.current.targetid) tr.className = 'current';
    for (const text of [item.targetid, item.score == null ? '' : item.score.toFixed(2),
                        item.z == null ? '' : item.z.toFixed(3), item.mine || (state.drafts[item.targetid] ? 'draft' : '')]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.appendChild(td);
    }
    // Under the TARGETID, why it is here (relevance and labelled spectra near, or similarity).
    const reason = why(item);
    if (reason) {
      const d = document.createElement('div');
      d.className = 'why';
      d.textContent = reason;
      tr.firstChild.appendChild(d);
    }
    tr.title = whyInFull(item);
    tr.addEventListener('click', () => openIndex(i));
    body.appendChild(tr);
  });
  $('more').style.display = !state.like && state.queue.length < state.total ? '' : 'none';
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
  if (state.current && state.current.targetid !== id) await leaveCurrent();
  const i = state.queue.findIndex((q) => q.targetid === id);
  if (i >= 0) state.index = i;
  let c;
  try { c = await fetchCandidate(id); } catch (e) { setStatus('cannot open ' + id + ': ' + e.message, true); return; }
  state.current = c;
  state.xRange = null; state.yRange = null; state.trialZ = null;
  $('trial-z').value = '';
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
                ['amplitude', fmt(c.amplitude, 3) + ' (10⁻¹⁷ erg/s/cm²/Å per normalized unit)'],
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
  renderEpochs(c);
  $('svg-link').href = figureURL('svg');
  $('png-link').href = figureURL('png');
  renderSuggestions();
  renderLabel();
  draw();
}

// Every spectrum of the object, its date, visit and S/N; with two or more,
// what qad epochs found and the figure of them all overlaid (a link opens it large).
function renderEpochs(c) {
  const box = $('epochs');
  box.textContent = '';
  const epochs = c.epochs || [];
  if (epochs.length < 2) { box.textContent = epochs.length ? 'one epoch' : 'no epochs stored'; return; }
  const v = c.variability;
  const flags = v ? [v.changing_look, v.class_change, v.redshift_conflict ? 'redshift conflict' : null].filter((x) => x) : [];
  const head = document.createElement('div');
  head.textContent = v ? 'variability ' + fmt(v.sigma, 1) + 'σ' + (flags.length ? ' · ' + flags.join(' · ') : '')
                       : 'variability not computed (run qad epochs --store)';
  box.appendChild(head);
  const table = document.createElement('table');
  for (const e of epochs) {
    const tr = document.createElement('tr');
    cell(tr, e.mjd == null ? 'MJD ?' : 'MJD ' + Math.round(e.mjd)); cell(tr, e.visit); cell(tr, 'S/N ' + fmt(e.snr, 1));
    cell(tr, (e.spectype || '') + (e.primary ? ' (primary)' : ''));
    tr.title = e.source;
    table.appendChild(tr);
  }
  box.appendChild(table);
  const url = '/figure/epochs/' + encodeURIComponent(c.targetid) + '.svg';
  const a = document.createElement('a');
  a.href = url; a.target = '_blank'; a.rel = 'noopener';
  const img = document.createElement('img');
  img.src = url + '?w=700&h=420'; img.alt = 'epochs of ' + c.targetid; img.loading = 'lazy';
  a.appendChild(img);
  box.appendChild(a);
}

// Redshifts at which a strong line sits where the catalog redshift puts another:
// the usual line confusions behind a wrong redshift.
function renderSuggestions() {
  const c = state.current, sel = $('z-suggest');
  sel.textContent = '';
  const head = document.createElement('option'); head.value = ''; head.textContent = 'line confusions…'; sel.appendChild(head);
  const strong = ['Lyα', 'CIV', 'CIII]', 'MgII', 'Hβ', '[OIII]', 'Hα'];
  const lines = state.lines.filter((l) => strong.includes(l.name));
  const sp = c.spectrum, lo = sp.lambda[0] * (1 + c.z), hi = sp.lambda[sp.lambda.length - 1] * (1 + c.z);
  const out = [];
  for (const a of lines) {
    const obs = a.rest * (1 + c.z);
    if (obs < lo || obs > hi) continue;
    for (const b of lines) {
      if (a === b) continue;
      const z = obs / b.rest - 1;
      if (z > 0.001 && z < 7) out.push({ z, text: 'z = ' + z.toFixed(4) + ': ' + a.name + ' is ' + b.name });
    }
  }
  out.sort((x, y) => x.z - y.z);
  for (const s of out) { const o = document.createElement('option'); o.value = s.z.toFixed(4); o.textContent = s.text; sel.appendChild(o); }
}

function setTrialZ(text) {
  const t = String(text).trim();
  if (t === '') { state.trialZ = null; $('trial-z').value = ''; if (state.current) draw(); return; }
  const z = Number(t);
  if (!isFinite(z) || z <= 0 || z >= 12) { setStatus('trial z ' + t + ': a redshift above 0 and below 12', true); return; }
  state.trialZ = z;
  $('trial-z').value = String(z);
  setStatus('trial z = ' + z + ': lines and model moved; label "wrong redshift" to propose it');
  if (state.current) draw();
}

function figureURL(kind) {
  const c = state.current;
  return '/figure/' + c.targetid + '.' + kind + '?frame=' + (state.frame === 'rest' ? 'rest' : 'observed') + '&smooth=' + state.smooth;
}

function describe(e) {
  return new Date(e.created_at * 1000).toISOString().slice(0, 19) + ' ' + e.class
    + (e.subtype ? ' / ' + e.subtype : '') + ' (' + ['', 'low', 'medium', 'high'][e.confidence] + ')'
    + (e.proposed_z != null ? ' z = ' + e.proposed_z : '') + (e.notes ? ': ' + e.notes : '');
}

function renderLabel() {
  const c = state.current;
  const last = lastLabel(c);
  for (const b of document.querySelectorAll('#classify button[data-class]')) {
    b.classList.toggle('chosen', !!last && b.dataset.class === last.class);
  }
  const draft = state.drafts[c.targetid];
  const shown = draft || (last ? { subtype: last.subtype, notes: last.notes, confidence: last.confidence }
                               : { subtype: '', notes: '', confidence: Number($('confidence').value) });
  $('subtype').value = shown.subtype;
  $('notes').value = shown.notes;
  state.confidence = shown.confidence; $('confidence').value = String(shown.confidence);
  showDraft();
  const o = $('others');
  o.textContent = '';
  if (c.others && c.others.length) {
    const title = document.createElement('div');
    title.textContent = 'Other reviewers (' + new Set(c.others.map((e) => e.reviewer)).size + '):';
    o.appendChild(title);
    for (const e of c.others.slice().reverse()) {
      const d = document.createElement('div');
      d.className = 'event';
      d.textContent = e.reviewer + ' ' + describe(e);
      o.appendChild(d);
    }
  }
  const h = $('history');
  h.textContent = '';
  if (c.history.length) {
    const title = document.createElement('div');
    title.textContent = 'My history of this target (' + c.history.length + ' events):';
    h.appendChild(title);
    for (const e of c.history.slice().reverse()) {
      const d = document.createElement('div');
      d.className = 'event';
      d.textContent = describe(e);
      h.appendChild(d);
    }
  }
  const cls = last ? last.class : null;
  const subtypes = $('subtypes');
  subtypes.textContent = '';
  const info = state.session.classes.find((k) => k.key === cls);
  for (const s of info ? info.subtypes : []) { const o = document.createElement('option'); o.value = s; subtypes.appendChild(o); }
}

async function classify(cls, options) {
  const opts = options || {};
  const c = state.current;
  if (!c) return;
  const v = formValues();
  const body = {
    targetid: c.targetid, class: cls, subtype: v.subtype, confidence: v.confidence,
    notes: v.notes, client_event_id: (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()),
  };
  if (cls === 'wrong_redshift' && state.trialZ != null) body.proposed_z = state.trialZ;
  try {
    const e = await api('/api/label', {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify(body),
    });
    const last = lastLabel(c);
    if (!last || last.event !== e.event) c.history.push(e);
    delete state.drafts[c.targetid];
    saveDrafts();
    const q = state.queue.find((x) => x.targetid === c.targetid);
    if (q && !q.mine) state.unlabelled -= 1;
    if (q) q.mine = e.class;
    if (state.current === c) renderLabel();
    renderQueue();
    setStatus('saved: ' + e.class + ' for ' + c.targetid + (opts.quiet ? ' (with your note, on leaving)' : ''));
    if (byRelevance() && !state.like && !opts.quiet) {
      // The label teaches the ranking: the queue re-ranks at once.
      await loadQueue(false);
      state.index = state.queue.findIndex((x) => x.targetid === c.targetid);
      renderQueue();
      if (opts.advance !== false && $('auto-advance').checked) openIndex(0);
      return;
    }
    if (opts.advance !== false && $('auto-advance').checked) move(1);
  } catch (err) {
    setStatus('not saved: ' + err.message, true);
  }
}

// ---------- figure ----------

const colors = { flux: '#282828', model: '#d62728', noise: 'rgba(120,150,210,0.35)', masked: 'rgba(150,150,150,0.25)',
  window: 'rgba(240,170,0,0.85)', windowTint: 'rgba(255,200,0,0.18)', local: 'rgba(230,90,0,0.9)', line: '#2c7850',
  absorber: '#b5651d', galactic: '#7b3fa0', resid: '#1f5ab4', grid: '#e1e4ea', axis: '#3c3c3c',
  arms: { B: 'rgba(40,90,220,0.55)', R: 'rgba(200,40,40,0.55)', Z: 'rgba(120,40,160,0.55)' }, redrock: '#e08a00' };

// Inverse-variance weighted boxcar: the same kernel for data, model and arms,
// so a smoothed model still describes the smoothed data.
function smoothed(values, ivar, width) {
  const n = values.length, h = Math.floor(width / 2), f = new Array(n), s = new Array(n);
  for (let i = 0; i < n; i++) {
    let sw = 0, swf = 0;
    for (let j = Math.max(0, i - h); j <= Math.min(n - 1, i + h); j++) {
      if (ivar[j] > 0 && isFinite(values[j])) { sw += ivar[j]; swf += ivar[j] * values[j]; }
    }
    f[i] = sw > 0 ? swf / sw : NaN;
    s[i] = sw > 0 ? 1 / Math.sqrt(sw) : NaN;
  }
  return [f, s];
}

// Weights for smoothing a model curve with the data's kernel: the data's
// ivar, and a tiny weight on masked pixels so the curve crosses the gaps.
function curveWeights(values, ivar) {
  return ivar.map((v, i) => isFinite(values[i]) ? (v > 0 ? v : 1e-12) : 0);
}

function ticks(lo, hi, count) {
  const raw = (hi - lo) / count, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

function label(v) { return Math.abs(v - Math.round(v)) < 1e-9 ? String(Math.round(v)) : String(+v.toFixed(3)); }

function quantile(sorted, q) { return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round((sorted.length - 1) * q)))]; }

// Linear interpolation of ys (on increasing xs) at x; NaN outside or next to a gap.
function interpolate(xs, ys, x) {
  if (!(x >= xs[0] && x <= xs[xs.length - 1])) return NaN;
  let lo = 0, hi = xs.length - 1;
  while (hi - lo > 1) { const m = (lo + hi) >> 1; if (xs[m] <= x) lo = m; else hi = m; }
  const t = xs[hi] === xs[lo] ? 0 : (x - xs[lo]) / (xs[hi] - xs[lo]);
  return ys[lo] + t * (ys[hi] - ys[lo]);
}

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
  const sp = c.spectrum;
  // The catalog z places the data; the trial z (when set) places lines and model.
  const zShown = state.trialZ != null ? state.trialZ : c.z;
  const observed = state.frame === 'observed';
  const dataFactor = observed ? 1 + c.z : (1 + c.z) / (1 + zShown);
  const lineFactor = observed ? 1 + zShown : 1;
  const galacticFactor = observed ? 1 : 1 / (1 + zShown);
  const lam = sp.lambda.map((x) => x * dataFactor);
  if (lam.length < 2) { g.fillStyle = colors.axis; g.fillText('no covered pixels', L.w / 2, L.h / 2); L.canvas.dataset.points = '0'; return; }
  const unit = state.physical && c.amplitude > 0 ? c.amplitude : 1;
  const ivar = sp.ivar.map((v) => v || 0);
  const [flux, sigma] = smoothed(sp.flux.map((v) => v == null ? NaN : v * unit), ivar.map((v) => v / (unit * unit)), state.smooth);
  // The model on the data's pixels: at the catalog z it is the reconstruction itself; at a trial z
  // the reconstruction moves with it, read at each pixel's rest wavelength for that z.
  const rawModel = sp.model.map((v) => v == null ? NaN : v * unit);
  const modelAtPixels = state.trialZ == null ? rawModel
    : sp.lambda.map((x) => interpolate(sp.lambda, rawModel, x * (1 + c.z) / (1 + zShown)));
  const [model] = smoothed(modelAtPixels, curveWeights(modelAtPixels, ivar), state.smooth);
  const xr = state.xRange || [lam[0], lam[lam.length - 1]];
  const X = (v) => L.left + (v - xr[0]) / (xr[1] - xr[0]) * (L.right - L.left);
  const vis = [];
  for (let i = 0; i < lam.length; i++) if (lam[i] >= xr[0] && lam[i] <= xr[1]) vis.push(i);
  // y-range: the data's 0.5–99.5 % range widened to the model's whole range,
  // so line peaks the model follows are never cut; noise spikes beyond are.
  const fv = [], mv = [];
  for (const i of vis) { if (isFinite(flux[i]) && ivar[i] > 0) fv.push(flux[i]); if (isFinite(model[i])) mv.push(model[i]); }
  fv.sort((a, b) => a - b);
  let lo = fv.length ? quantile(fv, 0.005) : 0, hi = fv.length ? quantile(fv, 0.995) : 1;
  for (const m of mv) { if (m > hi) hi = m; if (m < lo) lo = m; }
  if (!(hi > lo)) { lo -= 1; hi += 1; }
  const pad = (hi - lo) * 0.08; lo -= pad; hi += pad;
  if (state.yRange) [lo, hi] = state.yRange;
  const Y = (v) => L.flux[1] - (Math.min(Math.max(v, lo), hi) - lo) / (hi - lo) * (L.flux[1] - L.flux[0]);
  const resid = lam.map((_, i) => (isFinite(sigma[i]) && isFinite(model[i])) ? (flux[i] - model[i]) / sigma[i] : NaN);
  let rmax = 5;
  for (const i of vis) if (isFinite(resid[i])) rmax = Math.max(rmax, Math.abs(resid[i]) * 1.1);
  rmax = Math.min(rmax, 30);
  const R = (v) => L.resid[1] - (Math.min(Math.max(v, -rmax), rmax) + rmax) / (2 * rmax) * (L.resid[1] - L.resid[0]);

  g.save();
  g.beginPath(); g.rect(L.left, L.top, L.right - L.left, L.bottom - L.top); g.clip();
  const shade = (a, b, color, y0, y1) => { g.fillStyle = color; g.fillRect(X(a), y0, Math.max(1, X(b) - X(a)), y1 - y0); };
  for (let i = 0; i < lam.length; i++) {
    if (!(sp.ivar[i] > 0)) { let j = i; while (j + 1 < lam.length && !(sp.ivar[j + 1] > 0)) j++; shade(lam[i], lam[j], colors.masked, L.top, L.bottom); i = j; }
  }
  // Explanation windows mark without hiding: a bar along the top of the flux
  // panel and a faint tint behind the residuals only.
  const toFrame = (a, frame) => frame === 'obs' ? (observed ? a : a / (1 + zShown)) : a * dataFactor;
  for (const w of c.windows) {
    if (!w.range) continue;
    const a = toFrame(w.range[0], w.frame), b = toFrame(w.range[1], w.frame);
    shade(a, b, colors.window, L.flux[0], L.flux[0] + 5);
    shade(a, b, colors.windowTint, L.resid[0], L.resid[1]);
  }
  const bracket = (centre, width, frame) => {
    const a = toFrame(centre - width / 2, frame), b = toFrame(centre + width / 2, frame);
    shade(a, b, colors.local, L.flux[0] + 5, L.flux[0] + 10);
    g.strokeStyle = colors.local; g.lineWidth = 1; g.setLineDash([2, 2]);
    for (const x of [a, b]) { g.beginPath(); g.moveTo(X(x), L.resid[0]); g.lineTo(X(x), L.resid[1]); g.stroke(); }
    g.setLineDash([]);
  };
  if (c.local_rest) bracket(c.local_rest[0], c.local_rest[1], 'rest');
  if (c.local_obs) bracket(c.local_obs[0], c.local_obs[1], 'obs');
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
  const curve = (xs, values, Yf, color, valid) => {
    g.strokeStyle = color; g.lineWidth = 1; g.beginPath();
    let pen = false;
    for (let i = 0; i < xs.length; i++) {
      if (!valid(i) || !isFinite(values[i])) { pen = false; continue; }
      if (pen) g.lineTo(X(xs[i]), Yf(values[i])); else g.moveTo(X(xs[i]), Yf(values[i]));
      pen = true; drawn++;
    }
    g.stroke();
  };
  // The source file's own per-arm pixels, beneath the rebinned spectrum.
  const arms = state.showArms ? state.arms.get(c.targetid) : null;
  if (arms && arms.arms) {
    const scale = state.physical ? 1 : 1 / (c.amplitude > 0 ? c.amplitude : 1);
    const armFactor = observed ? 1 : 1 / (1 + zShown);
    for (const a of arms.arms) {
      const [af] = smoothed(a.flux.map((v) => v * scale), a.ivar.map((v) => v / (scale * scale)), state.smooth);
      curve(a.wavelength.map((x) => x * armFactor), af, Y, colors.arms[a.name] || colors.axis, (i) => a.ivar[i] > 0);
    }
  }
  curve(lam, flux, Y, colors.flux, (i) => sp.ivar[i] > 0);
  curve(lam, model, Y, colors.model, () => true);
  // redrock's best fit, on the same observed grid, in normalized or physical units.
  const rr = state.showRedrock ? state.redrock.get(c.targetid) : null;
  if (rr) {
    const scale = state.physical ? 1 : 1 / (c.amplitude > 0 ? c.amplitude : 1);
    const rrFlux = rr.flux.map((v) => v == null ? NaN : v * scale);
    const [rs] = smoothed(rrFlux, curveWeights(rrFlux, ivar), state.smooth);
    g.setLineDash([5, 2]);
    curve(rr.lambda.map((x) => observed ? x : x / (1 + zShown)), rs, Y, colors.redrock, () => true);
    g.setLineDash([]);
  }
  g.strokeStyle = colors.axis; g.beginPath(); g.moveTo(L.left, R(0)); g.lineTo(L.right, R(0)); g.stroke();
  curve(lam, resid, R, colors.resid, () => true);
  // Line markers; their pixel positions are kept on the canvas for tests and tools.
  const markers = [];
  const marker = (name, at, color, dash, row) => {
    if (at < xr[0] || at > xr[1]) return;
    g.setLineDash(dash); g.strokeStyle = color; g.fillStyle = color;
    g.beginPath(); g.moveTo(X(at), L.top); g.lineTo(X(at), L.bottom); g.stroke();
    g.fillText(name, X(at) + 2, L.top + 10 + row * 11);
    markers.push({ name, x: Math.round(X(at) * 10) / 10 });
  };
  g.font = '10px sans-serif';
  let row = 0;
  for (const line of state.lines) marker(line.name, line.rest * lineFactor, colors.line, [4, 3], row++ % 2);
  if (state.showAbsorbers) {
    for (const a of state.absorbers) {
      marker(a.name, a.rest * (a.galactic ? galacticFactor : lineFactor), a.galactic ? colors.galactic : colors.absorber, [1, 2], 2 + (row++ % 2));
    }
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
  for (const t of ticks(-rmax, rmax, 4)) g.fillText(label(t), L.left - 6, R(t) + 3.5);
  g.textAlign = 'left'; g.font = '13px sans-serif'; g.fillStyle = '#000';
  g.fillText('TARGETID ' + c.targetid + '   z = ' + c.z.toFixed(4) + (state.trialZ != null ? '   trial z = ' + state.trialZ : '')
    + (state.smooth > 1 ? '   smoothed ' + state.smooth + ' bins' : ''), L.left, 18);
  g.textAlign = 'center'; g.font = '12px sans-serif'; g.fillStyle = colors.axis;
  g.fillText(observed ? 'Observed wavelength (Å)' : 'Rest-frame wavelength (Å)' + (state.trialZ != null ? ' at the trial z' : ''),
    (L.left + L.right) / 2, L.h - 6);
  g.save(); g.translate(14, (L.flux[0] + L.flux[1]) / 2); g.rotate(-Math.PI / 2);
  g.fillText(unit !== 1 ? 'Flux (10⁻¹⁷ erg s⁻¹ cm⁻² Å⁻¹)' : 'Flux (normalized)', 0, 0); g.restore();
  g.save(); g.translate(14, (L.resid[0] + L.resid[1]) / 2); g.rotate(-Math.PI / 2); g.fillText('Resid/σ', 0, 0); g.restore();
  drawLegend(g, L, !!(arms && arms.arms), rr);
  L.canvas.dataset.points = String(drawn);
  L.canvas.dataset.targetid = c.targetid;
  L.canvas.dataset.markers = JSON.stringify(markers);
  L.canvas.dataset.yrange = JSON.stringify([lo, hi]);
  L.canvas._scale = { xr, yr: [lo, hi], left: L.left, right: L.right, flux: L.flux };
}

function drawLegend(g, L, arms, rr) {
  const items = [['line', colors.flux, 'data'], ['line', colors.model, 'model'], ['box', colors.noise, '±1σ noise'],
    ['box', colors.masked, 'masked'], ['dash', colors.line, 'emission lines'], ['bar', colors.window, 'explanation window'],
    ['bar', colors.local, 'largest local residual']];
  if (state.showAbsorbers) items.push(['dash', colors.absorber, 'absorbers at z'], ['dash', colors.galactic, 'Milky Way (z = 0)']);
  if (arms) items.push(['line', colors.arms.B, 'b arm'], ['line', colors.arms.R, 'r arm'], ['line', colors.arms.Z, 'z arm']);
  if (rr) items.push(['dash', colors.redrock, 'redrock ' + rr.spectype + (rr.subtype ? ' ' + rr.subtype : '') + ' z = ' + rr.z.toFixed(4)]);
  g.font = '10px sans-serif';
  const width = 14 + Math.max(...items.map((it) => g.measureText(it[2]).width)) + 22, height = items.length * 12 + 6;
  const x0 = L.right - width - 4, y0 = L.flux[0] + 14;
  g.fillStyle = 'rgba(255,255,255,0.85)'; g.fillRect(x0, y0, width, height);
  g.strokeStyle = colors.grid; g.strokeRect(x0, y0, width, height);
  items.forEach(([kind, color, text], k) => {
    const y = y0 + 10 + k * 12;
    g.fillStyle = color; g.strokeStyle = color;
    if (kind === 'box') g.fillRect(x0 + 6, y - 6, 18, 8);
    else if (kind === 'bar') g.fillRect(x0 + 6, y - 4, 18, 4);
    else { g.setLineDash(kind === 'dash' ? [4, 3] : []); g.beginPath(); g.moveTo(x0 + 6, y - 2); g.lineTo(x0 + 24, y - 2); g.stroke(); g.setLineDash([]); }
    g.fillStyle = colors.axis; g.textAlign = 'left'; g.fillText(text, x0 + 30, y + 1);
  });
}

// Zoom (wheel around the cursor: wavelength; shift+wheel: flux) and pan (drag).
function installZoom() {
  const canvas = $('figure');
  const toLambda = (px) => { const s = canvas._scale; return s.xr[0] + (px - s.left) / (s.right - s.left) * (s.xr[1] - s.xr[0]); };
  const toFlux = (py) => { const s = canvas._scale; return s.yr[0] + (s.flux[1] - py) / (s.flux[1] - s.flux[0]) * (s.yr[1] - s.yr[0]); };
  canvas.addEventListener('wheel', (e) => {
    if (!state.current || !canvas._scale) return;
    e.preventDefault();
    const k = e.deltaY > 0 ? 1.25 : 0.8;
    if (e.shiftKey) {
      const at = toFlux(e.offsetY), yr = canvas._scale.yr;
      state.yRange = [at - (at - yr[0]) * k, at + (yr[1] - at) * k];
    } else {
      const at = toLambda(e.offsetX), xr = canvas._scale.xr;
      state.xRange = [at - (at - xr[0]) * k, at + (xr[1] - at) * k];
    }
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

function toggleCheckbox(id) { const b = $(id); b.checked = !b.checked; b.dispatchEvent(new Event('change')); }

// An overlay fetched once per candidate when first shown: the source file's
// b/r/z pixels (state.arms, key a) or redrock's best fit (state.redrock, key m).
async function toggleOverlay(flag, button, cache, path, what) {
  state[flag] = !state[flag];
  $(button).classList.toggle('on', state[flag]);
  const c = state.current;
  if (!state[flag] || !c) { if (c) draw(); return; }
  if (!cache.has(c.targetid)) {
    try { cache.set(c.targetid, await api(path + encodeURIComponent(c.targetid))); } catch (e) {
      state[flag] = false; $(button).classList.remove('on');
      setStatus(what + ': ' + e.message, true);
      return;
    }
  }
  if (state.current === c) draw();
}
const toggleArms = () => toggleOverlay('showArms', 'arms', state.arms, '/api/arms/', 'per-arm pixels');
const toggleRedrock = () => toggleOverlay('showRedrock', 'redrock', state.redrock, '/api/redrock/', 'redrock model');

function move(step) {
  const next = state.index + step;
  if (next >= 0 && next < state.queue.length) openIndex(next);
  else if (step > 0 && state.queue.length < state.total) {
    loadQueue(true).then(() => openIndex(next)).catch((e) => setStatus('queue: ' + e.message, true));
  }
}

function showHelp(open) { $('keys').hidden = !open; }

// Text fields take keys; everything else (buttons, checkboxes, selects the
// mouse last changed) leaves them to the page.
function isTextField(el) {
  if (!el) return false;
  if (el.tagName === 'TEXTAREA') return true;
  return el.tagName === 'INPUT' && !['checkbox', 'radio', 'button', 'submit'].includes(el.type);
}

function installKeys() {
  document.addEventListener('keydown', (e) => {
    const el = document.activeElement;
    if (isTextField(el)) {
      if (e.key === 'Escape') el.blur();
      else if (e.key === 'Enter' && el.id === 'trial-z') { setTrialZ(el.value); el.blur(); e.preventDefault(); }
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'Escape') { showHelp(false); if (el && el.blur) el.blur(); return; }
    const n = Number(e.key);
    if (n >= 1 && n <= state.session.classes.length) { classify(state.session.classes[n - 1].key); e.preventDefault(); return; }
    switch (e.key) {
      case 'j': case 'ArrowRight': move(1); break;
      case 'k': case 'ArrowLeft': move(-1); break;
      case 'o': toggleFrame(); break;
      case 's': cycleSmoothing(); break;
      case 'r': state.xRange = null; state.yRange = null; if (state.current) draw(); break;
      case 'c': { const sel = $('confidence'); sel.selectedIndex = (sel.selectedIndex + 1) % 3; noteInput(); break; }
      case 'n': $('notes').focus(); break;
      case 't': $('trial-z').focus(); break;
      case 'b': toggleCheckbox('absorbers'); break;
      case 'u': toggleCheckbox('physical'); break;
      case 'a': toggleArms(); break;
      case 'm': toggleRedrock(); break;
      case 'l': loadSimilar().catch((err) => setStatus('more like this: ' + err.message, true)); break;
      case 'h': hideFamily().catch((err) => setStatus('hide family: ' + err.message, true)); break;
      case '?': showHelp($('keys').hidden); break;
      default: return;
    }
    // A focused select would otherwise also take the key (type-ahead).
    e.preventDefault();
  });
}

async function applyFilters(e) {
  e.preventDefault();
  $('filter-error').textContent = '';
  state.cache.clear();
  try {
    await loadQueue(false);
    await openIndex(0);
  } catch (err) {
    $('filter-error').textContent = 'filter refused: ' + err.message;
    setStatus('filter refused: ' + err.message, true);
  }
}

async function start() {
  state.session = await api('/api/session');
  state.lines = state.session.lines;
  state.absorbers = state.session.absorbers || [];
  loadDrafts();
  for (const b of document.querySelectorAll('#classify button[data-class]')) b.addEventListener('click', () => classify(b.dataset.class));
  $('prev').addEventListener('click', () => move(-1));
  $('next').addEventListener('click', () => move(1));
  $('frame').addEventListener('click', toggleFrame);
  $('reset').addEventListener('click', () => { state.xRange = null; state.yRange = null; if (state.current) draw(); });
  $('smooth').addEventListener('change', () => { state.smooth = Number($('smooth').value); if (state.current) renderCandidate(); });
  $('more').addEventListener('click', () => loadQueue(true).catch((e) => setStatus('queue: ' + e.message, true)));
  $('filters').addEventListener('submit', applyFilters);
  $('subtype').addEventListener('input', noteInput);
  $('notes').addEventListener('input', noteInput);
  $('confidence').addEventListener('change', noteInput);
  $('trial-z').addEventListener('change', () => setTrialZ($('trial-z').value));
  $('z-suggest').addEventListener('change', () => { if ($('z-suggest').value) setTrialZ($('z-suggest').value); });
  $('absorbers').addEventListener('change', () => { state.showAbsorbers = $('absorbers').checked; if (state.current) draw(); });
  $('physical').addEventListener('change', () => { state.physical = $('physical').checked; state.yRange = null; if (state.current) draw(); });
  $('arms').addEventListener('click', toggleArms);
  $('redrock').addEventListener('click', toggleRedrock);
  $('like').addEventListener('click', () => loadSimilar().catch((e) => setStatus('more like this: ' + e.message, true)));
  $('hide-family').addEventListener('click', () => hideFamily().catch((e) => setStatus('hide family: ' + e.message, true)));
  $('keys-close').addEventListener('click', () => showHelp(false));
  const advance = $('auto-advance');
  advance.checked = localStorage.getItem('qad-auto-advance') === '1';
  advance.addEventListener('change', () => localStorage.setItem('qad-auto-advance', advance.checked ? '1' : '0'));
  // A select or checkbox changed with the mouse gives the keys back at once.
  for (const el of document.querySelectorAll('select, input[type=checkbox]')) el.addEventListener('change', () => el.blur());
  window.addEventListener('resize', () => { if (state.current) draw(); });
  window.addEventListener('hashchange', () => { const m = /^#t=(\d+)$/.exec(location.hash); if (m && (!state.current || state.current.targetid !== m[1])) openTarget(m[1]); });
  window.addEventListener('beforeunload', () => saveDrafts());
  installKeys();
  installZoom();
  await loadSuppressions();
  await loadQueue(false);
  const m = /^#t=(\d+)$/.exec(location.hash);
  if (m) await openTarget(m[1]); else await openIndex(0);
  document.body.dataset.ready = '1';
}

start().catch((e) => setStatus('could not start: ' + e.message, true));
