// i18n.js - Chinese (default) and English labels; the choice is kept in localStorage.
//
// t('key', {n: 3}) looks the key up in the current language, falls back to Chinese,
// then to the key itself, and fills {name} placeholders. label('status', 'reported')
// names an API enum value and falls back to the raw value.
const KEY = 'fangkong.lang';

const zh = {
  'app.title': '防控指挥平台',
  'nav.dashboard': '总览', 'nav.persons': '人员', 'nav.cases': '阳性人员', 'nav.audit': '审计日志',
  'header.logout': '退出', 'header.lang': 'English', 'header.city': '全市',
  'login.title': '登录', 'login.username': '用户名', 'login.password': '密码', 'login.submit': '登录',
  'login.subtitle': '疫情防控指挥部工作平台',
  'common.search': '搜索', 'common.reset': '重置', 'common.all': '全部', 'common.save': '保存',
  'common.cancel': '取消', 'common.edit': '编辑', 'common.loading': '加载中…', 'common.none': '无',
  'common.empty': '没有符合条件的记录', 'common.total': '共 {n} 条', 'common.page': '第 {p} / {pages} 页',
  'common.prev': '上一页', 'common.next': '下一页', 'common.choose': '请选择', 'common.yes': '是',
  'common.back': '返回', 'common.view': '查看',
  'dash.title': '总览', 'dash.persons': '登记人员', 'dash.households': '登记户数', 'dash.cases': '阳性人员',
  'dash.by_status': '阳性人员状态分布', 'dash.by_class': '分类',
  'person.list': '人员', 'person.new': '新增人员', 'person.edit': '编辑人员', 'person.detail': '人员信息',
  'person.q': '姓名、证件号码或电话', 'person.cases': '阳性记录', 'person.new_case': '报告阳性',
  'f.name': '姓名', 'f.id_type': '证件类型', 'f.id_number': '证件号码', 'f.sex': '性别',
  'f.birth_date': '出生日期', 'f.phone': '联系电话', 'f.resident_type': '人口类型',
  'f.household_id': '户', 'f.address': '住址', 'f.community_code': '社区', 'f.work_unit': '工作单位',
  'f.flags': '重点人群', 'f.created_at': '登记时间', 'f.updated_at': '更新时间', 'f.district': '区县',
  'f.street': '街道', 'f.area': '区域', 'f.household_filter': '筛选楼栋/房号',
  'f.number': '编号', 'f.person': '人员', 'f.classification': '分类', 'f.severity': '临床分型',
  'f.status': '状态', 'f.reported_at': '报告时间', 'f.sampling_date': '采样日期', 'f.onset_date': '发病日期',
  'f.source': '发现途径', 'f.hospital': '定点医院', 'f.note': '备注',
  'f.at': '时间', 'f.actor': '操作人', 'f.role': '角色', 'f.action': '操作', 'f.entity': '对象',
  'f.entity_id': '对象编号', 'f.detail': '详情', 'f.remote': '来源地址',
  'hint.derived': '居民身份证可不填，由号码推算', 'hint.id_check': '校验位应为 {c}，当前为 {got}（以服务器校验为准）',
  'hint.households_cut': '仅显示前 {n} 户，请用筛选缩小范围', 'hint.pick_community': '请先选择社区',
  'hint.person_search': '输入姓名或证件号码查找人员',
  'case.list': '阳性人员', 'case.new': '报告阳性人员', 'case.edit': '编辑阳性人员', 'case.number': '第{n}号',
  'case.q': '编号、姓名', 'case.timeline': '状态记录', 'case.next': '变更状态', 'case.to': '转为“{s}”',
  'case.no_next': '已结案，无后续状态', 'case.person_pick': '选择人员',
  'audit.title': '审计日志',
  'err.network': '无法连接服务器', 'err.session': '登录已过期，请重新登录', 'err.required': '必填',
  'err.check_digit': '校验位错误：为 {got}，应为 {want}（GB 11643）',
  // API errors in Chinese (errors.js): one text per recognised server message ...
  'err.id_length': '居民身份证号码应为 18 位，当前为 {n} 位', 'err.id_digit': '第 {i} 位应为数字',
  'err.id_last': '最后一位应为数字或 X', 'err.id_birth': '第 7–14 位应为出生日期，{d} 不是有效日期',
  'err.birth_mismatch': '{d} 与证件号码中的出生日期 {want} 不符', 'err.sex_mismatch': '与证件号码中的性别（{want}）不符',
  'err.id_other_length': '应为 5 到 20 个字符', 'err.id_charset': '只能包含数字和大写字母',
  'err.required_resident': '常住人口必填', 'err.required_non_resident': '流动人口必填',
  'err.no_household_for_non_resident': '流动人口不登记户', 'err.unknown_field': '服务器不接受此字段',
  'err.not_string': '应为文本', 'err.not_string_list': '应为文本列表', 'err.not_integer': '应为正整数或留空',
  'err.integer_range': '应为 {min} 到 {max} 之间的整数', 'err.too_long_bytes': '内容过长：最多 {n} 字节（一个汉字占 3 字节）',
  'err.too_long_chars': '内容过长：最多 {n} 个字', 'err.too_long': '内容过长', 'err.bad_text': '含有无法识别的字符',
  'err.date_format': '日期格式应为 年-月-日', 'err.not_a_date': '{d} 不是有效的日期',
  'err.after_report': '{d} 晚于报告日期 {r}', 'err.time_format': '时间格式不正确',
  'err.asymptomatic_onset': '无症状感染者没有发病日期',
  'err.phone': '应为 11 位手机号码（1 开头，第二位 3–9）或带区号的固定电话，如 028-12345678',
  'err.severity_needed': '确诊病例须选择临床分型', 'err.severity_only_confirmed': '仅确诊病例填写临床分型',
  'err.not_an_option': '不是可选的值，请从列表中选择',
  'err.duplicate_id': '该{type}号码已登记（人员编号 {id}）', 'err.id_not_registered': '没有登记此证件号码的人员',
  'err.no_household': '编号为 {id} 的户不存在', 'err.no_person': '编号为 {id} 的人员不存在',
  'err.no_case': '编号为 {id} 的阳性人员记录不存在', 'err.no_area': '代码为 {code} 的{level}不存在',
  'err.no_area_code': '代码为 {code} 的区域不存在', 'err.no_entity': '编号为 {id} 的{entity}不存在',
  'err.no_record': '记录 {id} 不存在', 'err.taken': '{name} 已被使用',
  'err.outside_area': '{code} 不在您的管辖范围（{area}）内', 'err.outside': '不在您的管辖范围内',
  'err.transition': '不能从“{from}”变更为“{to}”', 'err.role': '“{role}”角色无权执行此操作',
  'err.audit_only_command': '只有指挥部角色可以查看审计日志', 'err.login': '用户名或密码错误',
  'err.body_too_large': '提交的内容过大（超过 {n} 字节）', 'err.malformed_json': '提交的数据格式错误（JSON 第 {line} 行第 {col} 列）',
  'err.not_object': '提交的数据格式错误（应为 JSON 对象）', 'err.busy': '服务器繁忙，请稍后重试',
  // ... else one per error code, followed by the server's own words.
  'err.code.invalid': '填写的内容不符合要求', 'err.code.unauthenticated': '身份验证失败，请重新登录',
  'err.code.forbidden': '没有权限执行此操作', 'err.code.not_found': '要查找的记录不存在',
  'err.code.method_not_allowed': '不支持此操作', 'err.code.conflict': '与现有记录冲突，未保存',
  'err.code.too_large': '提交的内容过大', 'err.code.unknown_reference': '引用的记录不存在',
  'err.code.unavailable': '服务器繁忙，请稍后重试', 'err.code.io_error': '服务器存储出错，未保存，请稍后重试',
  'err.code.internal': '服务器内部错误，请联系管理员', 'err.code.other': '请求未能完成',
  'err.original': '服务器原文：{m}',
  'ok.saved': '已保存', 'ok.transition': '状态已变更',
  'id_type.resident': '居民身份证', 'id_type.passport': '护照',
  'id_type.hk_macao': '港澳居民来往内地通行证', 'id_type.taiwan': '台湾居民来往大陆通行证',
  'sex.M': '男', 'sex.F': '女',
  'resident_type.resident': '常住人口', 'resident_type.non_resident': '流动人口',
  'flag.elderly_alone': '独居老人', 'flag.disabled': '残疾', 'flag.pregnant': '孕产妇', 'flag.chronic': '慢性病(透析)',
  'classification.screening_positive': '初筛阳性', 'classification.confirmed': '确诊',
  'classification.asymptomatic': '无症状感染者',
  'severity.mild': '轻型', 'severity.moderate': '普通型', 'severity.severe': '重型', 'severity.critical': '危重型',
  'status.reported': '已报告', 'status.transferred': '已转运', 'status.hospitalized': '已住院',
  'status.discharged': '已出院', 'status.died': '死亡',
  'source.community_screening': '社区筛查', 'source.quarantine_screening': '隔离点筛查',
  'source.fever_clinic': '发热门诊', 'source.traveler': '入境及外来人员',
  'role.command': '指挥部', 'role.epidemiologist': '流调', 'role.lab': '检测', 'role.quarantine': '隔离',
  'role.transfer': '转运', 'role.community': '社区', 'role.checkpoint': '卡口', 'role.viewer': '只读',
  'entity.person': '人员', 'entity.case': '阳性人员', 'entity.session': '会话', 'entity.user': '账号',
  'entity.household': '户', 'level.district': '区县', 'level.street': '街道', 'level.community': '社区',
  'level.grid': '网格',
  'action.create': '新增', 'action.read': '查看', 'action.list': '查询', 'action.update': '修改',
  'action.transition': '变更状态', 'action.login': '登录', 'action.logout': '退出', 'action.export': '导出',
  // contact tracing (views/case_contacts.js, contact_forms.js) and chains (views/chains.js)
  'nav.chains': '传播链', 'case.chains': '传播链',
  'trace.title': '流调', 'trace.hint': '按防控方案规则，从位置数据、场所、户籍和流调报告中查找密接和次密接；时段留空则使用方案规定的传染期。',
  'trace.from': '开始时间', 'trace.to': '结束时间', 'trace.secondary': '包括次密接', 'trace.discover': '查找密接',
  'trace.none': '尚无密接记录。点击“查找密接”开始。', 'trace.more': '显示其余 {n} 条', 'trace.found': '已查找：{n} 条', 'trace.count': '{k} {n}',
  'trace.chart': '首次接触时间', 'trace.via': '次密接（经 {via}）', 'trace.confirm': '确认', 'trace.dismiss': '排除',
  'trace.reviewed': '{who} · {at}', 'trace.trajectory': '补充行程（流调报告）', 'trace.named': '补充接触者（流调报告）',
  'trace.add': '添加', 'trace.trajectory_hint': '病例到过的场所；再次查找后计入场所密接。',
  'trace.named_hint': '流调中病例说出的接触者：电话、证件号码或姓名。',
  'contact.subject': '接触者', 'contact.degree': '类别', 'contact.place': '场所/网格', 'contact.start': '首次接触',
  'contact.minutes': '时长（分钟）', 'contact.source': '依据', 'contact.status': '核实状态', 'contact.review': '审核',
  'kind.companion': '时空伴随者', 'kind.venue': '场所密接', 'kind.proximity': '近距离接触', 'kind.household': '同住人员',
  'kind.interview': '流调报告', 'degree.1': '密接', 'degree.2': '次密接',
  'cstatus.proposed': '待核实', 'cstatus.confirmed': '已确认', 'cstatus.dismissed': '已排除',
  'evidence.stays': '驻留数据', 'evidence.pings': '基站数据', 'evidence.checkins': '场所码', 'evidence.interview': '流调报告',
  'evidence.demo': '演示数据', 'evidence.other': '其他', 'evidence.registry': '户籍登记', 'evidence.proximity': '近距离数据',
  'f.secondary': '包括次密接', 'f.contact': '接触者', 'f.place': '场所', 'f.start': '开始时间', 'f.end': '结束时间', 'f.from': '开始时间',
  'ok.trajectory': '行程已添加：{place}。再次查找后计入场所密接。', 'ok.contact': '接触者已添加：{c}',
  'chains.title': '传播链', 'chains.hint': '阳性人员之间的密接关系；点击节点打开阳性人员。',
  'chains.empty': '暂无传播关系：还没有阳性人员是另一阳性人员的密接。', 'chains.edges': '传播关系',
  'chains.from': '传染源', 'chains.to': '被传染者', 'chains.kind': '接触方式', 'chains.place': '地点', 'chains.at': '时间',
  'chains.focus': '当前：{c}', 'entity.contact': '密接',
  'err.not_bool': '应为是或否', 'err.window_pair': '开始和结束时间须同时填写，且结束晚于开始',
  'err.window_order': '时段的结束早于开始', 'err.end_after_start': '结束时间应晚于开始时间',
  'err.no_contact': '编号为 {id} 的密接记录不存在', 'err.discovery_off': '密接查找服务未运行，请联系管理员',
};

