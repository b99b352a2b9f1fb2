import type { Goal } from "../../index.js";
import type { Paint } from "../../format/colour.js";
import type { Terminal } from "../io.js";
import { parseKeys, type KeyAction } from "./keys.js";
import { detailBody, detailScreen, listCapacity, listScreen, type ScreenSize } from "./watch-screen.js";

const ENTER_SCREEN = "\x1b[?1049h\x1b[?25l";
const LEAVE_SCREEN = "\x1b[?25h\x1b[?1049l";

/**
 * The interactive `goal-store watch`: a full-screen table on the terminal's
 * alternate screen, redrawn on every change, every second (for the ages) and on
 * resize; keys move a selection and open a goal in full. The terminal is
 * restored however the view ends.
 */
export class LiveView {
  readonly #terminal: Terminal;
  readonly #title: string;
  readonly #paint: Paint;
  #goals: Goal[] = [];
  #selectedId: string | undefined;
  #top = 0;
  /** The goal shown in full, by id, and how far it is scrolled; undefined on the table. */
  #open: { id: string; scroll: number } | undefined;
  #notice: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #finish: (() => void) | undefined;

  /** A view on `terminal`; nothing is drawn until {@link run}. */
  constructor(terminal: Terminal, title: string, paint: Paint) {
    this.#terminal = terminal;
    this.#title = title;
    this.#paint = paint;
  }

  /** Takes over the terminal and resolves when the operator quits; the terminal is then restored. */
  run(): Promise<void> {
    const { input, output } = this.#terminal;
    const onData = (data: Buffer | string) => this.#onKeys(parseKeys(data.toString()));
    const onResize = () => this.#draw();
    const onSignal = () => this.#finish?.();
    return new Promise<void>((resolve) => {
      this.#finish = resolve;
      input.setRawMode(true);
      input.on("data", onData);
      input.resume();
      output.on("resize", onResize);
      process.once("SIGTERM", onSignal);
      process.once("SIGHUP", onSignal);
      output.write(ENTER_SCREEN);
      this.#draw();
      this.#timer = setInterval(() => this.#draw(), 1000);
    }).finally(() => {
      clearInterval(this.#timer);
      input.off("data", onData);
      output.off("resize", onResize);
      process.off("SIGTERM", onSignal);
      process.off("SIGHUP", onSignal);
      input.setRawMode(false);
      input.pause();
      output.write(LEAVE_SCREEN);
    });
  }

  /** Shows a new set of goals, keeping the selection on the same goal. */
  update(goals: Goal[], notice: string | undefined): void {
    this.#goals = goals;
    this.#notice = notice;
    this.#draw();
  }

  #size(): ScreenSize {
    return { columns: this.#terminal.output.columns || 80, rows: this.#terminal.output.rows || 24 };
  }

  #selectedIndex(): number {
    const index = this.#goals.findIndex((goal) => goal.id === this.#selectedId);
    return index === -1 ? 0 : index;
  }

  #onKeys(actions: readonly KeyAction[]): void {
    for (const action of actions) {
      if (action === "quit") {
        this.#finish?.();
        return;
      }
      if (this.#open === undefined) this.#onListKey(action);
      else this.#onDetailKey(action, this.#open);
    }
    this.#draw();
  }

  #onListKey(action: KeyAction): void {
    const last = this.#goals.length - 1;
    const page = listCapacity(this.#size());
    const moves: Partial<Record<KeyAction, number>> = { up: -1, down: 1, pageUp: -page, pageDown: page, top: -Infinity, bottom: Infinity };
    const move = moves[action];
    if (move !== undefined && last >= 0) {
      const index = Math.min(last, Math.max(0, this.#selectedIndex() + move));
      this.#selectedId = this.#goals[index]?.id;
    } else if (action === "open" && last >= 0) {
      this.#open = { id: (this.#goals[this.#selectedIndex()] as Goal).id, scroll: 0 };
    }
  }

  #onDetailKey(action: KeyAction, open: { id: string; scroll: number }): void {
    if (action === "back" || action === "open") {
      this.#open = undefined;
      return;
    }
    const page = listCapacity(this.#size());
    const moves: Partial<Record<KeyAction, number>> = { up: -1, down: 1, pageUp: -page, pageDown: page, top: -Infinity, bottom: Infinity };
    const goal = this.#goals.find((candidate) => candidate.id === open.id);
    const move = moves[action];
    if (goal === undefined || move === undefined) return;
    const lastScroll = Math.max(0, detailBody(goal, this.#size()).length - page);
    open.scroll = Math.min(lastScroll, Math.max(0, open.scroll + move));
  }

  #draw(): void {
    if (this.#finish === undefined) return;
    const size = this.#size();
    const frame = { title: this.#title, notice: this.#notice, now: new Date(), paint: this.#paint };
    const opened = this.#open === undefined ? undefined : this.#goals.find((goal) => goal.id === this.#open?.id);
    let lines: string[];
    if (this.#open !== undefined && opened !== undefined) {
      lines = detailScreen(opened, this.#open.scroll, size, frame);
    } else {
      this.#open = undefined;
      const selected = this.#selectedIndex();
      this.#selectedId = this.#goals[selected]?.id;
      const capacity = listCapacity(size);
      // Scroll just enough to keep the selection on screen.
      if (selected < this.#top) this.#top = selected;
      if (selected >= this.#top + capacity) this.#top = selected - capacity + 1;
      this.#top = Math.max(0, Math.min(this.#top, this.#goals.length - capacity));
      lines = listScreen(this.#goals, selected, this.#top, size, frame);
    }
    // Home, each line then clear to its end, then clear below: no flicker from a full clear.
    this.#terminal.output.write(`\x1b[H${lines.map((line) => `${line}\x1b[K`).join("\r\n")}\x1b[J`);
  }
}
