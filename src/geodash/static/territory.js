// The territory chooser (geodash.pages.territory): the sidebar's « Intercommunalité » list, an editable
// combobox (WAI-ARIA 1.2: an input with a list box of options). Typing filters the options (accents and
// case ignored: « lievin » finds « Lens-Liévin »); the arrows move in the list, Enter or a click chooses,
// Escape closes it. A territory chosen is announced on the page at once (an event 'gd-territory' on window,
// which the page's map listens to: it draws the territory's view before the page's next run), then sent
// to the page: by the map when it is there (it cancels the event; the page part holding it runs again),
// else by the list (a trigger: the page runs again). The list shows the territory the map announces
// ('gd-territory-shown': the projector's buttons change it too). Every text is set as text, never as HTML.
const states = new WeakMap(); // component root -> state
let serial = 0;

function fold(text) {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();
}

function labelOf(state, value) {
  const found = state.options.find((o) => o[0] === value);
  return found ? found[1] : '';
}

// The options matching the typed text: the one written exactly first, then those starting with it, then
// the others containing it, each in the list's order.
function matching(state, text) {
  const q = fold(text);
  if (!q) {
    return state.options;
  }
  const rank = (o) => {
    const l = fold(o[1]);
    return l === q ? 0 : l.startsWith(q) ? 1 : l.includes(q) ? 2 : 3;
  };
  return state.options.map((o, i) => [rank(o), i, o]).filter((r) => r[0] < 3)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((r) => r[2]);
}

function show(state, options, active) {
  const list = state.list;
  list.replaceChildren();
  state.shown = options;
  options.forEach((o, i) => {
    const li = document.createElement('li');
    li.id = `${state.id}-o${i}`;
    li.setAttribute('role', 'option');
    li.className = 'gd-option';
    if (o[0] === state.value) {
      li.classList.add('gd-current');
    }
    li.textContent = o[1];
    // A press keeps the focus in the field (the list would close on its blur), a click chooses.
    li.addEventListener('mousedown', (e) => e.preventDefault());
    li.addEventListener('click', () => choose(state, o[0]));
    list.appendChild(li);
  });
  if (!options.length) {
    const li = document.createElement('li');
    li.className = 'gd-option gd-none';
    li.textContent = 'Aucun territoire de ce nom';
    list.appendChild(li);
  }
  list.hidden = false;
  state.input.setAttribute('aria-expanded', 'true');
  move(state, options.length ? active : -1);
}

function move(state, index) {
  state.active = index;
  [...state.list.querySelectorAll('[role=option]')].forEach((li, i) => {
    const on = i === index;
    li.classList.toggle('gd-active', on);
    li.setAttribute('aria-selected', String(on));
    if (on) {
      li.scrollIntoView({block: 'nearest'});
    }
  });
  if (index >= 0) {
    state.input.setAttribute('aria-activedescendant', `${state.id}-o${index}`);
  } else {
    state.input.removeAttribute('aria-activedescendant');
  }
}

function close(state) {
  state.list.hidden = true;
  state.input.setAttribute('aria-expanded', 'false');
  state.input.removeAttribute('aria-activedescendant');
  state.active = -1;
  state.input.value = labelOf(state, state.value);
}

function open(state) {
  const options = state.options;
  show(state, options, Math.max(0, options.findIndex((o) => o[0] === state.value)));
}

function choose(state, value) {
  const changed = value !== state.value;
  state.value = value;
  close(state);
  if (changed) {
    const told = new CustomEvent('gd-territory', {detail: value, cancelable: true});
    window.dispatchEvent(told);
    if (!told.defaultPrevented) {
      state.send(value);
    }
  }
}

function build(root, state, data) {
  state.id = `gd-territory-${++serial}`;
  const box = document.createElement('div');
  box.className = 'gd-chooser';
  const label = document.createElement('label');
  label.className = 'gd-chooser-label';
  label.htmlFor = `${state.id}-input`;
  label.id = `${state.id}-label`;
  label.textContent = data.label;
  const field = document.createElement('div');
  field.className = 'gd-combo';
  const input = document.createElement('input');
  input.id = `${state.id}-input`;
  input.type = 'text';
  input.autocomplete = 'off';
  input.spellcheck = false;
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', `${state.id}-list`);
  const chevron = document.createElement('span');
  chevron.className = 'gd-chevron';
  chevron.setAttribute('aria-hidden', 'true');
  const list = document.createElement('ul');
  list.id = `${state.id}-list`;
  list.className = 'gd-options';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', `${data.label} : propositions`);
  list.hidden = true;
  field.append(input, chevron, list);
  box.append(label, field);
  root.appendChild(box);
  Object.assign(state, {input, list, active: -1, shown: []});

  input.addEventListener('mousedown', () => {
    if (list.hidden) {
      open(state);
      requestAnimationFrame(() => input.select()); // typing replaces the name shown
    }
  });
  chevron.addEventListener('mousedown', (e) => {
    e.preventDefault();
    input.focus();
    if (list.hidden) {
      open(state);
    } else {
      close(state);
    }
  });
  input.addEventListener('input', () => show(state, matching(state, input.value), 0));
  input.addEventListener('blur', () => close(state));
  input.addEventListener('keydown', (e) => {
    const count = state.shown.length;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (list.hidden) {
        open(state);
      } else if (count) {
        move(state, Math.min(count - 1, Math.max(0, state.active + (e.key === 'ArrowDown' ? 1 : -1))));
      }
    } else if (e.key === 'Enter') {
      if (!list.hidden && state.active >= 0 && state.active < count) {
        e.preventDefault();
        choose(state, state.shown[state.active][0]);
      }
    } else if (e.key === 'Escape') {
      if (!list.hidden) {
        e.preventDefault();
        e.stopPropagation();
        close(state);
      }
    }
  });
}

// The territory the page's map shows: the list shows it too, unless the visitor is using the list.
function shownElsewhere(state, value) {
  if (value !== state.value && state.options.some((o) => o[0] === value)) {
    state.value = value;
    if (state.list.hidden) {
      state.input.value = labelOf(state, value);
    }
  }
}

export default function (component) {
  const {data, parentElement, setTriggerValue} = component;
  let state = states.get(parentElement);
  if (!state) {
    state = {};
    states.set(parentElement, state);
    state.options = data.options;
    state.value = data.value;
    build(parentElement, state, data);
    state.input.value = labelOf(state, state.value);
    state.onShown = (e) => shownElsewhere(state, e.detail);
    window.addEventListener('gd-territory-shown', state.onShown);
  }
  state.send = (value) => setTriggerValue('chosen', value);
  state.options = data.options;
  if (data.value !== state.value || state.list.hidden) {
    // The page's territory (changed by the map, the projector's buttons or a link) is the one shown.
    state.value = data.value;
    if (state.list.hidden) {
      state.input.value = labelOf(state, state.value);
    }
  }
  return () => {
    window.removeEventListener('gd-territory-shown', state.onShown);
    states.delete(parentElement);
  };
}
