// PatchWatch dashboard: polls /api/v1 and draws the exposure curve with uPlot (served from the jar).
(function () {
  'use strict';

  const POLL_MS = 5000;
  const params = new URLSearchParams(location.search);
  const state = {
    vulnerability: params.get('vulnerability'),
    dimension: (params.get('dimension') || 'GLOBAL').toUpperCase(),
    value: params.get('value') || 'ALL',
    breakdownDate: null,
    breakdownDimension: 'COUNTRY',
    curveKey: null,
    points: [],
    cohortDay: params.get('cohortDay'),
    cohortKey: null,
    transitionsKey: null,
  };
  const charts = { curve: null, ratio: null, cohort: null, transitions: null };
  const $ = (id) => document.getElementById(id);
  const token = readToken();
  let regions = null;
  try {
    regions = new Intl.DisplayNames(['en'], { type: 'region' });
  } catch (e) {
    regions = null;
  }

  /** A bearer token given as #token=… (never sent in a URL), kept for this tab only. */
  function readToken() {
    const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (m) {
      sessionStorage.setItem('patchwatch.token', decodeURIComponent(m[1]));
      history.replaceState(null, '', location.pathname + location.search);
    }
    return sessionStorage.getItem('patchwatch.token');
  }

  async function get(path, query) {
    const q = new URLSearchParams();
    Object.entries(query || {}).forEach(([k, v]) => {
      if (v !== null && v !== undefined) q.set(k, v);
    });
    const url = 'api/v1/' + path + (q.toString() ? '?' + q : '');
    const response = await fetch(url, {
      headers: token ? { Authorization: 'Bearer ' + token } : {},
      cache: 'no-store',
    });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || response.statusText);
    return body;
  }

  const int = (n) => (n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US'));
  const pct = (x, signed) =>
    x === null || x === undefined
      ? '–'
      : (signed && x > 0 ? '+' : '') + (100 * x).toFixed(1) + '%';
  const epoch = (date) => Date.parse(date + 'T00:00:00Z') / 1000;

  function label(dimension, value) {
    if (dimension === 'GLOBAL') return 'all hosts';
    if (dimension === 'COUNTRY' && regions && value !== 'ZZ') {
      try {
        return regions.of(value) + ' (' + value + ')';
      } catch (e) {
        return value;
      }
    }
    if (dimension === 'ASN') return 'AS' + value;
    return value;
  }

  function option(select, value, text, selected) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = text;
    o.selected = selected;
    select.appendChild(o);
  }

  function keepUrl() {
    const q = new URLSearchParams();
    if (state.vulnerability) q.set('vulnerability', state.vulnerability);
    q.set('dimension', state.dimension);
    if (state.dimension !== 'GLOBAL') q.set('value', state.value);
    if (state.cohortDay) q.set('cohortDay', state.cohortDay);
    history.replaceState(null, '', location.pathname + '?' + q);
  }

  async function loadVulnerabilities() {
    const body = await get('vulnerabilities');
    const list = body.vulnerabilities.map((v) => v.vulnerability);
    if (!state.vulnerability || !list.includes(state.vulnerability)) {
      state.vulnerability = list.length ? list[0] : null;
    }
    const select = $('vulnerability');
    if (select.dataset.list !== list.join(',')) {
      select.textContent = '';
      list.forEach((v) => option(select, v, v, v === state.vulnerability));
      select.dataset.list = list.join(',');
    }
    select.value = state.vulnerability || '';
  }

  /** The values of the chosen dimension, from the latest window's breakdown. */
  async function loadValues() {
    const select = $('value');
    $('dimension').value = state.dimension;
    if (state.dimension === 'GLOBAL' || !state.vulnerability) {
      select.textContent = '';
      select.disabled = true;
      state.value = 'ALL';
      return;
    }
    const body = await get('breakdown', {
      vulnerability: state.vulnerability,
      dimension: state.dimension,
      limit: 1000,
    });
    const values = body.rows.map((r) => r.value);
    if (!state.value || state.value === 'ALL') state.value = values[0] || '';
    else if (!values.includes(state.value)) values.unshift(state.value);
    if (select.dataset.list !== values.join(',')) {
      select.textContent = '';
      values.forEach((v) => option(select, v, label(state.dimension, v), v === state.value));
      select.dataset.list = values.join(',');
    }
    select.value = state.value;
    select.disabled = false;
  }

  function size(el) {
    const width = Math.max(320, el.clientWidth || 800);
    const printing = window.matchMedia && window.matchMedia('print').matches;
    return { width: printing ? 680 : width, height: printing ? 260 : Math.min(340, width * 0.45) };
  }

  function drawCurve(body) {
    const points = body.points;
    const reference = new Map(body.reference.map((r) => [r.date, r.exposed]));
    const dates = Array.from(new Set(points.map((p) => p.date).concat([...reference.keys()]))).sort();
    const byDate = new Map(points.map((p) => [p.date, p]));
    const xs = dates.map(epoch);
    const finals = dates.map((d) => (byDate.has(d) && byDate.get(d).final ? byDate.get(d).exposed : null));
    // the live segment starts at the last final so the curve reads as one line
    const lastFinal = points.filter((p) => p.final).map((p) => p.date).pop();
    const live = dates.map((d) => {
      const p = byDate.get(d);
      if (!p) return null;
      return !p.final || d === lastFinal ? p.exposed : null;
    });
    const hasLive = points.some((p) => !p.final);
    const refs = dates.map((d) => (reference.has(d) ? reference.get(d) : null));
    const series = [
      {},
      { label: 'exposed (final)', stroke: getCss('--final'), width: 2, points: { show: true, size: 5 } },
      { label: 'exposed (live)', stroke: getCss('--live'), width: 2, dash: [6, 4], points: { show: true, size: 5 }, show: hasLive },
      {
        label: body.referenceLabel || 'published',
        stroke: getCss('--reference'),
        width: 0,
        paths: () => null,
        points: { show: true, size: 9, fill: getCss('--reference') },
      },
    ];
    const data = [xs, finals, live, refs];
    if (reference.size === 0) {
      // no figures to compare with: no legend entry for them either
      series.pop();
      data.pop();
    }
    const el = $('curve');
    if (charts.curve) charts.curve.destroy();
    el.textContent = '';
    charts.curve = new uPlot(
      {
        ...size(el),
        series,
        scales: { x: { time: true } },
        axes: [{}, { values: (u, vals) => vals.map((v) => int(v)), size: 70 }],
        legend: { live: true },
      },
      data,
      el
    );
    el.dataset.points = JSON.stringify(points.map((p) => [p.date, p.exposed, p.final]));

    const ratio = $('ratio');
    if (charts.ratio) charts.ratio.destroy();
    ratio.textContent = '';
    charts.ratio = new uPlot(
      {
        ...size(ratio),
        height: Math.round(size(ratio).height * 0.7),
        series: [
          {},
          { label: 'remediated', stroke: getCss('--ratio'), width: 2, scale: '%', value: (u, v) => (v === null ? '–' : v.toFixed(1) + '%') },
          { label: 'week-over-week', stroke: getCss('--wow'), width: 2, scale: '%', value: (u, v) => (v === null ? '–' : v.toFixed(1) + '%') },
        ],
        scales: { x: { time: true } },
        axes: [{}, { scale: '%', values: (u, vals) => vals.map((v) => v + '%'), size: 60 }],
      },
      [
        xs,
        dates.map((d) => (byDate.has(d) && byDate.get(d).remediatedRatio !== null ? 100 * byDate.get(d).remediatedRatio : null)),
        dates.map((d) => (byDate.has(d) && byDate.get(d).weekOverWeek !== null ? 100 * byDate.get(d).weekOverWeek : null)),
      ],
      ratio
    );
    window.patchwatch = Object.assign(window.patchwatch || {}, {
      curve: charts.curve,
      ratio: charts.ratio,
      points: points,
    });
  }

  /** The cohort's share still VULNERABLE by age (of all members, and of those seen that day). */
  function drawCohort(body) {
    const el = $('cohort');
    if (charts.cohort) charts.cohort.destroy();
    charts.cohort = null;
    el.textContent = '';
    const points = body.points;
    $('cohort-caption').textContent = points.length
      ? 'Cohort of ' + body.cohortDay + ': ' + int(body.cohortSize) + ' hosts VULNERABLE that day (' +
        label(body.dimension, body.value) + ', by their slice that day), followed ' +
        (points.length - 1) + ' of 28 days. Still vulnerable on day ' + points[points.length - 1].ageDays +
        ': ' + pct(points[points.length - 1].survival) + '.'
      : 'No cohort yet: no day with a VULNERABLE host has closed in this slice.';
    el.dataset.cohortDay = body.cohortDay || '';
    el.dataset.points = JSON.stringify(points.map((p) => [p.ageDays, p.vulnerable, p.cohortSize]));
    if (!points.length) return;
    const share = (v) => (v === null ? null : 100 * v);
    charts.cohort = new uPlot(
      {
        ...size(el),
        height: Math.round(size(el).height * 0.8),
        series: [
          { label: 'age (days)', value: (u, v) => (v === null ? '–' : 'day ' + v) },
          {
            label: 'still vulnerable (of the cohort)',
            stroke: getCss('--survival'),
            width: 2,
            scale: '%',
            points: { show: true, size: 5 },
            value: (u, v) => (v === null ? '–' : v.toFixed(1) + '%'),
          },
          {
            label: 'vulnerable among those seen that day',
            stroke: getCss('--observed'),
            width: 1,
            dash: [6, 4],
            scale: '%',
            value: (u, v) => (v === null ? '–' : v.toFixed(1) + '%'),
          },
        ],
        scales: { x: { time: false }, '%': { range: [0, 100] } },
        axes: [
          { values: (u, vals) => vals.map((v) => (Number.isInteger(v) ? 'day ' + v : '')) },
          { scale: '%', values: (u, vals) => vals.map((v) => v + '%'), size: 60 },
        ],
      },
      [
        points.map((p) => p.ageDays),
        points.map((p) => share(p.survival)),
        points.map((p) => share(p.survivalObserved)),
      ],
      el
    );
    window.patchwatch = Object.assign(window.patchwatch || {}, { cohort: charts.cohort, cohortBody: body });
  }

  /** Per day: remediated, regressed, newly compromised, and remediated hosts still compromised. */
  function drawTransitions(body) {
    const el = $('transitions');
    if (charts.transitions) charts.transitions.destroy();
    charts.transitions = null;
    el.textContent = '';
    const points = body.points;
    el.dataset.points = JSON.stringify(points.map((p) => [p.date, p.compromisedButRemediated]));
    if (!points.length) return;
    const count = (u, v) => (v === null ? '–' : int(v));
    charts.transitions = new uPlot(
      {
        ...size(el),
        height: Math.round(size(el).height * 0.8),
        series: [
          {},
          { label: 'patched or mitigated, but compromised', stroke: getCss('--owned'), width: 3, value: count },
          { label: 'remediated', stroke: getCss('--remediated'), width: 1, value: count },
          { label: 'regressed', stroke: getCss('--regressed'), width: 1, dash: [6, 4], value: count },
          { label: 'newly compromised', stroke: getCss('--compromised'), width: 1, dash: [2, 3], value: count },
        ],
        scales: { x: { time: true } },
        axes: [{}, { values: (u, vals) => vals.map((v) => int(v)), size: 70 }],
      },
      [
        points.map((p) => epoch(p.date)),
        points.map((p) => p.compromisedButRemediated),
        points.map((p) => p.remediated),
        points.map((p) => p.regressed),
        points.map((p) => p.newlyCompromised),
      ],
      el
    );
    window.patchwatch = Object.assign(window.patchwatch || {}, {
      transitions: charts.transitions,
      transitionsBody: body,
    });
  }

  function getCss(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function showSummary(body) {
    const el = $('summary');
    el.textContent = '';
    const last = body.points[body.points.length - 1];
    const lastFinal = body.points.filter((p) => p.final).pop();
    const items = last
      ? [
          [int(last.exposed), 'exposed as of ' + last.date + (last.final ? '' : ' (live)')],
          [pct(last.remediatedRatio), 'patched or mitigated'],
          [pct(last.weekOverWeek, true), 'week-over-week'],
          [lastFinal ? lastFinal.date : '–', 'last final day'],
        ]
      : [['–', 'no exposure window counted yet']];
    items.forEach(([figure, text]) => {
      const div = document.createElement('div');
      div.innerHTML = '<div class="figure"></div><div class="label"></div>';
      div.firstChild.textContent = figure;
      div.lastChild.textContent = text;
      el.appendChild(div);
    });
    $('title').textContent =
      (state.vulnerability || '') + ' – ' + label(state.dimension, state.value);
  }

  function showPoints(body) {
    const reference = new Map(body.reference.map((r) => [r.date, r.exposed]));
    const tbody = $('points').tBodies[0];
    tbody.textContent = '';
    body.points.forEach((p) => {
      const tr = tbody.insertRow();
      tr.dataset.date = p.date;
      tr.dataset.exposed = p.exposed;
      [
        p.date,
        int(p.exposed),
        reference.has(p.date) ? int(reference.get(p.date)) : '',
        int(p.hosts),
        pct(p.remediatedRatio),
        pct(p.weekOverWeek, true),
        p.final ? 'final' : 'live',
      ].forEach((text, i) => {
        const td = tr.insertCell();
        td.textContent = text;
        if (i === 6 && !p.final) td.className = 'live';
      });
    });
  }

  async function loadCurve() {
    if (!state.vulnerability) {
      state.points = [];
      return;
    }
    const body = await get('curve', {
      vulnerability: state.vulnerability,
      dimension: state.dimension,
      value: state.dimension === 'GLOBAL' ? null : state.value,
    });
    state.points = body.points;
    const key = JSON.stringify([body.points, body.reference]);
    if (key !== state.curveKey) {
      state.curveKey = key;
      drawCurve(body);
      showSummary(body);
      showPoints(body);
    }
    $('curve').dataset.vulnerability = state.vulnerability;
    $('curve').dataset.dimension = state.dimension;
    $('curve').dataset.value = state.value;
  }

  function slice() {
    return {
      vulnerability: state.vulnerability,
      dimension: state.dimension,
      value: state.dimension === 'GLOBAL' ? null : state.value,
    };
  }

  async function loadCohort() {
    if (!state.vulnerability) return;
    let body = await get('cohorts', { ...slice(), cohortDay: state.cohortDay });
    const days = body.cohortDays.map((d) => d.cohortDay);
    if (state.cohortDay && !days.includes(state.cohortDay)) {
      // that day has no cohort in this slice: its earliest instead
      state.cohortDay = null;
      body = await get('cohorts', slice());
    }
    const select = $('cohort-day');
    const list = body.cohortDays.map((d) => d.cohortDay + ':' + d.cohortSize).join(',');
    if (select.dataset.list !== list) {
      select.textContent = '';
      body.cohortDays.forEach((d) =>
        option(select, d.cohortDay, d.cohortDay + ' (' + int(d.cohortSize) + ' hosts)', d.cohortDay === body.cohortDay)
      );
      select.dataset.list = list;
    }
    select.value = body.cohortDay || '';
    const key = JSON.stringify([body.vulnerability, body.dimension, body.value, body.cohortDay, body.points]);
    if (key !== state.cohortKey) {
      state.cohortKey = key;
      drawCohort(body);
    }
  }

  async function loadTransitions() {
    if (!state.vulnerability) return;
    const body = await get('transitions', slice());
    const key = JSON.stringify([body.vulnerability, body.dimension, body.value, body.points]);
    if (key !== state.transitionsKey) {
      state.transitionsKey = key;
      drawTransitions(body);
    }
  }

  async function loadBreakdown() {
    const dates = state.points.map((p) => p.date).reverse();
    const select = $('breakdown-date');
    if (!dates.includes(state.breakdownDate)) state.breakdownDate = dates[0] || null;
    if (select.dataset.list !== dates.join(',')) {
      select.textContent = '';
      dates.forEach((d) => option(select, d, d, d === state.breakdownDate));
      select.dataset.list = dates.join(',');
    }
    select.value = state.breakdownDate || '';
    const tbody = $('breakdown').tBodies[0];
    if (!state.breakdownDate) {
      tbody.textContent = '';
      return;
    }
    const body = await get('breakdown', {
      vulnerability: state.vulnerability,
      date: state.breakdownDate,
      dimension: state.breakdownDimension,
      limit: 25,
    });
    $('breakdown-caption').textContent =
      'Exposure window ending ' + body.date + ' (' + (body.final ? 'final' : 'live, still open') +
      '): ' + body.rows.length + ' of ' + body.total + ' by ' + body.dimension.toLowerCase() +
      ', most exposed first. Click one to see its curve.';
    tbody.textContent = '';
    body.rows.forEach((r) => {
      const tr = tbody.insertRow();
      tr.dataset.value = r.value;
      tr.dataset.dimension = body.dimension;
      if (state.dimension === body.dimension && state.value === r.value) tr.className = 'selected';
      const name = tr.insertCell();
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = label(body.dimension, r.value);
      name.appendChild(button);
      [int(r.exposed), int(r.hosts), int(r.patched), int(r.mitigated), pct(r.remediatedRatio), int(r.compromised)].forEach(
        (text) => (tr.insertCell().textContent = text)
      );
      tr.addEventListener('click', () => select_(body.dimension, r.value));
    });
    $('breakdown').dataset.date = body.date;
    $('breakdown').dataset.dimension = body.dimension;
  }

  function select_(dimension, value) {
    state.dimension = dimension;
    state.value = value;
    state.curveKey = null;
    state.cohortKey = null;
    state.transitionsKey = null;
    refresh();
  }

  async function loadStatus() {
    const s = await get('status');
    const finalUpTo = s.finalUpTo && s.finalUpTo.EXPOSURE ? s.finalUpTo.EXPOSURE.replace('T', ' ').replace(':00Z', 'Z') : 'nothing yet';
    const rejected = Object.values(s.rejected || {}).reduce((a, b) => a + b, 0);
    $('status').textContent =
      'exposure windows final up to ' + finalUpTo +
      ' · lag ' + (s.lag && s.lag.total !== undefined ? int(s.lag.total) : '?') +
      ' · rejected ' + int(rejected) +
      ' · updated ' + new Date().toISOString().substring(11, 19) + 'Z';
  }

  let running = false;
  async function refresh() {
    if (running) return;
    running = true;
    try {
      await loadVulnerabilities();
      await loadValues();
      keepUrl();
      await loadCurve();
      await loadCohort();
      await loadTransitions();
      await loadBreakdown();
      await loadStatus();
      $('status').classList.remove('error');
      document.body.dataset.ready = 'true';
      document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes || 0) + 1);
    } catch (e) {
      $('status').textContent = 'error: ' + e.message;
      $('status').classList.add('error');
    } finally {
      running = false;
    }
  }

  $('vulnerability').addEventListener('change', (e) => {
    state.vulnerability = e.target.value;
    state.curveKey = null;
    refresh();
  });
  $('dimension').addEventListener('change', (e) => {
    state.dimension = e.target.value;
    state.value = '';
    state.curveKey = null;
    refresh();
  });
  $('value').addEventListener('change', (e) => select_(state.dimension, e.target.value));
  $('cohort-day').addEventListener('change', (e) => {
    state.cohortDay = e.target.value;
    keepUrl();
    loadCohort().catch((err) => ($('status').textContent = 'error: ' + err.message));
  });
  $('breakdown-date').addEventListener('change', (e) => {
    state.breakdownDate = e.target.value;
    loadBreakdown().catch((err) => ($('status').textContent = 'error: ' + err.message));
  });
  $('breakdown-dimension').addEventListener('change', (e) => {
    state.breakdownDimension = e.target.value;
    loadBreakdown().catch((err) => ($('status').textContent = 'error: ' + err.message));
  });
  let resizeTimer = null;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      state.curveKey = null;
      state.cohortKey = null;
      state.transitionsKey = null;
      refresh();
    }, 200);
  });
  if (window.matchMedia) {
    window.matchMedia('print').addEventListener('change', () => {
      ['curve', 'ratio', 'cohort', 'transitions'].forEach((name) => {
        if (charts[name]) charts[name].setSize(size($(name)));
      });
    });
  }

  refresh();
  setInterval(refresh, POLL_MS);
})();
