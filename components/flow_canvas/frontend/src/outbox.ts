// Events go to Python as one value: the events it has not yet acknowledged, oldest first.
// Streamlit keeps only a component's last value, so two events sent before a script run
// reads them would otherwise lose the first. Each event has a sequence number above
// Python's acknowledged one, so a new frame (the page was left and opened again) never
// reuses a number Python has already handled.
import { setValue } from "./bridge";
import type { Event } from "./types";

const KEEP = 50; // more unacknowledged events than a person makes between two runs

type Sent = Event & { seq: number };

let pending: Sent[] = [];
let last = 0;

export function acknowledge(ack: number): void {
  last = Math.max(last, ack);
  pending = pending.filter((event) => event.seq > ack);
}

export function emit(event: Event): void {
  last += 1;
  pending = [...pending, { ...event, seq: last }].slice(-KEEP);
  setValue({ events: pending });
}
