import type { OptionHelp } from './api.js';

/**
 * The "settings for the next uploads" form, drawn from the server's list of job options (the CLI's
 * own table): a checkbox per switch, a menu per fixed list, a text field per value (empty = the
 * CLI's default), each with its help printed under it and tied to the control by aria-describedby,
 * so that touch and keyboard users (and screen readers) get it too, not only a mouse hovering. The
 * server checks the values with the CLI's schema (a bad one fails that upload with its one line);
 * `values()` collects only what was changed.
 */
export function settingsForm(options: OptionHelp[]): { element: HTMLElement; values(): Record<string, unknown> } {
  const details = document.createElement('details');
  details.className = 'settings';
  const summary = document.createElement('summary');
  summary.textContent = 'Settings for the next uploads (the same options as the command line)';
  const grid = document.createElement('div');
  grid.className = 'grid';
  details.append(summary, grid);
  const read: (() => [string, unknown] | undefined)[] = [];
  for (const o of options) {
    const field = document.createElement('div');
    field.className = 'field';
    const label = document.createElement('label');
    const help = document.createElement('p');
    help.className = 'help';
    help.id = `help-${o.name}`;
    // A `--no-…` switch is drawn ticked, and its help says what the flag does: what unticking does.
    help.textContent = o.switchDefault ? `Unticked: ${o.help}` : `${o.help}${o.default && o.switchDefault === undefined ? ` (default: ${o.default})` : ''}`;
    field.append(label, help);
    grid.append(field);
    if (o.choices) {
      // A menu: nobody has to guess that --replacewith takes "pixelate".
      const select = document.createElement('select');
      select.name = o.name;
      select.setAttribute('aria-describedby', help.id);
      select.append(new Option(`${o.default ?? 'default'} (default)`, ''), ...o.choices.map((c) => new Option(c, c)));
      label.append(`${o.flag.slice(2)} `, select);
      read.push(() => (select.value ? [o.name, select.value] : undefined));
      continue;
    }
    const input = document.createElement('input');
    input.name = o.name;
    input.setAttribute('aria-describedby', help.id);
    if (o.switchDefault !== undefined) {
      input.type = 'checkbox';
      input.checked = o.switchDefault;
      // `--no-audio` is shown as "audio", ticked by default.
      label.append(input, ` ${o.flag.replace(/^--(no-)?/, '')}`);
      read.push(() => (input.checked !== o.switchDefault ? [o.name, input.checked] : undefined));
    } else {
      input.type = 'text';
      // A long default is cut to its first clause (a trial saw "0.3 for video (0.5 for faces larger than 7%" cut by the field); the help line below and the title give it whole.
      const whole = o.default ?? '';
      input.placeholder = whole.length > 24 ? whole.split(/ \(|;|,/)[0]! : whole;
      input.title = whole;
      label.append(`${o.flag.slice(2)} `, input);
      read.push(() => (input.value.trim() ? [o.name, input.value.trim()] : undefined));
    }
  }
  return {
    element: details,
    values: () => Object.fromEntries(read.map((r) => r()).filter((x): x is [string, unknown] => x !== undefined)),
  };
}
