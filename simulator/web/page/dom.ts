// A few lines of DOM building, so the page needs no framework.

type Child = Node | string | undefined | false;

/** An element with attributes (`class`, `data-*`, ...) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) if (child !== undefined && child !== false) element.append(child);
  return element;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
}

/** Seconds since the device started, as the terminal panel shows them. */
export function seconds(ms: number): string {
  return (ms / 1000).toFixed(3).padStart(9);
}

/**
 * Keeps at most `max` children, dropping the oldest: the first ones where new children are
 * appended, the last ones where they are prepended (newest on top).
 */
export function trim(parent: Element, max: number, newestFirst = false): void {
  while (parent.childElementCount > max) (newestFirst ? parent.lastElementChild : parent.firstElementChild)?.remove();
}