const en = {
  'app.title': 'Outbreak Command',
  'nav.dashboard': 'Overview', 'nav.persons': 'Persons', 'nav.cases': 'Cases', 'nav.audit': 'Audit log',
  'header.logout': 'Log out', 'header.lang': '中文', 'header.city': 'Whole city',
  'login.title': 'Sign in', 'login.username': 'Username', 'login.password': 'Password', 'login.submit': 'Sign in',
  'login.subtitle': 'Epidemic prevention and control headquarters',
  'common.search': 'Search', 'common.reset': 'Reset', 'common.all': 'All', 'common.save': 'Save',
  'common.cancel': 'Cancel', 'common.edit': 'Edit', 'common.loading': 'Loading…', 'common.none': 'None',
  'common.empty': 'No matching records', 'common.total': '{n} in all', 'common.page': 'Page {p} of {pages}',
  'common.prev': 'Previous', 'common.next': 'Next', 'common.choose': 'Choose…', 'common.yes': 'Yes',
  'common.back': 'Back', 'common.view': 'View',
  'dash.title': 'Overview', 'dash.persons': 'Persons registered', 'dash.households': 'Households',
  'dash.cases': 'Cases', 'dash.by_status': 'Cases by status', 'dash.by_class': 'Classification',
  'person.list': 'Persons', 'person.new': 'New person', 'person.edit': 'Edit person', 'person.detail': 'Person',
  'person.q': 'Name, ID number or phone', 'person.cases': 'Cases', 'person.new_case': 'Report a case',
  'f.name': 'Name', 'f.id_type': 'ID type', 'f.id_number': 'ID number', 'f.sex': 'Sex',
  'f.birth_date': 'Date of birth', 'f.phone': 'Phone', 'f.resident_type': 'Residence',
  'f.household_id': 'Household', 'f.address': 'Address', 'f.community_code': 'Community',
  'f.work_unit': 'Work unit', 'f.flags': 'Special needs', 'f.created_at': 'Registered', 'f.updated_at': 'Updated',
  'f.district': 'District', 'f.street': 'Street', 'f.area': 'Area', 'f.household_filter': 'Filter building / room',
  'f.number': 'Number', 'f.person': 'Person', 'f.classification': 'Classification', 'f.severity': 'Severity',
  'f.status': 'Status', 'f.reported_at': 'Reported at', 'f.sampling_date': 'Sampling date',
  'f.onset_date': 'Onset date', 'f.source': 'Found by', 'f.hospital': 'Hospital', 'f.note': 'Note',
  'f.at': 'Time', 'f.actor': 'User', 'f.role': 'Role', 'f.action': 'Action', 'f.entity': 'Record',
  'f.entity_id': 'Record id', 'f.detail': 'Detail', 'f.remote': 'Remote address',
  'hint.derived': 'Optional for resident ID cards: taken from the number',
  'hint.id_check': 'Check digit should be {c}, not {got} (the server decides)',
  'hint.households_cut': 'Only the first {n} households are listed; filter to narrow down',
  'hint.pick_community': 'Choose a community first', 'hint.person_search': 'Type a name or ID number',
  'case.list': 'Cases', 'case.new': 'Report a case', 'case.edit': 'Edit case', 'case.number': 'No. {n}',
  'case.q': 'Number or name', 'case.timeline': 'Status history', 'case.next': 'Change status',
  'case.to': 'Mark "{s}"', 'case.no_next': 'Closed: no further status', 'case.person_pick': 'Choose person',
  'audit.title': 'Audit log',
  'err.network': 'Cannot reach the server', 'err.session': 'Session expired; please sign in again',
  'err.required': 'Required', 'err.check_digit': 'Check digit is {got} but should be {want} (GB 11643)',
  'ok.saved': 'Saved', 'ok.transition': 'Status changed',
  'id_type.resident': 'Resident ID card', 'id_type.passport': 'Passport',
  'id_type.hk_macao': 'Hong Kong/Macao travel permit', 'id_type.taiwan': 'Taiwan travel permit',
  'sex.M': 'Male', 'sex.F': 'Female',
  'resident_type.resident': 'Resident', 'resident_type.non_resident': 'Non-resident',
  'flag.elderly_alone': 'Elderly living alone', 'flag.disabled': 'Disabled', 'flag.pregnant': 'Pregnant',
  'flag.chronic': 'Chronic illness (dialysis)',
  'classification.screening_positive': 'Screening positive', 'classification.confirmed': 'Confirmed',
  'classification.asymptomatic': 'Asymptomatic',
  'severity.mild': 'Mild', 'severity.moderate': 'Moderate', 'severity.severe': 'Severe', 'severity.critical': 'Critical',
  'status.reported': 'Reported', 'status.transferred': 'Transferred', 'status.hospitalized': 'Hospitalized',
  'status.discharged': 'Discharged', 'status.died': 'Died',
  'source.community_screening': 'Community screening', 'source.quarantine_screening': 'Quarantine screening',
  'source.fever_clinic': 'Fever clinic', 'source.traveler': 'Travelers and visitors',
  'role.command': 'Command', 'role.epidemiologist': 'Epidemiologist', 'role.lab': 'Lab',
  'role.quarantine': 'Quarantine', 'role.transfer': 'Transfer', 'role.community': 'Community',
  'role.checkpoint': 'Checkpoint', 'role.viewer': 'Read only',
  'entity.person': 'Person', 'entity.case': 'Case', 'entity.session': 'Session', 'entity.user': 'Account',
  'entity.household': 'Household', 'level.district': 'District', 'level.street': 'Street',
  'level.community': 'Community', 'level.grid': 'Grid',
  'action.create': 'Create', 'action.read': 'Read', 'action.list': 'List', 'action.update': 'Update',
  'action.transition': 'Status change', 'action.login': 'Log in', 'action.logout': 'Log out', 'action.export': 'Export',
  'nav.chains': 'Chains', 'case.chains': 'Chains',
  'trace.title': 'Contact tracing', 'trace.hint': 'Finds close and secondary contacts by the policy rules in location data, venues, households and the interview; with no period the policy\'s infectious window is used.',
  'trace.from': 'From', 'trace.to': 'To', 'trace.secondary': 'Include secondary contacts', 'trace.discover': 'Discover',
  'trace.none': 'No contacts stored yet. Press "Discover" to start.', 'trace.more': 'Show the other {n}', 'trace.found': 'Discovered: {n}', 'trace.count': '{k} {n}',
  'trace.chart': 'First contact times', 'trace.via': 'Secondary (via {via})', 'trace.confirm': 'Confirm', 'trace.dismiss': 'Dismiss',
  'trace.reviewed': '{who} · {at}', 'trace.trajectory': 'Add a place visited (interview)', 'trace.named': 'Add a named contact (interview)',
  'trace.add': 'Add', 'trace.trajectory_hint': 'A place the case visited; discover again to count venue contacts.',
  'trace.named_hint': 'A person the case named: phone, ID number or name.',
  'contact.subject': 'Contact', 'contact.degree': 'Degree', 'contact.place': 'Place / cell', 'contact.start': 'First contact',
  'contact.minutes': 'Minutes', 'contact.source': 'Evidence', 'contact.status': 'Status', 'contact.review': 'Review',
  'kind.companion': 'Time-space companions', 'kind.venue': 'Venue contacts', 'kind.proximity': 'Proximity contacts',
  'kind.household': 'Household members', 'kind.interview': 'Named in interview', 'degree.1': 'Close', 'degree.2': 'Secondary',
  'cstatus.proposed': 'Proposed', 'cstatus.confirmed': 'Confirmed', 'cstatus.dismissed': 'Dismissed',
  'evidence.stays': 'stays', 'evidence.pings': 'cell pings', 'evidence.checkins': 'venue check-ins', 'evidence.interview': 'interview',
  'evidence.demo': 'demo data', 'evidence.other': 'other', 'evidence.registry': 'household register', 'evidence.proximity': 'proximity data',
  'f.secondary': 'Include secondary contacts', 'f.contact': 'Contact', 'f.place': 'Place', 'f.start': 'Start', 'f.end': 'End', 'f.from': 'From',
  'ok.trajectory': 'Place added: {place}. Discover again to count it.', 'ok.contact': 'Contact added: {c}',
  'chains.title': 'Transmission chains', 'chains.hint': 'Cases that are contacts of other cases; click a case to open it.',
  'chains.empty': 'No chains yet: no case is a contact of another case.', 'chains.edges': 'Links',
  'chains.from': 'From', 'chains.to': 'To', 'chains.kind': 'Contact', 'chains.place': 'Place', 'chains.at': 'Time',
  'chains.focus': 'Selected: {c}', 'entity.contact': 'Contact',
};

