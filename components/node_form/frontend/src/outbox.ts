// Events go to Python as one trigger value holding those Python has not acknowledged,
// oldest first: a script run cut short by the next one would otherwise lose the events it
// had not read. Each event has a sequence number above Python's acknowledged one, so a
// panel mounted again (the page was left and opened again) never reuses a number Python
// has already handled.
import type { Event } from "./types";

const KEEP = 50; // more unacknowledged events than a person makes between two runs

type Sent = Event & { seq: number };
type Send = (name: string, value: unknown) => void;

let pending: Sent[] = [];
let last = 0;
let send: Send = () => undefined;

export function connect(sender: Send): void {
  send = sender;
}

export function acknowledge(ack: number): void {
  last = Math.max(last, ack);
  pending = pending.filter((event) => event.seq > ack);
}

export function emit(event: Event): void {
  last += 1;
  pending = [...pending, { ...event, seq: last }].slice(-KEEP);
  send("events", { events: pending });
}
