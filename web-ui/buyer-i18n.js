/* buyer-i18n.js: the buyer portal's words in English and Chinese beyond buyer.js's own:
 * business steps, dispositions, batch states and grade classes by their codes (so no raw
 * "non_conformant" or "active" reaches a buyer), the signed verdict, the in-browser
 * verification, and the views across batches.  Kept apart from the pages' shared table
 * (ui-kit.js) so it can be folded into it; loaded after ui-kit.js, before buyer.js.
 * ptBuyerWords: step(), disposition(), status(), klass(), role(), defect(), rule(). */
'use strict';
window.ptBuyerWords = (function () {
  var ui = window.ptUi, t = ui.t;
  ui.strings({
    /* CBV 2.0 business steps */
    'b.step:accepting': ['Accepted', '验收'], 'b.step:arriving': ['Arrived', '到达'],
    'b.step:commissioning': ['Registered', '登记'], 'b.step:decommissioning': ['Retired', '注销'],
    'b.step:departing': ['Departed', '发车'], 'b.step:destroying': ['Destroyed', '销毁'],
    'b.step:encoding': ['Labelled', '贴标'], 'b.step:holding': ['Status changed', '状态变更'],
    'b.step:inspecting': ['Graded', '分级检验'], 'b.step:loading': ['Loaded', '装车'],
    'b.step:packing': ['Packed', '包装'], 'b.step:picking': ['Picked', '采摘'],
    'b.step:receiving': ['Received', '接收'], 'b.step:repackaging': ['Repacked', '重新包装'],
    'b.step:sampling': ['Sampled', '抽样'], 'b.step:sensor_reporting': ['Filmed', '摄像记录'],
    'b.step:shipping': ['Shipped', '发运'], 'b.step:storing': ['Stored', '储存'],
    'b.step:transporting': ['Transported', '运输'], 'b.step:unloading': ['Unloaded', '卸车'],
    'b.step:unpacking': ['Taken off a pallet', '卸下托盘'], 'b.step:recalling': ['Recalled', '召回'],
    'b.step:harvesting': ['Harvested', '采收'], 'b.step:sorting': ['Sorted', '分选'],
    'b.step:other': ['Other', '其他'],
    /* CBV 2.0 dispositions */
    'b.disp:active': ['active', '正常'], 'b.disp:conformant': ['within tolerances', '符合容许度'],
    'b.disp:non_conformant': ['outside tolerances', '超出容许度'], 'b.disp:in_progress': ['in progress', '进行中'],
    'b.disp:in_transit': ['in transit', '运输中'], 'b.disp:non_sellable_other': ['not for sale', '不可销售'],
    'b.disp:sellable_accessible': ['for sale', '可销售'], 'b.disp:sellable_not_accessible': ['for sale, not yet reachable', '可销售（暂不可取）'],
    'b.disp:recalled': ['recalled', '已召回'], 'b.disp:destroyed': ['destroyed', '已销毁'],
    'b.disp:damaged': ['damaged', '已损坏'], 'b.disp:expired': ['expired', '已过期'],
    'b.disp:returned': ['returned', '已退回'], 'b.disp:container_closed': ['container closed', '已封箱'],
    'b.disp:unknown': ['unknown', '未知'], 'b.disp:available': ['available', '可用'],
    'b.disp:unavailable': ['unavailable', '不可用'], 'b.disp:encoded': ['encoded', '已编码'],
    /* a batch's state and grade classes */
    'b.st:active': ['active', '正常'], 'b.st:held': ['on hold', '暂扣'], 'b.st:recalled': ['recalled', '已召回'],
    'b.cls:Extra': ['Extra class', '特级'], 'b.cls:I': ['Class I', '一级'], 'b.cls:II': ['Class II', '二级'],
    'b.cls:out': ['out of grade', '等外'],
    'b.role:buyer': ['buyer', '采购商'], 'b.role:operator': ['operator', '操作员'], 'b.role:admin': ['administrator', '管理员'],
    /* the signed verdict */
    'b.verdict': ['Verdict', '判定'], 'b.anyVerdict': ['any', '全部'],
    'b.conformant': ['within tolerance', '符合容许度'], 'b.nonConformant': ['outside tolerance', '超出容许度'],
    'b.verdictOk': ['{c}, within tolerance', '{c}，符合容许度'],
    'b.verdictBad': ['{c}, outside tolerance', '{c}，超出容许度'],
    'b.belowPct': ['{p}% of fruit below {c}', '{p}% 的果实低于{c}'], 'b.paren': [' ({p})', '（{p}）'],
    'b.notGraded': ['not graded', '未分级'],
    'b.verdictHelp': ['The class the shed declared when it closed the grading, and whether the lot met that class\'s tolerances (the share of fruit that may be below the class); signed by the station.',
      '包装厂结束分级时申报的等级，以及该批是否符合该等级的容许度（允许低于该等级的果实比例）；由站点签名。'],
    'b.actions': ['Open', '操作'], 'b.step': ['Step', '环节'],
    'b.hashes': ['Hashes and signatures', '哈希与签名'], 'b.corrected': ['declared in error', '已声明有误'],
    'b.batchLink': ['Link to this batch', '本批次链接'],
    'b.rule': ['a day with more than {f} times the batch\'s median daily scans and at least {m} scans',
      '某天扫码次数超过该批次日中位数的 {f} 倍且至少 {m} 次'],
    /* the verified mark */
    'b.checking': ['Checking signatures…', '正在验证签名…'],
    'b.verified': ['✓ Verified in this browser: all {n} records are signed by the station and unaltered.', '✓ 已在本浏览器验证：全部 {n} 条记录均由本站签名且未被篡改。'],
    'b.unverified': ['⚠ Not verified ({why}). Do not rely on this batch\'s record.', '⚠ 未通过验证（{why}），请勿信赖此批次记录。'],
    'b.differ': ['⚠ What this page shows differs from the signed record ({fields}).', '⚠ 本页显示的信息与签名记录不符（{fields}）。'],
    'b.nocrypto': ['This browser cannot check signatures (needs Ed25519 support).', '此浏览器无法验证签名（需要支持 Ed25519）。'],
    /* the views across batches */
    'x.open': ['Across batches', '批次汇总'], 'x.title': ['Across batches', '批次汇总'],
    'x.scope': ['Batches packed in the search\'s dates, of its grower and GTIN.', '按搜索条件中的包装日期、种植者和商品条码统计。'],
    'x.none': ['No batch packed in these dates.', '该日期范围内没有包装的批次。'],
    'x.gradeMix': ['Grade mix per grower and week (graded fruit)', '各种植者每周的等级构成（已分级果实）'],
    'x.conformShare': ['Share of conformant batches per week', '每周合格批次占比'],
    'x.sizes': ['Size distribution per week (graded fruit)', '每周规格分布（已分级果实）'],
    'x.defects': ['Defect kinds (graded fruit)', '缺陷类型（已分级果实）'],
    'x.holds': ['Holds and recalls per grower', '各种植者的暂扣与召回'],
    'x.volume': ['Volumes per week', '每周产量'],
    'x.week': ['Week of', '周（起始日）'], 'x.grower': ['Grower', '种植者'], 'x.noGrower': ['(no grower)', '（未填种植者）'],
    'x.batches': ['batches', '批次'], 'x.graded': ['graded batches', '已分级批次'],
    'x.conformant': ['conformant', '合格'], 'x.share': ['share conformant', '合格占比'],
    'x.hold': ['holds', '暂扣'], 'x.recall': ['recalls', '召回'], 'x.fruit': ['fruit', '果实'],
    'x.size': ['size {s}', '规格 {s}'], 'x.sizeNone': ['no size code', '无规格'],
    'x.quantity': ['quantity', '数量'], 'x.kind': ['Defect', '缺陷'], 'x.noDefects': ['No defects found.', '未发现缺陷。'],
    'x.noData': ['Nothing to show.', '无数据。'], 'x.legend': ['Legend', '图例'],
    /* the loads going to the buyer and the video of their loading (buyer-loads.js) */
    'v.title': ['Loads to you', '发往贵方的装车'], 'v.none': ['No load is going to you yet.', '暂无发往贵方的装车。'],
    'v.opened': ['Loading began', '开始装车'], 'v.state': ['State', '状态'], 'v.lots': ['Lots', '批次'],
    'v.video': ['Video', '视频'], 'v.relaying': ['Asking the packing shed through the co-op hub…', '正在通过合作社平台向包装厂请求视频…'], 'v.live': ['● LIVE: loading', '● 直播：装车中'],
    'v.departed': ['departed {when}', '已于 {when} 发车'],
    'v.watchLive': ['Watch live', '观看直播'], 'v.watchRecorded': ['Watch the loading', '观看装车录像'],
    'v.noCamera': ['no camera at its dock', '该月台没有摄像头'],
    'v.watching': ['Load {id}', '装车 {id}'], 'v.camera': ['camera {cam}', '摄像头 {cam}'], 'v.close': ['Close', '关闭'],
    'v.window': ['Recorded from {from} to {to} (the loading, and {m} s either side).', '录像时段：{from} 至 {to}（装车全程，前后各 {m} 秒）。'],
    'v.windowOpen': ['Being loaded since {from}: live until the truck leaves, then recorded.', '自 {from} 起装车：发车前直播，发车后可看录像。'],
    'v.part': ['Part {n} ({from})', '第 {n} 段（{from}）'],
    'v.liveStarting': ['Starting the live video…', '正在打开直播…'],
    'v.cutting': ['Preparing the recording…', '正在准备录像…'],
    'v.pending': ['The truck has just left: the end of its recording is being written…', '车辆刚刚发车：录像结尾正在写入…'],
    'v.noRecording': ['Nothing of this loading was recorded.', '本次装车没有录像。'],
    'v.needSession': ['A recorded clip plays for a signed-in buyer; with an API key, download it from its link.', '录像片段需登录后播放；使用 API 密钥时请通过其链接下载。'],
    'v.failed': ['No video: {why}', '无法播放：{why}'], 'v.unreachable': ['the station did not answer', '站点无响应'],
    'v.clipFacts': ['Clip from {start} to {end}, {mb} MB, SHA-256:', '视频片段 {start} 至 {end}，{mb} MB，SHA-256：'],
    /* defect kinds as models/pt-grader.c names them */
    'x.defect:none': ['no defect', '无缺陷'], 'x.defect:dark spot': ['dark spot', '黑斑'],
    'x.defect:bruise': ['bruise', '碰伤'], 'x.defect:mould': ['mould', '霉变'], 'x.defect:russet': ['russet', '锈斑'],
    'x.defect:cut': ['cut', '划伤'], 'x.defect:?': ['other', '其他']
  });
  /* @prefix + @code translated, else @fallback(@code). */
  function word(prefix, code, fallback) {
    var key = prefix + code, s = t(key);
    return s === key ? fallback(code) : s;
  }
  function spaced(c) { return String(c).replace(/_/g, ' '); }
  return {
    step: function (s) { return word('b.step:', ui.lastPart(s), spaced); },
    disposition: function (d) { return word('b.disp:', ui.lastPart(d), spaced); },
    status: function (s) { return word('b.st:', s, spaced); },
    klass: function (c) { return word('b.cls:', c, String); },
    role: function (r) { return word('b.role:', r, String); },
    defect: function (k) { return word('x.defect:', k, spaced); },
    /* The station's spike rule (English, with its two numbers) in the reader's language. */
    rule: function (text) {
      var m = /more than ([\d.]+) times.*at least (\d+)/.exec(text || '');
      return m ? t('b.rule', { f: m[1], m: m[2] }) : (text || '');
    }
  };
})();