const DICTS = { zh, en };

export function lang() {
  const l = localStorage.getItem(KEY);
  return l === 'en' ? 'en' : 'zh';
}

export function setLang(l) {
  localStorage.setItem(KEY, l === 'en' ? 'en' : 'zh');
  applyLang();
}

export function applyLang() {
  document.documentElement.lang = lang() === 'en' ? 'en' : 'zh-CN';
  document.title = t('app.title');
}

export function t(key, vars = {}) {
  const s = DICTS[lang()][key] ?? zh[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

export function label(kind, value) {
  if (value === null || value === undefined || value === '') return '';
  const key = `${kind}.${value}`;
  const s = t(key);
  return s === key ? String(value) : s;
}

// [[value, label], ...] for a <select> of an enum, optionally headed by "all" / "choose".
export function options(kind, values, head) {
  const opts = values.map((v) => [v, label(kind, v)]);
  return head ? [['', t(head)], ...opts] : opts;
}

export const ENUMS = {
  id_type: ['resident', 'passport', 'hk_macao', 'taiwan'],
  sex: ['M', 'F'],
  resident_type: ['resident', 'non_resident'],
  flag: ['elderly_alone', 'disabled', 'pregnant', 'chronic'],
  classification: ['screening_positive', 'confirmed', 'asymptomatic'],
  severity: ['mild', 'moderate', 'severe', 'critical'],
  status: ['reported', 'transferred', 'hospitalized', 'discharged', 'died'],
  source: ['community_screening', 'quarantine_screening', 'fever_clinic', 'traveler'],
};
