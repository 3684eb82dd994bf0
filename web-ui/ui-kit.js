/* ui-kit.js: what every page of the station shares, loaded before the page's own script:
 * the element builders (el(), svg(), tables, fact lists, the grade bar chart), the
 * formatters (dates in the reader's language or, on the dashboard, YYYY-MM-DD HH:MM in the
 * station's time zone, hex, a destination line, an EPCIS name's last
 * part), status lines, the dashboard's API calls (ptUi.api()), and the translations: the strings the pages have in common in Chinese
 * and English, the page's own added with ptUi.strings() or, for the buyer pages, the one
 * table web-ui/i18n.json with ptUi.loadTable(), all read through ptUi.t().
 * The language is the one the reader chose on any page (localStorage pt-lang), else the
 * browser's.  No framework, nothing fetched: the pages' CSP allows scripts from the station
 * only, and no eval. */
'use strict';
window.ptUi = (function () {
  /* Each key: [English, Chinese]. */
  var strings = {
    other: ['中文', 'English'],
    product: ['Product', '产品'], variety: ['Variety', '品种'], origin: ['Origin', '产地'],
    grower: ['Grower', '种植者'], harvested: ['Harvested', '采收日期'], packed: ['Packed', '包装日期'],
    lot: ['Lot', '批号'], gtin: ['GTIN', '商品条码'], grade: ['Grade', '等级'],
    declared: ['Declared class', '申报等级'], fruit: ['fruit graded', '个果实已分级'],
    stationKey: ['Station key (Ed25519)', '站点公钥 (Ed25519)'],
    /* The codes of the station's API errors (with their parameters), so that no English
     * answer of the station shows inside a Chinese page: keys under "e." */
    'e.not-a-label': ['not a label: type the lot as printed, or scan the label', '不是标签：请输入标签上印的批号，或扫描标签'],
    'e.other-station': ['a label of another station ({host})', '其他站点的标签（{host}）'],
    'e.unknown-batch': ['{lot} is no batch of this station', '{lot} 不是本站的批次'],
    'e.batch-held': ['{lot} is held: {reason}', '{lot} 已暂扣：{reason}'],
    'e.batch-recalled': ['{lot} is recalled: {reason}', '{lot} 已召回：{reason}'],
    'e.batch-unverified': ['{lot} has no verified record: ask the operator', '{lot} 没有可验证的记录：请联系操作员'],
    'e.on-other-load': ['{lot} is already on another truck: ask the operator', '{lot} 已在另一辆车上：请联系操作员'],
    'e.load-closed': ['load {load} has left: no more changes', '装车单 {load} 已发车：不能再更改'],
    'e.load-not-joined': ['this phone is not on that load: join it again', '此手机不在该装车单上：请重新加入'],
    'e.seal-needed': ['give the seal number as well as the plate', '请同时输入车牌号和封条号'],
    'e.plate-needed': ['give the truck\'s plate', '请输入车牌号'],
    'e.seal-mismatch': ['the seal number is not the one of this truck\'s load: check the seal, or ask the operator',
      '封条号与该车装车单不符：请核对封条，或联系操作员'],
    'e.login-needed': ['scan the login QR code the shed gave you', '请扫描包装厂提供的登录二维码'],
    'e.login-refused': ['this login is no longer valid: ask the operator for a new login QR', '此登录已失效：请向操作员索取新的登录二维码'],
    'e.rate-limited': ['the station is busy: sent again shortly', '站点繁忙：稍后自动重发'],
    'e.too-large': ['too large for the station', '文件过大，站点无法接收'],
    'e.not-found': ['not found at the station', '站点未找到'],
    'e.conflict': ['the station refused it in its present state', '站点当前状态下拒绝此操作'],
    'e.invalid': ['the station could not use this', '站点无法使用此内容'],
    'e.busy': ['the station is busy: sent again shortly', '站点繁忙：稍后自动重发'],
    'e.failed': ['the station failed (HTTP {status})', '站点出错（HTTP {status}）'],
    /* The operator dashboard (/station): keys under "d." */
    'd.station': ['station', '站点'], 'd.signInTitle': ['Sign in to the station', '登录站点'],
    'd.name': ['Name', '用户名'], 'd.password': ['Password', '密码'], 'd.signIn': ['Sign in', '登录'],
    'd.signOut': ['Sign out', '退出'], 'd.badLogin': ['Wrong name or password.', '用户名或密码错误。'],
    'd.signedOut': ['Your session ended: sign in again.', '会话已结束，请重新登录。'],
    'd.attention': ['Needs attention', '需要处理'], 'd.live': ['Live', '实时'],
    'd.grading': ['Grading', '分级'], 'd.printLabels': ['Print labels', '打印标签'],
    'd.lotsAll': ['lots (empty: all active batches)', '批号（留空：全部正常批次）'],
    'd.printerHost': ['printer host:port', '打印机 主机:端口'], 'd.copies': ['copies', '份数'],
    'd.print': ['Print', '打印'], 'd.cameras': ['Cameras', '摄像头'], 'd.batches': ['Batches', '批次'],
    'd.loads': ['Loads', '装车'], 'd.drivers': ['Drivers', '司机'], 'd.sync': ['Sync', '同步'],
    'd.quantity': ['Quantity', '数量'], 'd.unit': ['Unit', '单位'], 'd.kg': ['kg', '千克'],
    'd.pieces': ['pieces', '个'], 'd.cases': ['cases', '箱'],
    'd.lotAuto': ['automatic when empty', '留空则自动生成'], 'd.newBatch': ['New batch', '新建批次'],
    'd.search': ['Search', '搜索'], 'd.searchHint': ['lot, product, grower, status', '批号、产品、种植者、状态'],
    'd.plate': ['plate', '车牌'], 'd.seal': ['seal', '封条号'], 'd.dock': ['dock', '月台'],
    'd.destinationBuyer': ['destination (buyer)', '目的地（买方）'], 'd.destinationGln': ['destination GLN', '目的地 GLN'],
    'd.driver': ['driver', '司机'], 'd.driverPhone': ['driver phone', '司机电话'], 'd.openLoad': ['Open load', '开始装车'],
    'd.driverName': ['driver name', '司机姓名'], 'd.phone': ['phone', '电话'], 'd.addDriver': ['Add driver', '添加司机'],
    'd.loginFor': ['Login for', '登录二维码：'], 'd.hide': ['Hide', '关闭'],
    'd.qrScan': ["Scan with the driver's phone camera. Valid until", '请用司机手机相机扫描。有效期至'],
    'd.qrRevoke': ['; showing a new QR does not end this one ("Revoke logins" ends them all).',
      '；显示新的二维码不会使此码失效（“吊销登录”会使全部失效）。'],
    'd.required': ['Required.', '必填。'], 'd.gtinForm': ['8 to 14 digits.', '8 到 14 位数字。'],
    'd.notNegative': ['Not a valid quantity.', '数量无效。'],
    'd.created': ['Batch created {lot}', '已创建批次 {lot}'],
    /* status words, alert kinds and actions */
    'd.s.active': ['active', '正常'], 'd.s.held': ['held', '暂扣'], 'd.s.recalled': ['recalled', '已召回'],
    'd.k.camera': ['camera', '摄像头'], 'd.k.recording': ['recording', '录像'], 'd.k.printer': ['printer', '打印机'],
    'd.k.disk': ['disk', '磁盘'], 'd.k.sync': ['sync', '同步'], 'd.k.sync-quarantine': ['sync', '同步'],
    'd.k.clock': ['clock', '时钟'], 'd.k.load-batch': ['load', '装车'], 'd.k.station': ['station', '站点'],
    'd.onLoad': ['{lot} is on open load {load} ({plate})', '{lot} 在未发车的装车 {load}（{plate}）上'],
    'd.takeOff': ['Take {lot} off load {load}', '将 {lot} 从装车 {load} 卸下'],
    'd.takenOff': ['{lot} taken off load {load}.', '已将 {lot} 从装车 {load} 卸下。'],
    'd.seeCameras': ['See cameras', '查看摄像头'], 'd.seePrint': ['See printing', '查看打印'],
    'd.seeDisk': ['See disk', '查看磁盘'], 'd.seeSync': ['See sync', '查看同步'],
    'd.since': ['since {when}', '自 {when} 起'],
    'd.nothing': ['Nothing needs attention.', '暂无待处理事项。'],
    /* a printer's alert: "Printer Dock label printer (127.0.0.1:9101): cannot connect — retrying,
     * 3 jobs waiting", from the parts the status gives (its who, error kind and counts) */
    'd.pa.line': ['Printer {who}: {problem} — {state}', '打印机 {who}：{problem} — {state}'],
    'd.pa.sep': [', ', '，'], 'd.pa.retrying': ['retrying', '正在重试'],
    'd.pa.waiting1': ['1 job waiting', '1 个任务等待中'], 'd.pa.waiting': ['{n} jobs waiting', '{n} 个任务等待中'],
    'd.pa.failed': ['{n} failed', '{n} 个失败'],
    'd.pk.connect': ['cannot connect', '无法连接'], 'd.pk.timeout': ['stopped taking the job', '停止接收任务'],
    'd.pk.closed': ['closed the connection mid-job', '任务中途断开连接'], 'd.pk.address': ['address not found', '找不到地址'],
    'd.pk.too-large': ['job too large', '任务过大'], 'd.pk.refused': ['batch may not be printed', '该批次不可打印'],
    'd.pk.interrupted': ['interrupted mid-job', '打印中途中断'], 'd.pk.none': ['no answer', '无应答'],
    'd.seePrintJobs': ['Retry or cancel its jobs', '重试或取消其任务'],
    'd.a.clock': ['the clock is not synchronised by a time service (systemd-timesyncd or chrony): signed times may be wrong',
      '系统时钟未由时间服务（systemd-timesyncd 或 chrony）同步：签名时间可能有误'],
    'd.a.clockUnknown': ["the system clock's synchronisation cannot be read; signed times may be wrong",
      '无法读取系统时钟的同步状态：签名时间可能有误'],
    /* tables */
    'd.c.lot': ['Lot', '批号'], 'd.c.product': ['Product', '产品'], 'd.c.grower': ['Grower', '种植者'],
    'd.c.packDate': ['Pack date', '包装日期'], 'd.c.grade': ['Grade verdict', '分级结论'],
    'd.c.status': ['Status', '状态'], 'd.c.actions': ['Actions', '操作'], 'd.c.camera': ['Camera', '摄像头'],
    'd.c.state': ['State', '状态'], 'd.c.platform': ['Platform', '平台'], 'd.c.pending': ['Pending', '待发送'],
    'd.c.failed': ['Failed', '失败'], 'd.c.delivered': ['Delivered', '已送达'],
    'd.c.lastDelivery': ['Last delivery', '最近送达'], 'd.c.lastError': ['Last error', '最近错误'],
    'd.c.load': ['Load', '装车'], 'd.c.plate': ['Plate', '车牌'], 'd.c.seal': ['Seal', '封条号'],
    'd.c.driver': ['Driver', '司机'], 'd.c.destination': ['Destination', '目的地'], 'd.c.opened': ['Opened', '开始'],
    'd.c.closed': ['Closed', '发车'], 'd.c.source': ['Source', '来源'], 'd.c.time': ['Time', '时间'],
    'd.c.reason': ['Reason', '原因'], 'd.c.dock': ['Dock', '月台'], 'd.c.photos': ['Photos', '照片'],
    'd.c.phone': ['Phone', '电话'], 'd.c.logins': ['Valid logins', '有效登录'],
    'd.never': ['never', '从未'], 'd.noPlatform': ['No sales platform is configured (packtrace sync add).', '未配置销售平台（packtrace sync add）。'],
    'd.page': ['page', '页面'], 'd.label': ['label', '标签'], 'd.hold': ['Hold', '暂扣'],
    'd.release': ['Release', '放行'], 'd.recall': ['Recall', '召回'], 'd.event': ['Add step', '添加步骤'],
    'd.reasonFor': ['{action} {lot}: reason', '{action} {lot}：原因'],
    'd.stepFor': ['step for {lot} (e.g. packing, inspecting, storing)', '{lot} 的步骤（如 packing、inspecting、storing）'],
    'd.publicNoteFor': ['a note for shoppers on {lot}\'s page (optional; signed, shown under this step)',
      '给消费者的说明，显示在 {lot} 扫码页面的这一步下（可选，会签名）'],
    'd.isNow': ['{lot} is {status}.', '{lot} 现为{status}。'], 'd.recorded': ['{lot}: {step} recorded.', '{lot}：已记录 {step}。'],
    'd.noBatch': ['No batch matches.', '没有匹配的批次。'],
    'd.gradeOk': ['conformant', '合格'], 'd.gradeBad': ['non-conformant', '不合格'],
    /* live */
    'd.waitingFrame': ['waiting for a frame', '等待画面'],
    'd.watchLive': ['Watch live', '观看直播'], 'd.liveOf': ['Live: {cam}', '直播：{cam}'],
    'd.liveClose': ['Close', '关闭'], 'd.liveStarting': ['Starting the live view…', '正在启动直播…'],
    'd.liveDown': ['No live video: {why}', '无直播画面：{why}'],
    'd.liveFailed': ['The live video stopped playing.', '直播画面已停止播放。'], 'd.noGrading': ['No grading is open.', '没有进行中的分级。'],
    'd.gradingSince': ['grading since {when}', '分级开始于 {when}'], 'd.fruit': ['fruit', '个果实'],
    'd.mmMean': ['mm mean', '毫米平均'], 'd.disk': ['Disk', '磁盘'], 'd.freeOf': ['{free} free of {total}', '可用 {free}，共 {total}'],
    'd.recordings': ['recordings {n}', '录像 {n}'], 'd.quota': ['of {n} quota', '，配额 {n}'],
    'd.keepFree': ['keep {n} free', '保留 {n} 空闲'], 'd.clipsKept': ['clips kept {n} days', '片段保留 {n} 天'],
    'd.printQueue': ['print queue: {q} queued, {p} printing, {f} failed', '打印队列：{q} 排队，{p} 打印中，{f} 失败'],
    'd.noActive': ['no active batch to print', '没有可打印的正常批次'],
    'd.printed': ['{done} of {total} labels printed', '已打印 {done}/{total} 张标签'], 'd.failedN': [', {n} failed', '，{n} 张失败'],
    'd.retrying': ['(retrying)', '（重试中）'],
    'd.printer': ['printer', '打印机'], 'd.printJobs': ['Print jobs', '打印任务'], 'd.noPrintJob': ['No print job yet.', '暂无打印任务。'],
    'd.c.job': ['Job', '任务'], 'd.c.printer': ['Printer', '打印机'], 'd.c.jobState': ['State', '状态'],
    'd.c.tries': ['Tries', '尝试次数'], 'd.c.problem': ['Problem', '问题'],
    'd.j.queued': ['waiting', '等待中'], 'd.j.printing': ['printing', '打印中'], 'd.j.done': ['printed', '已打印'],
    'd.j.failed': ['failed', '失败'], 'd.j.cancelled': ['cancelled', '已取消'], 'd.j.retrying': ['retrying', '正在重试'],
    'd.retryJob': ['Retry', '重试'], 'd.cancelJob': ['Cancel', '取消'],
    'd.retryJobLabel': ['Retry job {id} ({lot})', '重试任务 {id}（{lot}）'],
    'd.cancelJobLabel': ['Cancel job {id} ({lot})', '取消任务 {id}（{lot}）'],
    'd.jobRetried': ['Job {id} ({lot}) is tried again now.', '任务 {id}（{lot}）正在重试。'],
    'd.jobCancelled': ['Job {id} ({lot}) cancelled: it will not be printed.', '任务 {id}（{lot}）已取消，不会打印。'],
    'e.job-printing': ['job {id} is being printed right now: it cannot be cancelled until this attempt is over',
      '任务 {id} 正在打印：本次尝试结束前不能取消'],
    'e.job-final': ['job {id} is {state} already', '任务 {id} 已经是{state}状态'],
    'e.unknown-printer': ['no printer called {printer} in station.ini', 'station.ini 中没有名为 {printer} 的打印机'],
    /* the stills the grading keeps of fruit below the declared class */
    'd.stills': ['Fruit below class {cls}', '低于 {cls} 级的果实'],
    'd.noStills': ['No fruit below class {cls} yet.', '尚无低于 {cls} 级的果实。'],
    'd.stillAlt': ['Fruit graded {cls}: {defect}', '分级为 {cls} 的果实：{defect}'],
    'd.cls.out': ['out', '等外'], 'd.noDefect': ['no defect (size)', '无缺陷（尺寸）'],
    'd.defect.dark spot': ['dark spot', '黑斑'], 'd.defect.bruise': ['bruise', '碰伤'], 'd.defect.mould': ['mould', '霉变'],
    'd.defect.russet': ['russet', '锈斑'], 'd.defect.cut': ['cut', '割伤'], 'd.defect.scar': ['scar', '疤痕'],
    /* loads */
    'd.loadN': ['Load {id}', '装车 {id}'], 'd.noBatchOnLoad': ['No batch on it yet.', '尚未装入批次。'],
    'd.refused': ['Refused', '已拒绝'], 'd.lotToPut': ['lot to put on', '要装入的批号'],
    'd.addBatch': ['Add batch', '装入批次'], 'd.closeLoad': ['Close load', '发车'],
    'd.closeConfirm': ['Close load {id} ({plate}, seal {seal})? The truck departs with its {n} batch(es).',
      '确认装车 {id}（{plate}，封条 {seal}）发车？车上有 {n} 个批次。'],
    'd.closed': ['Load {id} closed: {n} departing event(s).', '装车 {id} 已发车：{n} 条发运记录。'],
    'd.refusedClose': ['Load {id} not closed: {why}', '装车 {id} 未发车：{why}'],
    'd.put': ['{lot} put on load {id}.', '{lot} 已装入装车 {id}。'], 'd.already': ['{lot} was already on load {id}.', '{lot} 已在装车 {id} 上。'],
    'd.noOpenLoad': ['No load is open.', '没有未发车的装车。'], 'd.allLoads': ['All loads', '全部装车'],
    'd.open': ['open', '装车中'], 'd.departed': ['departed', '已发车'],
    'd.opened': ['Load {id} opened for {plate}.', '已为 {plate} 开始装车 {id}。'],
    'd.photosN': ['{n} (plate and seal, from the driver)', '{n} 张（车牌和封条，司机拍摄）'],
    'd.srcDriver': ['driver', '司机'], 'd.srcOperator': ['operator', '操作员'], 'd.srcCamera': ['camera ({name})', '摄像头（{name}）'],
    'd.photoPlate': ['plate photo', '车牌照片'], 'd.photoSeal': ['seal photo', '封条照片'],
    'd.openGrading': ['Open grading', '开始分级'], 'd.closeGrading': ['Close grading', '结束分级'],
    'd.gradingOpened': ['Grading opened (class {cls}): the grading camera fills it.', '已开始分级（{cls} 级），由分级摄像头记录。'],
    'd.closeGradingConfirm': ['Close the grading of {lot}? Its inspection is signed with the tolerance decision.',
      '结束 {lot} 的分级？将签署检验记录及容差结论。'],
    'd.gradingClosed': ['Grading of {lot} closed: {verdict}.', '{lot} 分级已结束：{verdict}。'],
    'd.withinTolerance': ['Within the lot tolerances so far.', '目前在批次容差之内。'],
    'd.outsideTolerance': ['Outside the lot tolerance:', '超出批次容差：'],
    'd.tolLine': ['{n} fruit, {pct}% (limit {limit}%)', '{n} 个，{pct}%（上限 {limit}%）'],
    'd.tol.below declared class': ['below the declared class', '低于申报等级'],
    'd.tol.meeting no class': ['meeting no class', '不符合任何等级'],
    'd.tol.below minimum size': ['below the minimum size', '低于最小尺寸'],
    'd.tol.far below minimum size': ['far below the minimum size', '远低于最小尺寸'],
    'd.noDriver': ['No driver yet.', '尚无司机。'], 'd.loginQr': ['Login QR', '登录二维码'],
    'd.driverAdded': ['Driver {id} added: {name}.', '已添加司机 {id}：{name}。'],
    'd.qrAlt': ['login QR for {name}', '{name} 的登录二维码'],
    'd.revokeLogins': ['Revoke logins', '吊销登录'], 'd.revoked': ['{n} login(s) of {name} revoked.', '已吊销 {name} 的 {n} 个登录。'],
    /* users and API keys (admins) */
    'd.admin': ['Users and API keys', '用户和 API 密钥'], 'd.role': ['role', '角色'],
    'd.r.admin': ['admin', '管理员'], 'd.r.operator': ['operator', '操作员'], 'd.r.buyer': ['buyer', '买方'],
    'd.scope': ['buyer scope: GLN (empty: all)', '买方范围：GLN（留空：全部）'], 'd.addUser': ['Add user', '添加用户'],
    'd.keyName': ['key name (platform or script)', '密钥名称（平台或脚本）'], 'd.addKey': ['Make API key', '生成 API 密钥'],
    'd.c.role': ['Role', '角色'], 'd.c.scope': ['Scope', '范围'], 'd.c.created': ['Created', '创建时间'],
    'd.allBatches': ['all', '全部'], 'd.remove': ['Remove', '删除'], 'd.revoke': ['Revoke', '吊销'],
    'd.keyLive': ['live', '有效'], 'd.keyRevoked': ['revoked {when}', '已于 {when} 吊销'],
    'd.userAdded': ['User {name} added ({role}).', '已添加用户 {name}（{role}）。'],
    'd.userRemoved': ['User {name} removed; their sessions ended.', '已删除用户 {name}，其会话已结束。'],
    'd.keyMade': ['API key {id} for {name}, shown only now (the station keeps its hash):', 'API 密钥 {id}（{name}），仅此一次显示（站点只保存其哈希）：'],
    'd.keyRevokedMsg': ['API key {id} revoked.', 'API 密钥 {id} 已吊销。'], 'd.you': ['(you)', '（您）'], 'd.lotForLoad': ['lot for load {id}', '装车 {id} 的批号']
  };
  function stored() { try { return localStorage.getItem('pt-lang'); } catch (e) { return null; /* storage off */ } }
  var lang = stored() === 'zh' || stored() === 'en' ? stored() : /^zh/i.test(navigator.language || '') ? 'zh' : 'en';

  /* The string for @key in the current language, with {name} filled from @vars; an unknown
   * key is returned as it is. */
  function t(key, vars) {
    var pair = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : null;
    if (!pair) return key;
    var s = pair[lang === 'zh' ? 1 : 0];
    if (!vars) return s;
    return s.replace(/\{(\w+)\}/g, function (m, v) { return v in vars ? String(vars[v]) : m; });
  }
  /* Adds a page's own strings ({key: [English, Chinese]}). */
  function addStrings(table) { Object.assign(strings, table); }
  /* The one translation table (web-ui/i18n.json, served as /static/i18n.json) added to these
   * strings: the buyer portal's words (bu.) and the shared ones (step:, disp:, status:, cls:,
   * ...).  Resolves once it is in, or on failure with the page's English as it stands
   * (its "_about" notes are not words). */
  function loadTable() {
    return fetch('/static/i18n.json', { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (table) {
        Object.keys(table).forEach(function (k) { if (k.charAt(0) !== '_') strings[k] = table[k]; });
      }, function () { /* offline: keys show until the next load */ });
  }
  /* A code in words: the first of @prefixes (e.g. ['bu.step:', 'step:']) that has @code,
   * else @fallback(@code) (default: its underscores as spaces). */
  function word(prefixes, code, fallback) {
    for (var i = 0; i < prefixes.length; i++) {
      if (Object.prototype.hasOwnProperty.call(strings, prefixes[i] + code)) return t(prefixes[i] + code);
    }
    return (fallback || function (c) { return String(c).replace(/_/g, ' '); })(code);
  }
  /* The page's fixed text in the current language: <html lang>, the language button, and
   * every element marked data-t (its text) or data-t-placeholder. */
  function localize() {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    var button = document.getElementById('lang');
    if (button) button.textContent = t('other');
    document.querySelectorAll('[data-t]').forEach(function (n) { n.textContent = t(n.dataset.t); });
    document.querySelectorAll('[data-t-placeholder]').forEach(function (n) { n.placeholder = t(n.dataset.tPlaceholder); });
    document.querySelectorAll('[data-t-label]').forEach(function (n) { n.setAttribute('aria-label', t(n.dataset.tLabel)); });
  }
  /* The language button switches, remembers the choice, and calls @render. */
  function langButton(render) {
    document.getElementById('lang').addEventListener('click', function () {
      lang = lang === 'zh' ? 'en' : 'zh';
      try { localStorage.setItem('pt-lang', lang); } catch (e) { /* storage off: this view only */ }
      render();
    });
  }

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    (kids || []).forEach(function (c) {
      if (c !== null && c !== undefined) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }
  var SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  /* A table of @head (cells) and @rows (arrays of cells: text or nodes), of class @cls. */
  function table(head, rows, cls) {
    return el('table', cls ? { class: cls } : {}, [
      el('thead', {}, [el('tr', {}, head.map(function (h) { return el('th', {}, [h]); }))]),
      el('tbody', {}, rows.map(function (r) { return el('tr', {}, r.map(function (c) { return el('td', {}, [c]); })); }))]);
  }
  /* A list of facts from @rows ([key, value]): the key translated, empty values left out. */
  function facts(rows) {
    var dl = el('dl', { class: 'facts' });
    rows.forEach(function (r) { if (r[1]) { dl.appendChild(el('dt', {}, [t(r[0])])); dl.appendChild(el('dd', {}, [r[1]])); } });
    return dl;
  }
  /* Horizontal bars of @bars ([name, count]), each as long as its share of the total.
   * @o: nameWidth (where the bars start), width (of the picture), value(count, total) (the
   * text after a bar; default "pct% (count)"), label (aria-label). */
  function barChart(bars, o) {
    o = o || {};
    var total = bars.reduce(function (a, b) { return a + b[1]; }, 0) || 1;
    var row = 26, x = o.nameWidth || 60, width = o.width || 340;
    var value = o.value || function (n) { return Math.round(n * 100 / total) + '% (' + n + ')'; };
    var attrs = { class: 'chart', viewBox: '0 0 ' + width + ' ' + Math.max(row, row * bars.length), role: 'img' };
    if (o.label) attrs['aria-label'] = o.label;
    var s = svg('svg', attrs);
    bars.forEach(function (b, i) {
      var y = i * row;
      s.appendChild(svg('text', { x: 0, y: y + 17 }, b[0]));
      s.appendChild(svg('rect', { x: x, y: y + 4, height: 18, width: Math.max(1, 200 * b[1] / total) }));
      s.appendChild(svg('text', { x: x + 206, y: y + 17 }, value(b[1], total)));
    });
    return s;
  }
  /* @counts ({name: n}) as barChart()'s bars. */
  function bars(counts) { return Object.keys(counts || {}).map(function (k) { return [k, counts[k]]; }); }

  /* A date and time in the reader's language; what does not parse is shown as it is. */
  function when(iso) {
    var d = new Date(iso);
    return !iso || isNaN(d) ? (iso || '') : d.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB',
      { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  }
  /* The time zone stamp() writes in: the station's ([station] time_zone, from its status
   * API), until then the reader's own. */
  var zone = null;
  function setZone(tz) {
    try { new Intl.DateTimeFormat('en', { timeZone: tz }); zone = tz; } catch (e) { zone = null; /* unknown here */ }
  }
  /* @iso as "YYYY-MM-DD HH:MM" in the station's zone (with ":SS" when @seconds): one way of
   * writing dates that no reader takes for another day; '' for none, the text itself when
   * it does not parse. */
  function stamp(iso, seconds) {
    var d = new Date(iso);
    if (!iso || isNaN(d)) return iso || '';
    var o = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
    if (seconds) o.second = '2-digit';
    if (zone) o.timeZone = zone;
    var p = {};
    new Intl.DateTimeFormat('en-GB', o).formatToParts(d).forEach(function (x) { p[x.type] = x.value; });
    return p.year + '-' + p.month + '-' + p.day + ' ' + p.hour + ':' + p.minute + (seconds ? ':' + p.second : '');
  }
  function hex(buf) { return Array.prototype.map.call(new Uint8Array(buf), function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join(''); }
  /* A load's destination: its name and GLN, '' when it has neither. */
  function dest(l) { return [l.destination, l.destination_gln ? 'GLN ' + l.destination_gln : null].filter(Boolean).join(' · '); }
  /* The name at the end of an EPCIS URI (bizStep, disposition): "packing" of ".../packing". */
  function lastPart(uri) { return String(uri || '').replace(/^.*[-:\/]/, ''); }

  /* The vendored hls.js, loaded once on first use (a page that never plays live video never
   * fetches it); resolves to window.Hls, or null where it cannot load (tried again next time). */
  var hlsLoading = null;
  function loadHls() {
    if (window.Hls) return Promise.resolve(window.Hls);
    if (!hlsLoading) {
      hlsLoading = new Promise(function (resolve) {
        var s = el('script', { src: '/static/hls.js' }, []);
        s.onload = function () { resolve(window.Hls || null); };
        s.onerror = function () { hlsLoading = null; resolve(null); };
        document.head.appendChild(s);
      });
    }
    return hlsLoading;
  }

  /* Element @id emptied, ready for new content. */
  function empty(id) { var b = document.getElementById(id); b.textContent = ''; return b; }
  /* A status line: @text in element @id, red when @bad. */
  function say(id, text, bad) {
    var m = document.getElementById(id);
    m.textContent = text || '';
    m.className = bad ? 'verify bad' : text ? 'verify ok' : '';
  }

  /* One request to the station's API with the session cookie and, once signed in on the
   * dashboard, the session's CSRF token (window.ptSession, kept by station.js).  @opts: method,
   * body (sent as JSON), accept (default JSON), headers (more of them), unauthorised (what a
   * 401 says), raw (resolve with the Response itself, whatever its status but 401).  Resolves
   * with the JSON answer; rejects with an Error that says the station's own error text, with
   * .status, .body and .auth (a 401) set. */
  async function api(path, opts) {
    opts = opts || {};
    var headers = Object.assign({ Accept: opts.accept || 'application/json' }, opts.headers);
    var token = window.ptSession && window.ptSession.csrf();
    if (token) headers['X-CSRF-Token'] = token;
    var hasBody = opts.body !== undefined && opts.body !== null;
    if (hasBody) headers['Content-Type'] = 'application/json';
    var r = await fetch(path, {
      method: opts.method || 'GET', headers: headers, cache: 'no-store', credentials: 'same-origin',
      body: hasBody ? JSON.stringify(opts.body) : undefined
    });
    if (opts.raw && r.status !== 401) return r;
    var j = opts.raw ? {} : await r.json().catch(function () { return {}; });
    if (r.ok) return j;
    var e = new Error(r.status === 401 && opts.unauthorised ? opts.unauthorised : j.error || path + ': ' + r.status);
    e.status = r.status;
    e.body = j;
    e.auth = r.status === 401;
    throw e;
  }

  /* The reader's line for an error answer @body ({code, params}) of HTTP @status: the
   * station's English "error" is never shown. */
  function error(body, status) {
    var code = body && body.code, vars = Object.assign({ status: status }, (body && body.params) || {});
    if (code && strings['e.' + code]) return t('e.' + code, vars);
    return t(status === 429 || status === 503 ? 'e.busy' : status === 413 ? 'e.too-large' : 'e.failed', vars);
  }
  return {
    t: t, strings: addStrings, loadTable: loadTable, word: word, error: error, lang: function () { return lang; }, localize: localize, langButton: langButton,
    el: el, svg: svg, table: table, facts: facts, barChart: barChart, bars: bars,
    when: when, stamp: stamp, setZone: setZone, hex: hex, dest: dest, lastPart: lastPart, empty: empty, say: say, api: api, loadHls: loadHls
  };
})();
