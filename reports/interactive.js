/* Sorting and filtering of the report's tables, in the HTML copy only (the PDF never gets
   this script). No library, no network. Cell text is read with textContent and only text
   is written, so inventory text never becomes markup. Without JavaScript every row is
   already in the page; this only reorders and hides rows. */
(() => {
  "use strict";
  const FILTER_MIN = 6; // a shorter table is read at a glance
  // Readiness from best to worst, severity from least to most severe.
  const RANK = { ready: 1, conditional: 2, not_ready: 3, unknown: 4,
    info: 1, low: 2, medium: 3, high: 4, blocker: 5 };
  const UNIT = { kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40, kb: 1e3, mb: 1e6,
    gb: 1e9, tb: 1e12, ms: 1e-3, s: 1, min: 60, h: 3600, day: 86400, days: 86400,
    week: 604800, weeks: 604800, "kbit/s": 1e3, "mbit/s": 1e6, "gbit/s": 1e9 };
  // "1,234", "12.5 GiB", "under 1 h", "at least 1,635 EUR": a number and its unit.
  const NUM = /^((?:[a-z]+ ){0,2})[^\d\s+\-\u2212]{0,3}\s?([+\-\u2212]?\d[\d,]*(?:\.\d+)?)\s*([A-Za-z/%]*)(?![\d.])/;
  const DATE = /(\d{1,2})\s+(January|February|March|April|May|June|July|August|September|October|November|December)\b/;
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  const fmt = (n) => n.toLocaleString("en");

  // The sort key of a cell: [0, number] before [1, text]; [2] (empty, unknown) last.
  function key(cell) {
    if (!cell) return [2];
    let order = cell.getAttribute("data-order");
    const badge = cell.querySelector("[class*='ready-'], [class*='sev-']");
    if (order === null && badge) order = (badge.className.match(/(?:ready|sev)-(\w+)/) || [])[1];
    if (RANK[order]) return [0, RANK[order]];
    const text = (order == null ? cell.textContent : order).trim();
    if (/^(|-|\u2013|unknown)$/i.test(text)) return [2];
    const d = DATE.exec(text), y = /\b\d{4}\b/.exec(text), n = NUM.exec(text);
    if (d && y) return [0, Date.parse(`${d[1]} ${d[2]} ${y[0]}`)];
    if (!n) return [1, text];
    const v = parseFloat(n[2].replace(/,/g, "").replace("\u2212", "-")) *
      (UNIT[n[3].toLowerCase()] || 1);
    return [0, n[1] === "under " ? v - 1e-9 : v];
  }

  function compare(a, b, down) {
    if (a[0] === 2 || b[0] !== a[0]) return a[0] - b[0]; // kinds apart, empty last both ways
    const c = a[0] ? collator.compare(a[1], b[1]) : a[1] - b[1];
    return down ? -c : c;
  }

  // The cell under column `col`, counting the columns a spanning cell covers.
  function cellAt(row, col) {
    let at = 0;
    for (const c of row.cells) if ((at += c.colSpan) > col) return c;
    return null;
  }

  const spans = (row) => [...row.cells].some((c) => c.colSpan > 1);

  // A body's rows in units: a data row with the note rows under it. Spanning rows before
  // the first data row head the body (a group) and stay on top; totals stay last.
  function units(body) {
    const b = { head: [], rows: [], foot: [] };
    for (const row of body.rows) {
      if (row.classList.contains("total")) b.foot.push(row);
      else if (!spans(row)) b.rows.push([row]);
      else if (b.rows.length) b.rows[b.rows.length - 1].push(row);
      else b.head.push(row);
    }
    return b;
  }

  // Zebra stripes by shown unit: hidden and moved rows upset :nth-child.
  function stripe(bodies) {
    for (const b of bodies) {
      let odd = false;
      for (const u of b.rows) {
        if (u[0].hidden) continue;
        for (const r of u) r.classList.toggle("alt", odd);
        odd = !odd;
      }
    }
  }

  function sortable(table, head, bodies) {
    [...head.cells].forEach((th, col) => {
      if (!th.textContent.trim()) return;
      const button = document.createElement("button");
      button.type = "button";
      button.title = "Sort by this column";
      button.append(...th.childNodes);
      th.append(button);
      button.addEventListener("click", () => {
        const down = th.getAttribute("aria-sort") === "ascending";
        for (const c of head.cells) c.removeAttribute("aria-sort");
        th.setAttribute("aria-sort", down ? "descending" : "ascending");
        bodies.forEach((b, i) => {
          const keyed = b.rows.map((u, at) => [key(cellAt(u[0], col)), at, u]);
          keyed.sort((x, y) => compare(x[0], y[0], down) || x[1] - y[1]);
          b.rows = keyed.map((k) => k[2]);
          table.tBodies[i].append(...b.head, ...b.rows.flat(), ...b.foot);
        });
        stripe(bodies);
      });
    });
  }

  function filterable(wrap, bodies, count, n) {
    const bar = document.createElement("div");
    const input = document.createElement("input");
    const shown = document.createElement("span");
    bar.className = "table-tools";
    input.type = "search";
    input.id = `table-filter-${n}`;
    input.placeholder = `Filter these ${fmt(count)} rows`;
    input.setAttribute("aria-label", "Filter the rows of the table below by their text");
    shown.className = "table-shown";
    shown.setAttribute("aria-live", "polite");
    bar.append(input, shown);
    wrap.before(bar);
    input.addEventListener("input", () => {
      const terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      let seen = 0;
      for (const b of bodies) {
        let any = false;
        for (const u of b.rows) {
          u.text ??= u.map((r) => r.textContent).join(" ").toLowerCase();
          const hit = terms.every((t) => u.text.includes(t));
          for (const r of u) r.hidden = !hit;
          if (hit) { any = true; seen++; }
        }
        for (const r of b.head) r.hidden = !any;
        for (const r of b.foot) r.hidden = terms.length > 0; // a total of all rows
      }
      shown.textContent = terms.length ? `${fmt(seen)} of ${fmt(count)} rows shown` : "";
      stripe(bodies);
    });
  }

  document.querySelectorAll("table").forEach((table, n) => {
    const head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    // A table whose first header is empty labels its rows (a cost overview): left as is.
    if (!head || !table.tBodies.length || !head.cells[0]?.textContent.trim()) return;
    const bodies = [...table.tBodies].map(units);
    const count = bodies.reduce((s, b) => s + b.rows.length, 0);
    const wrap = document.createElement("div");
    wrap.className = "table-scroll";
    table.before(wrap);
    wrap.append(table);
    table.classList.add("interactive");
    if (count > 1 && !spans(head)) sortable(table, head, bodies);
    if (count >= FILTER_MIN) filterable(wrap, bodies, count, n);
    stripe(bodies);
  });
})();
