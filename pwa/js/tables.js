// Tables on narrow screens (server pages): each row becomes a card, each cell labelled with its
// column's heading. The script only copies the headings into data-label (CSS does the rest, at
// phone width); without it, a wide table scrolls inside its box and the page never overflows.

function headings(table) {
  const row = table.tHead?.rows[0];
  if (!row) return null;
  const names = [];
  for (const cell of row.cells) {
    const text = cell.textContent.trim();
    for (let i = 0; i < (cell.colSpan || 1); i += 1) names.push(text);
  }
  return names;
}

export function stack(root = document) {
  for (const table of root.querySelectorAll("table:not(.keep-table)")) {
    const names = headings(table);
    if (!names) continue;
    for (const body of table.tBodies) {
      for (const row of body.rows) {
        let column = 0;
        for (const cell of row.cells) {
          if (names[column] && !cell.hasAttribute("data-label")) cell.dataset.label = names[column];
          column += cell.colSpan || 1;
        }
      }
    }
    table.classList.add("stackable");
  }
}

stack();
