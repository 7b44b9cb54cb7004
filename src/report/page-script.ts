// The report's only script: sorts and filters the clip table. It reads text and data attributes and
// moves existing rows; it never builds markup from data (no innerHTML), so nothing in the data can run.
// Only the first PAGE matching rows are displayed ("show more" adds a page): laying out thousands of
// table rows is what makes a big page slow, not the sorting.

/** Rows displayed at first and added by each "show more". */
export const TABLE_PAGE = 250;

export const PAGE_SCRIPT = `(function () {
  'use strict';
  var PAGE = ${TABLE_PAGE};
  var limit = PAGE;
  var table = document.getElementById('clips');
  if (!table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var shown = document.getElementById('shown');
  var fVerdict = document.getElementById('f-verdict');
  var fDecision = document.getElementById('f-decision');
  var fLabel = document.getElementById('f-label');
  var fScore = document.getElementById('f-score');
  var fMin = document.getElementById('f-min');
  var fMax = document.getElementById('f-max');
  var more = document.getElementById('show-more');
  var sortCol = -1;
  var sortDir = 1;

  function key(tr, col, numeric) {
    var td = tr.cells[col];
    if (!td) return numeric ? NaN : '';
    if (numeric) {
      var v = td.getAttribute('data-v');
      return v === null || v === '' ? NaN : Number(v);
    }
    return td.textContent.toLowerCase();
  }

  function sortBy(col) {
    var numeric = heads[col].getAttribute('data-numeric') === '1';
    sortDir = sortCol === col ? -sortDir : (numeric ? -1 : 1);
    sortCol = col;
    var keyed = rows.map(function (tr, i) { return { tr: tr, k: key(tr, col, numeric), i: i }; });
    keyed.sort(function (a, b) {
      var x = a.k, y = b.k;
      if (numeric) {
        var xn = isNaN(x), yn = isNaN(y);
        if (xn || yn) return xn && yn ? a.i - b.i : (xn ? 1 : -1);
        return x === y ? a.i - b.i : (x < y ? -sortDir : sortDir);
      }
      return x === y ? a.i - b.i : (x < y ? -sortDir : sortDir);
    });
    var frag = document.createDocumentFragment();
    keyed.forEach(function (e) { frag.appendChild(e.tr); });
    body.appendChild(frag);
    rows = keyed.map(function (e) { return e.tr; });
    filter();
    heads.forEach(function (th, i) {
      th.setAttribute('aria-sort', i === col ? (sortDir > 0 ? 'ascending' : 'descending') : 'none');
    });
  }

  function num(input) {
    if (!input || input.value.trim() === '') return NaN;
    return Number(input.value);
  }

  function filter() {
    var v = fVerdict ? fVerdict.value : '';
    var d = fDecision ? fDecision.value : '';
    var l = fLabel ? fLabel.value.trim().toLowerCase() : '';
    var sc = fScore && fScore.value !== '' ? Number(fScore.value) : -1;
    var lo = num(fMin), hi = num(fMax);
    var n = 0, shownRows = 0;
    rows.forEach(function (tr) {
      var ok = (!v || tr.getAttribute('data-verdict') === v) &&
        (!d || tr.getAttribute('data-decision') === d) &&
        (!l || (tr.getAttribute('data-label') || '').toLowerCase().indexOf(l) >= 0);
      if (ok && sc >= 0 && (!isNaN(lo) || !isNaN(hi))) {
        var s = key(tr, sc, true);
        ok = !isNaN(s) && (isNaN(lo) || s >= lo) && (isNaN(hi) || s <= hi);
      }
      if (ok) n++;
      tr.hidden = !ok || n > limit;
      if (!tr.hidden) shownRows++;
    });
    if (shown) shown.textContent = n > limit ? 'showing ' + shownRows + ' of ' + n + ' matching rows (' + rows.length + ' in the table)' : n + ' of ' + rows.length + ' rows shown';
    if (more) more.hidden = n <= limit;
  }

  function refilter() {
    limit = PAGE;
    filter();
  }

  heads.forEach(function (th, i) {
    var b = th.querySelector('button');
    if (b) b.addEventListener('click', function () { sortBy(i); });
  });
  [fVerdict, fDecision, fScore].forEach(function (el) { if (el) el.addEventListener('change', refilter); });
  [fLabel, fMin, fMax].forEach(function (el) { if (el) el.addEventListener('input', refilter); });
  if (more) more.addEventListener('click', function () { limit += PAGE; filter(); });
  filter();
})();`;
