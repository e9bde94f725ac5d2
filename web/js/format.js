// format.js - how instants, dates and names are shown and read back.
const pad = (n) => String(n).padStart(2, '0');

// "2022-05-01T08:00:00Z" -> "2022-05-01 16:00" in the browser's time zone.
export function instant(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// ISO instant -> value for <input type="datetime-local"> (local time).
export function toLocalInput(iso) {
  const s = instant(iso);
  return s ? s.replace(' ', 'T') : '';
}

// <input type="datetime-local"> value -> "YYYY-MM-DDTHH:MM:SSZ" (UTC, no fraction).
export function fromLocalInput(v) {
  if (!v) return '';
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return v;
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// A name as the server masks it for roles that may not see it (model/person.c): the
// surname, then "*", then the last character for names of three or more characters.
// For screens others may see (the chains graph). A name already masked stays as it is.
export function maskName(name) {
  const chars = [...String(name || '')];
  if (chars.includes('*')) return chars.join('');
  if (chars.length <= 1) return chars.length ? '*' : '';
  return chars.length === 2 ? `${chars[0]}*` : `${chars[0]}*${chars[chars.length - 1]}`;
}
