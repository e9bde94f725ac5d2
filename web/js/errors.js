// errors.js - an API error {code, field, message} in the console's language.
//
// English shows the server's message as written. Chinese shows "<字段>：<说明>": the
// explanation comes from the first RULES entry whose pattern matches the server's
// message (its "field: " prefix removed), else from the error's code, and then the
// server's own text follows as a secondary line so nothing is lost.
import { t, label, lang } from './i18n.js';
import { instant } from './format.js';

// [pattern, i18n key, {group: enum kind}, field label key]: named groups fill the key's
// {placeholders}; a group listed in the third column is shown by its label (status, sex,
// role...) or, for 'instant', as a local time; a fourth column names the field when its
// usual label would mislead.
// The patterns follow the messages in src/model, src/http, src/services, src/store.
const RULES = [
  // resident ID numbers (model/idcard.c, model/person.c)
  [/^check digit is (?<got>\S) but should be (?<want>\S)/, 'err.check_digit'],
  [/^a resident ID number has 18 characters, got (?<n>\d+)/, 'err.id_length'],
  [/^character (?<i>\d+) must be a digit/, 'err.id_digit'],
  [/^the last character must be 0-9 or X/, 'err.id_last'],
  [/^characters 7-14 must be a birth date, (?<d>\S+) is not/, 'err.id_birth'],
  [/^(?<d>\S+) does not match the ID number \((?<want>[^)]+)\)/, 'err.birth_mismatch'],
  [/^does not match the ID number \((?<want>[MF])\)/, 'err.sex_mismatch', { want: 'sex' }],
  [/^\d+ to \d+ characters$/, 'err.id_other_length'],
  [/^only digits and capitals/, 'err.id_charset'],
  // presence and JSON types (http/json_io.c, http/h_session.c, model/*.c)
  [/^required(?: string)?$/, 'err.required'],
  [/^required for a resident$/, 'err.required_resident'],
  [/^required for a non-resident$/, 'err.required_non_resident'],
  [/^a non-resident has no household/, 'err.no_household_for_non_resident'],
  [/^unknown field$/, 'err.unknown_field'],
  [/^must be a string$/, 'err.not_string'],
  [/^must be an array of strings/, 'err.not_string_list'],
  [/^must be a positive integer or null/, 'err.not_integer'],
  [/^expected an integer from (?<min>-?\d+) to (?<max>-?\d+)/, 'err.integer_range'],
  [/^at most (?<n>\d+) bytes/, 'err.too_long_bytes'],
  [/^at most (?<n>\d+) characters/, 'err.too_long_chars'],
  [/^too long$/, 'err.too_long'],
  [/not valid UTF-8|must not contain NUL/, 'err.bad_text'],
  // dates and times (base/timeutil.c, model/epicase.c)
  [/^expected a date YYYY-MM-DD/, 'err.date_format'],
  [/^(?<d>\S+) is not a calendar date/, 'err.not_a_date'],
  [/^(?<d>\S+) is after the report \((?<r>[^)]+)\)/, 'err.after_report'],
  [/^(?:missing time|must be an ISO 8601 time|expected ISO 8601 time)/, 'err.time_format'],
  [/^an asymptomatic infection has no symptom onset/, 'err.asymptomatic_onset'],
  // phone (model/phone.c)
  [/^expected a mobile number/, 'err.phone'],
  // enumerations (model/person.c, model/epicase.c, http/json_io.c)
  [/^a confirmed case needs/, 'err.severity_needed'],
  [/^only for confirmed cases/, 'err.severity_only_confirmed'],
  [/^unknown (?:status|flag|role)|^must be [\w, ]+ or \w+$/, 'err.not_an_option'],
  // references and duplicates (services/registry.c, store/store_sqlite_*.c)
  [/^a person with this (?<type>\w+) ID number is already registered \(id (?<id>\d+)\)/,
    'err.duplicate_id', { type: 'id_type' }],
  [/^no person with this ID number is registered/, 'err.id_not_registered'],
  [/^(?:no household (?<id>\d+)|household (?<id2>\d+) does not exist)/, 'err.no_household'],
  [/^(?:no person (?<id>\d+)|person (?<id2>\d+) does not exist)/, 'err.no_person'],
  [/^case (?<id>\d+) does not exist/, 'err.no_case'],
  [/^no (?<level>district|street|community|grid) with code (?<code>\d+)/, 'err.no_area', { level: 'level' }],
  [/^(?:no area with code|area) (?<code>\d+)(?: does not exist)?$/, 'err.no_area_code'],
  [/^no (?<entity>\w+) with id (?<id>\d+)/, 'err.no_entity', { entity: 'entity' }],
  [/^no such record: (?<id>.*)/, 'err.no_record'],
  [/^(?<name>\S+) is already taken/, 'err.taken'],
  // jurisdiction, status, permission (services/registry.c, model/epicase.c, services/actor.c)
  [/^(?<code>\d+) is outside your jurisdiction (?<area>\d+)/, 'err.outside_area'],
  [/^outside your jurisdiction/, 'err.outside'],
  [/^a case that is (?<from>\w+) cannot become (?<to>\w+)/, 'err.transition', { from: 'status', to: 'status' }],
  [/^role (?<role>\w+) may not do this/, 'err.role', { role: 'role' }],
  [/^only the command role reads the audit log/, 'err.audit_only_command'],
  // sessions (services/auth.c, store/store_sqlite_admin.c)
  [/^wrong username or password/, 'err.login'],
  // failed-attempt throttling (services/throttle.c): the login and the public code
  [/^too many failed attempts; try again in (?<n>\d+) minutes/, 'err.throttled'],
  [/bearer token|unknown, expired or revoked/, 'err.session'],
  // requests (http/request.c, http/server.c, store/store_sqlite.c)
  [/^request body over (?<n>\d+) bytes/, 'err.body_too_large'],
  [/^malformed JSON at line (?<line>\d+), column (?<col>\d+)/, 'err.malformed_json'],
  [/^(?:a JSON object body is required|the body must be a JSON object)/, 'err.not_object'],
  [/^(?:the database is busy|the database is out of memory|out of memory)/, 'err.busy'],
  // contact tracing (http/h_tracing.c, services/contacts.c, services/tracing.c,
  // services/discovery.c, store/store_sqlite_contacts.c, store/store_sqlite_stays.c);
  // the window's "to" is not a case status, hence the fourth column (the field's label)
  [/^must be true or false$/, 'err.not_bool'],
  [/^give from and to, with to after from/, 'err.window_pair', {}, 'trace.to'],
  [/^the (?:infectious |companion )?window ends before it starts/, 'err.window_order', {}, 'trace.to'],
  [/^must be after start$/, 'err.end_after_start'],
  [/^contact (?<id>\d+) does not exist/, 'err.no_contact'],
  [/^contact discovery is not running/, 'err.discovery_off'],
  [/^out of memory collecting contacts/, 'err.busy'],
  // mass testing and the sample flow (services/testing.c, sample_flow.c, model/tube.c)
  [/^tube (?<b>\S+) is full \((?<n>\d+) of (?<size>\d+)\)/, 'err.tube_full'],
  [/^tube (?<b>\S+) was closed/, 'err.tube_closed'],
  [/^tube (?<b>\S+) is (?<s>issued|closed), only an open tube closes/, 'err.tube_not_open', { s: 'tubestate' }],
  [/^(?<b>\S+) was never issued/, 'err.never_issued'],
  [/^the person was already scanned in this round, into tube (?<b>\S+) at (?<at>\S+)/, 'err.already_scanned', { at: 'instant' }],
  [/^the person lives in (?<c>\d+), outside the round's area (?<a>\d+)/, 'err.outside_round'],
  [/^the person is in group (?<g>\S+), pooled (?<n>\d+) to a tube by the policy; this tube pools (?<m>\d+)/, 'err.pool_group', { g: 'poolgroup' }],
  [/^the round is (?<s>\w+), not open/, 'err.round_not_open', { s: 'roundstate' }],
  [/^the round takes samples from its start to its end only/, 'err.round_window'],
  [/^no registered person with/, 'err.id_not_registered'],
  [/^(?<b>\S+) is already in box (?<box>\S+)/, 'err.in_box'],
  [/^(?<b>\S+) is (?<s>issued|open): only a closed tube/, 'err.not_closed', { s: 'tubestate' }],
  [/^box (?<code>\S+) exists/, 'err.box_exists'],
  [/^(?<b>\S+) has a result \((?<r>\w+)\)/, 'err.has_result', { r: 'result' }],
  [/^(?:results\[\d+\]\.)?(?:ct_orf1ab|ct_n): a Ct value above 0/, 'err.ct_range'],
  [/^(?:results\[\d+\]\.)?(?:ct_orf1ab|ct_n): a positive needs the Ct values/, 'err.ct_needed'],
  [/^(?:results\[\d+\]\.)?(?:ct_orf1ab|ct_n): only a positive carries Ct values/, 'err.ct_only_positive'],
  [/^(?<b>\S+) has not been received by a lab/, 'err.not_received'],
  // health codes (services/codes.c, codes/token.c)
  [/^an override is approved or rejected by another user than the one who asked \((?<who>[^)]*)\)/, 'err.override_same_user'],
  [/^override (?<id>\d+) is (?<s>\w+)/, 'err.override_decided', { s: 'ovstatus' }],
  [/^a written reason of (?<min>\d+) to (?<max>\d+) bytes/, 'err.override_reason', {}, 'ov.reason_short'],
  [/^must be in the future/, 'err.future'],
  [/^red_restriction of the policy allows red only for/, 'err.override_red'],
  [/^the policy in force allows no manual override/, 'err.override_off'],
  [/^the ID number and phone do not match a person/, 'code.wrong_pair'],
  [/^\d+ characters expected, \d+ given|^not base64url/, 'gate.malformed'],
  [/^not issued by this platform/, 'gate.forged'],
  [/^expired; show the code again/, 'gate.expired'],
];

