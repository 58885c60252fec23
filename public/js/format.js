/** How amounts and times read on the pass. Money is integer cents everywhere, as in the API. */

const amount = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function money(cents) {
  return amount.format((cents ?? 0) / 100);
}

/** Cents in a currency, with its symbol: 123456, "USD" → "$1,234.56". */
export function moneyIn(cents, currency) {
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format((cents ?? 0) / 100);
  } catch {
    return `${money(cents)} ${currency}`;
  }
}

/** "12.5", "12,50", "12" → 1250; anything else → null. */
export function parseMoney(text) {
  const clean = String(text ?? "")
    .trim()
    .replace(",", ".");
  if (!/^\d{1,7}(\.\d{0,2})?$/.test(clean)) return null;
  return Math.round(Number(clean) * 100);
}

/** Whole seconds as m:ss (or h:mm:ss). */
export function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

/** How far the server's clock is ahead of this device's: timers count in the server's time. */
let serverOffsetMs = 0;

export function setServerTime(iso) {
  const server = Date.parse(iso);
  if (Number.isFinite(server)) serverOffsetMs = server - Date.now();
}

export function serverNow() {
  return Date.now() + serverOffsetMs;
}

export function secondsSince(iso, now = serverNow()) {
  return iso ? (now - Date.parse(iso)) / 1000 : 0;
}

export function clock(iso) {
  return iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "";
}

export function clockSeconds(iso) {
  return iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" }) : "";
}

/** An order or a dish count: "1 order", "3 orders". */
export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

export function titleCase(word) {
  return word ? word[0].toUpperCase() + word.slice(1) : "";
}
