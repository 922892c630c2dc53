// The pages' sortable tables (geodash.pages.datagrid): a plain HTML table built once per table (its key),
// every text set as text, never as HTML. Each column's header is a button that sorts the rows: on the
// numbers the server sent for a numeric column (a missing number last, whichever the order), in French
// alphabetical order otherwise. The box scrolls under a header that stays in view; the keyboard reaches
// it (Tab, then the arrows).
//
// A long table (the département's thousand projects) is drawn in two steps: its first FIRST_ROWS rows at
// once, the others at the browser's first idle moment a second later (REST_AFTER_MS), or sooner if the
// table takes the focus or is sorted. Laying out a thousand rows costs the browser 0.25-0.5 s, which came
// before the map on a first visit; the table sits under the map and its box shows about fifteen rows.
// `aria-busy` tells assistive technologies the table is being completed.
const states = new WeakMap(); // component root -> {key, box, rows, grid, sorted, complete, stop}
const collator = new Intl.Collator('fr', {numeric: true, sensitivity: 'base'});
const FIRST_ROWS = 120; // more than any EPCI's table: a territory's table is always drawn at once
const REST_AFTER_MS = 1000; // then the first moment the browser is idle (the map drawn first)

function order(state, column, direction) {
  const numbers = state.grid.keys[String(column)];
  const index = state.rows.map((_, i) => i);
  const sign = direction === 'ascending' ? 1 : -1;
  index.sort((a, b) => {
    if (numbers) {
      const x = numbers[a], y = numbers[b];
      if (x === null || y === null) {
        return (x === null) - (y === null) || a - b; // missing last, in both orders
      }
      return sign * (x - y) || a - b;
    }
    return sign * collator.compare(state.grid.rows[a][column], state.grid.rows[b][column]) || a - b;
  });
  return index;
}

function sort(state, column) {
  state.complete(); // every row, before ordering them
  const current = state.sorted && state.sorted.column === column ? state.sorted.direction : null;
  const direction = current === 'ascending' ? 'descending' : 'ascending';
  const body = state.body;
  const fragment = document.createDocumentFragment();
  order(state, column, direction).forEach((i) => fragment.appendChild(state.rows[i]));
  body.appendChild(fragment);
  state.sorted = {column, direction};
  state.heads.forEach((th, i) => {
    if (i === column) {
      th.setAttribute('aria-sort', direction);
    } else {
      th.removeAttribute('aria-sort');
    }
    th.querySelector('.gd-sort').textContent = i === column ? (direction === 'ascending' ? '▲' : '▼') : '↕';
  });
}

function build(root, state, data) {
  if (state.stop) {
    state.stop(); // the table this one replaces is not completed any more
  }
  const grid = JSON.parse(data.grid);
  const box = document.createElement('div');
  box.className = 'gd-table gd-grid';
  box.setAttribute('role', 'region');
  box.tabIndex = 0;
  const table = document.createElement('table');
  const caption = document.createElement('caption');
  caption.className = 'gd-caption';
  table.appendChild(caption);
  const head = table.createTHead().insertRow();
  state.heads = grid.columns.map((c, i) => {
    const th = document.createElement('th');
    th.scope = 'col';
    if (c.numeric) {
      th.className = 'gd-num';
    }
    const button = document.createElement('button');
    button.type = 'button';
    button.appendChild(document.createTextNode(c.name));
    const mark = document.createElement('span');
    mark.className = 'gd-sort';
    mark.setAttribute('aria-hidden', 'true');
    mark.textContent = '↕';
    button.appendChild(mark);
    button.addEventListener('click', () => sort(state, i));
    th.appendChild(button);
    head.appendChild(th);
    return th;
  });
  const body = table.createTBody();
  const numeric = grid.columns.map((c) => c.numeric);
  const rows = [];
  const append = (end) => {
    const fragment = document.createDocumentFragment();
    for (let r = rows.length; r < end; r += 1) {
      const tr = document.createElement('tr');
      grid.rows[r].forEach((text, i) => {
        const td = document.createElement('td');
        if (numeric[i]) {
          td.className = 'gd-num';
        }
        td.textContent = text;
        tr.appendChild(td);
      });
      fragment.appendChild(tr);
      rows.push(tr);
    }
    body.appendChild(fragment);
  };
  append(Math.min(FIRST_ROWS, grid.rows.length));
  let complete = () => {};
  let stop = () => {};
  if (grid.rows.length > rows.length) {
    table.setAttribute('aria-busy', 'true');
    let idle = null;
    const later = window.setTimeout(() => {
      idle = window.requestIdleCallback ? window.requestIdleCallback(() => complete(), {timeout: 1000}) : null;
      if (idle === null) {
        complete();
      }
    }, REST_AFTER_MS);
    box.addEventListener('focusin', () => complete(), {once: true});
    stop = () => {
      window.clearTimeout(later);
      if (idle !== null) {
        window.cancelIdleCallback(idle);
      }
      stop = complete = () => {};
    };
    complete = () => {
      append(grid.rows.length);
      table.removeAttribute('aria-busy');
      stop();
    };
  }
  if (!grid.rows.length) {
    const tr = body.insertRow();
    const td = tr.insertCell();
    td.colSpan = Math.max(1, grid.columns.length);
    td.className = 'gd-empty';
    td.textContent = data.empty;
  }
  table.appendChild(body);
  box.appendChild(table);
  if (state.box) {
    state.box.replaceWith(box);
  } else {
    root.appendChild(box);
  }
  Object.assign(state, {box, body, caption, grid, rows, sorted: null, complete: () => complete(), stop: () => stop()});
}

export default function (component) {
  const {data, parentElement} = component;
  let state = states.get(parentElement);
  if (!state) {
    state = {key: null, box: null};
    states.set(parentElement, state);
  }
  if (data.key !== state.key) {
    build(parentElement, state, data); // a table is built once: a run that hands it again costs nothing
    state.key = data.key;
  }
  state.box.setAttribute('aria-label', data.label);
  state.caption.textContent = data.label;
  return () => {
    if (state.stop) {
      state.stop(); // nothing left waiting on a table that is gone
    }
    states.delete(parentElement);
  };
}