// Fields whose form label is not "f.<field>"; '' for a record's id, which the
// explanation already names.
const FIELD_LABELS = {
  person_id: 'f.person', to: 'f.status', flag: 'f.flags', id: '',
  username: 'login.username', password: 'login.password',
};

// The field's Chinese (or English) label, or the field name when the console has none.
export function fieldLabel(field) {
  if (!field) return '';
  const key = FIELD_LABELS[field] ?? `f.${field}`;
  if (!key) return '';
  const s = t(key);
  return s === key ? field : s;
}

// The explanation of one server message (without its "field: " prefix), or null.
export function explain(text) {
  return match(text)?.text ?? null;
}

// {text, labelKey} for one server message, or null when no rule fits.
function match(text) {
  for (const [re, key, kinds = {}, labelKey = ''] of RULES) {
    const m = re.exec(text);
    if (!m) continue;
    const vars = {};
    for (const [k, v] of Object.entries(m.groups || {})) {
      if (v === undefined) continue;
      const name = k.replace(/\d+$/, ''); // id2 fills {id}: one pattern, two phrasings
      vars[name] = kinds[k] === 'instant' ? instant(v) : kinds[k] ? label(kinds[k], v) : v;
    }
    return { text: t(key, vars), labelKey };
  }
  return null;
}

// [headline, detail] for an error from the server; detail is '' or the original text.
// underField drops the field's name where the form already shows it (English only:
// in Chinese the headline always names the field).
export function describe({ code = '', field = '', message = '' }, { underField = false } = {}) {
  const prefix = `${field}: `;
  const rest = field && message.startsWith(prefix) ? message.slice(prefix.length) : message;
  if (lang() === 'en') return [underField ? rest : message, ''];
  const m = match(rest);
  const said = m ? m.text : null;
  const name = m?.labelKey ? t(m.labelKey) : fieldLabel(field);
  const codeKey = `err.code.${code}`;
  const text = said ?? (t(codeKey) === codeKey ? t('err.code.other') : t(codeKey));
  const head = name ? `${name}：${text}` : text;
  return [head, said === null && message ? t('err.original', { m: message }) : ''];
}
