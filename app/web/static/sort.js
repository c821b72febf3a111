// Sortable tables: a click on a column header sorts the table's rows by that column, a second
// click reverses.  Progressive: the server sends the rows in a useful order and every table
// works without this script.  Dates (dd/mm/yyyy) and numbers sort as such, text by Vietnamese
// collation; a cell's data-sort attribute, when present, is the value sorted on.
(function () {
  "use strict";
  var collator = new Intl.Collator("vi", { sensitivity: "base", numeric: true });
  var DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})/;
  var ISO = /^(\d{4})-(\d{2})-(\d{2})/;
  var NUMBER = /^-?\d+(?:[.,]\d+)?%?$/;

  function value(cell) {
    if (!cell) return { kind: 2, v: "" };
    var raw = (cell.getAttribute("data-sort") || cell.textContent || "").trim().replace(/\s+/g, " ");
    var m = ISO.exec(raw) || DATE.exec(raw);
    if (m) {
      var iso = m[1].length === 4 ? m[1] + m[2] + m[3] : m[3] + ("0" + m[2]).slice(-2) + ("0" + m[1]).slice(-2);
      return { kind: 0, v: Number(iso) };
    }
    if (NUMBER.test(raw)) return { kind: 0, v: parseFloat(raw.replace(",", ".")) };
    if (raw === "" || raw === "—" || raw === "-") return { kind: 2, v: "" };   // empty cells last
    return { kind: 1, v: raw };
  }

  function compare(a, b) {
    if (a.kind !== b.kind) return a.kind - b.kind;
    if (a.kind === 0) return a.v - b.v;
    return a.kind === 1 ? collator.compare(a.v, b.v) : 0;
  }

  function sortBy(table, th, col) {
    var body = table.tBodies[0];
    if (!body) return;
    var rows = Array.prototype.slice.call(body.rows);
    if (rows.some(function (r) { return r.cells.length === 1 && r.cells[0].colSpan > 1; })) return;  // "nothing" row
    var down = th.getAttribute("aria-sort") === "ascending";
    var keyed = rows.map(function (r, i) { return { row: r, key: value(r.cells[col]), i: i }; });
    keyed.sort(function (a, b) {
      var c = compare(a.key, b.key);
      if (down && a.key.kind === b.key.kind) c = -c;       // empty cells stay last either way
      return c || a.i - b.i;
    });
    keyed.forEach(function (k) { body.appendChild(k.row); });
    Array.prototype.forEach.call(th.parentNode.cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", down ? "descending" : "ascending");
  }

  function setup(table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head || table.getAttribute("data-sortable") === "no") return;
    Array.prototype.forEach.call(head.cells, function (th, col) {
      if (th.classList.contains("nosort") || th.colSpan > 1) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.title = "Sắp xếp theo cột này (bấm lần nữa để đảo chiều)";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, th, col); });
    });
    table.classList.add("sort-ready");
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table.list"), setup);
  });
})();
