/* kompasstext theme report: filter box, table paging, open-on-link.  Inlined at render time; vanilla JS,
   no network.  Without JavaScript every row and section is simply shown.  Its words are KT_STRINGS (the
   "js" strings of kompasstext/lang/<lang>/report.json), set by the page before this script. */
(function () {
  "use strict";
  var T = (typeof KT_STRINGS === "object" && KT_STRINGS) || {};
  function say(key, fields) {
    return String(T[key] || key).replace(/\{(\w+)\}/g, function (m, k) { return fields && k in fields ? fields[k] : m; });
  }
  function norm(s) { return (s || "").toLowerCase().replace(/\s+/g, " "); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  // ---------------------------------------------------------------- paging of long tables
  var pagers = [];
  function makePager(table) {
    var size = parseInt(table.getAttribute("data-page-size"), 10) || 25;
    var rows = $all(":scope > tbody > tr", table);
    var state = { page: 0 };
    var bar = document.createElement("div");
    bar.className = "pager";
    var prev = document.createElement("button"); prev.type = "button"; prev.textContent = say("prev");
    var next = document.createElement("button"); next.type = "button"; next.textContent = say("next");
    var info = document.createElement("span");
    bar.appendChild(prev); bar.appendChild(info); bar.appendChild(next);
    var anchor = table.parentNode && table.parentNode.classList.contains("scroll") ? table.parentNode : table;
    anchor.parentNode.insertBefore(bar, anchor.nextSibling);
    function refresh() {
      var shown = rows.filter(function (r) { return !r.classList.contains("f-hide"); });
      var pages = Math.max(1, Math.ceil(shown.length / size));
      if (state.page >= pages) { state.page = pages - 1; }
      rows.forEach(function (r) { r.classList.add("p-hide"); });
      shown.slice(state.page * size, (state.page + 1) * size).forEach(function (r) { r.classList.remove("p-hide"); });
      info.textContent = say("page", { page: state.page + 1, pages: pages, rows: shown.length });
      prev.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
      bar.classList.toggle("hidden", shown.length <= size);
    }
    prev.addEventListener("click", function () { state.page -= 1; refresh(); });
    next.addEventListener("click", function () { state.page += 1; refresh(); });
    refresh();
    return { refresh: function (reset) { if (reset) { state.page = 0; } refresh(); } };
  }

  // ---------------------------------------------------------------- filter box
  function setupFilter() {
    var box = document.getElementById("kt-filter");
    if (!box) { return; }
    var count = document.getElementById("kt-filter-count");
    var sections = $all("details.theme[data-theme]");
    var text = {};
    sections.forEach(function (s) { text[s.getAttribute("data-theme")] = norm(s.textContent); });
    var indexRows = $all("tr[data-theme]");
    indexRows.forEach(function (r) {
      var id = r.getAttribute("data-theme");
      text[id] = (text[id] || "") + " " + norm(r.textContent);
    });
    var plainRows = $all("table.filterable > tbody > tr:not([data-theme])");
    var timer = null;
    function apply() {
      var terms = norm(box.value).trim().split(" ").filter(Boolean);
      function hit(s) { return terms.every(function (t) { return s.indexOf(t) !== -1; }); }
      var n = 0;
      sections.forEach(function (s) {
        var ok = hit(text[s.getAttribute("data-theme")]);
        s.classList.toggle("f-hide", !ok);
        if (ok) { n += 1; }
      });
      indexRows.forEach(function (r) { r.classList.toggle("f-hide", !hit(text[r.getAttribute("data-theme")])); });
      plainRows.forEach(function (r) { r.classList.toggle("f-hide", !hit(norm(r.textContent))); });
      pagers.forEach(function (p) { p.refresh(true); });
      if (count) {
        count.textContent = terms.length ? say("showing", { n: n, total: sections.length }) : say("themes", { total: sections.length });
      }
    }
    box.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(apply, 120); });
    box.addEventListener("keydown", function (e) { if (e.key === "Escape") { box.value = ""; apply(); } });
    apply();
  }

  // ---------------------------------------------------------------- open a theme section when linked to
  function openTarget() {
    var id = decodeURIComponent((location.hash || "").slice(1));
    if (!id) { return; }
    var el = document.getElementById(id);
    if (el && el.tagName === "DETAILS") { el.open = true; }
  }

  // ---------------------------------------------------------------- print: open every section, then restore
  var closedForPrint = [];
  window.addEventListener("beforeprint", function () {
    closedForPrint = $all("details:not([open])");
    closedForPrint.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closedForPrint.forEach(function (d) { d.open = false; });
    closedForPrint = [];
  });

  document.addEventListener("DOMContentLoaded", function () {
    $all("table.paged").forEach(function (t) { pagers.push(makePager(t)); });
    setupFilter();
    openTarget();
    window.addEventListener("hashchange", openTarget);
    document.documentElement.classList.add("js");
  });
})();
