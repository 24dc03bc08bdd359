/** One element from an HTML snippet (static markup only: text from the project goes in with textContent). */
export function $<T extends HTMLElement>(html: string): T {
  const t = document.createElement('template');
  t.innerHTML = html.trim();
  return t.content.firstElementChild as T;
}
