// The topic tree (in the manner of MQTT Explorer): every topic the page's client has received, by
// level, with its latest value; retained ones marked. An empty retained message deletes a topic,
// as it deletes the broker's retained copy.
import { el } from "./dom.js";

interface Node {
  children: Map<string, Node>;
  value?: { text: string; retained: boolean };
}

export class TopicTree {
  readonly #root: Node = { children: new Map() };
  readonly #element: HTMLElement;
  #pending = false;

  constructor(element: HTMLElement) {
    this.#element = element;
  }

  set(topic: string, text: string, retained: boolean): void {
    const levels = topic.split("/");
    if (retained && text === "") this.#delete(this.#root, levels, 0);
    else {
      let node = this.#root;
      for (const level of levels) {
        let next = node.children.get(level);
        if (!next) node.children.set(level, (next = { children: new Map() }));
        node = next;
      }
      node.value = { text, retained };
    }
    // One redraw per frame, however many messages arrive in it.
    if (this.#pending) return;
    this.#pending = true;
    requestAnimationFrame(() => {
      this.#pending = false;
      this.#element.replaceChildren(this.#list(this.#root, ""));
    });
  }

  #delete(node: Node, levels: string[], at: number): boolean {
    if (at === levels.length) delete node.value;
    else {
      const child = node.children.get(levels[at]);
      if (child && this.#delete(child, levels, at + 1)) node.children.delete(levels[at]);
    }
    return node.value === undefined && node.children.size === 0;
  }

  #list(node: Node, prefix: string): HTMLElement {
    const names = [...node.children.keys()].sort();
    return el(
      "ul",
      {},
      ...names.map((name) => {
        const child = node.children.get(name) as Node;
        const topic = prefix === "" ? name : `${prefix}/${name}`;
        const value = child.value
          ? el("span", {}, " = ", el("span", { class: "value", "data-testid": `topic-${topic}` }, child.value.text), child.value.retained ? el("span", { class: "retained", title: "retained" }, "R") : undefined)
          : undefined;
        return el("li", {}, el("span", {}, name === "" ? "(empty)" : name), value, child.children.size > 0 ? this.#list(child, topic) : undefined);
      }),
    );
  }
}
